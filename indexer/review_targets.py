"""What a review decision applies to: site and hit documents, found from what a reviewer
types (a site's registry URL, host[:port] or name; a hit's id) and read in real time with their
concurrency token (``_seq_no``/``_primary_term``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch

from ground import urls
from ground.settings import Settings
from indexer import templates
from indexer.errors import HitNotFound, SiteAmbiguous, SiteNotFound, SiteNotNamed
from indexer.review_states import TargetType

SOURCE_FIELDS = ["review", "site", "url.full", "rule.id", "rule.title", "page_id", "registry"]


@dataclass(frozen=True)
class Target:
    """A document a decision applies to, as read (with its concurrency token)."""

    type: TargetType
    id: str
    index: str
    status: str
    seq_no: int
    primary_term: int
    source: dict[str, Any]

    @property
    def label(self) -> str:
        site = self.source.get("site") or {}
        if self.type == "site":
            return f"site {site.get('name') or ''} <{site.get('url') or self.id}>".replace(
                "  ", " "
            )
        rule = (self.source.get("rule") or {}).get("id", "")
        return f"hit {self.id} ({rule} on {(self.source.get('url') or {}).get('full', '?')})"


def target_alias(settings: Settings, target_type: TargetType) -> str:
    """The alias of the documents a `target_type` decision applies to."""
    return templates.alias_name(settings.index_prefix, "sites" if target_type == "site" else "hits")


def as_target(target_type: TargetType, doc: dict[str, Any]) -> Target:
    source = doc.get("_source") or {}
    return Target(
        type=target_type,
        id=doc["_id"],
        index=doc["_index"],
        status=(source.get("review") or {}).get("status") or "new",
        seq_no=doc["_seq_no"],
        primary_term=doc["_primary_term"],
        source=source,
    )


def read_targets(
    client: Elasticsearch, settings: Settings, target_type: TargetType, doc_ids: list[str]
) -> dict[str, Target]:
    """Targets by id, read in real time (GET, not search: a decision written a moment ago must
    be seen, or its concurrency token would be stale)."""
    if not doc_ids:
        return {}
    alias = target_alias(settings, target_type)
    try:
        resp = client.mget(index=alias, ids=doc_ids, source_includes=SOURCE_FIELDS)
    except BadRequestError:
        # the alias spans several indices (after a rollover): find the index first, then GET
        found = client.search(
            index=alias, query={"ids": {"values": doc_ids}}, size=len(doc_ids), _source=False
        )
        docs = [
            client.get(index=h["_index"], id=h["_id"], source_includes=SOURCE_FIELDS).body
            for h in found["hits"]["hits"]
        ]
    else:
        docs = [d for d in resp["docs"] if d.get("found")]
    return {d["_id"]: as_target(target_type, d) for d in docs}


def resolve_site(client: Elasticsearch, settings: Settings, ref: str) -> Target:
    """The registered site `ref` names: its registry URL, host[:port] (with or without
    ``www.``), its exact name, or its document id."""
    ref = ref.strip()
    if not ref:
        raise SiteNotNamed()
    candidates: list[str] = [ref]
    host = ""
    try:
        candidates.append(urls.site_id(ref))
        host = urls.site_key(ref).split("/", 1)[0].split("?", 1)[0]
    except ValueError:
        pass  # not URL-like: a name
    # an id or URL: read in real time, no search
    direct = read_targets(client, settings, "site", candidates)
    if len(direct) == 1:
        return next(iter(direct.values()))
    should: list[dict[str, Any]] = [
        {"ids": {"values": candidates}},
        {"term": {"site.name": ref}},
    ]
    if host:
        bare = host.split(":", 1)[0]
        for value in {host, bare, f"www.{bare}"}:
            should.append({"term": {"site.domain": value}})
            should.append({"term": {"url.domain": value}})
    resp = client.search(
        index=target_alias(settings, "site"),
        query={"bool": {"should": should, "minimum_should_match": 1}},
        size=10,
        seq_no_primary_term=True,
        source_includes=SOURCE_FIELDS,
    )
    docs = resp["hits"]["hits"]
    exact = [d for d in docs if d["_id"] in candidates]
    if len(exact) == 1:
        docs = exact
    if not docs:
        raise SiteNotFound(ref)
    active = [d for d in docs if ((d["_source"].get("registry") or {}).get("status")) != "retired"]
    if len(docs) > 1 and len(active) == 1:
        docs = active  # the others were retired from the registry (e.g. a duplicate record)
    if len(docs) > 1:
        sites = [d["_source"].get("site") or {} for d in docs]
        raise SiteAmbiguous(ref, [f"{s.get('name')} <{s.get('url')}>" for s in sites])
    # search found it; read it in real time for the current status and concurrency token
    found = docs[0]["_id"]
    return read_targets(client, settings, "site", [found]).get(found) or as_target("site", docs[0])


def resolve_hit(client: Elasticsearch, settings: Settings, hit_id: str) -> Target:
    """The hit with document id `hit_id` (as Kibana's hits view shows it)."""
    found = read_targets(client, settings, "hit", [hit_id.strip()])
    if not found:
        raise HitNotFound(hit_id)
    return next(iter(found.values()))
