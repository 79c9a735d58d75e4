"""Reviewer decisions on sites and hits, and their append-only history.

A decision is a read-modify-write of the document's ``review.*`` fields guarded by optimistic
concurrency (``if_seq_no``/``if_primary_term``): two reviewers (or a reviewer and a crawl)
changing one document at once cannot overwrite each other silently, and no scripting is needed
(the integ-test server has no painless). Every change also appends one document to
``<prefix>-review-log`` (target, from, to, who, note, when).

Which changes are allowed is data: :data:`indexer.review_states.TRANSITIONS`.

Crawls and retro-scans never call the ``mark_*`` functions; the one automatic change is
:func:`raise_recurred` (``taken_down → recurred``), which the crawler calls after indexing a
site's findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, helpers

from ground import urls
from ground.levels import FRAUD_LEVELS
from ground.settings import Settings
from indexer import documents, templates
from indexer.bulk import action_for
from indexer.errors import IndexerError
from indexer.kql import kql_query
from indexer.paging import search_all
from indexer.review_states import (
    AUTOMATIC_TRANSITIONS,
    STATUSES,
    SYSTEM_REVIEWER,
    TargetType,
    describe_allowed,
    is_allowed,
    statuses_for,
)

MAX_NOTE_CHARS = 2_000
MAX_REVIEWER_CHARS = 100
CONFLICT_RETRIES = 5
PAGE_SIZE = 500
DEFAULT_QUERY_LIMIT = 5_000
_SOURCE_FIELDS = ["review", "site", "url.full", "rule.id", "rule.title", "page_id"]


class TransitionRefused(IndexerError):
    """The target's current status does not allow the requested one."""


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


@dataclass
class Change:
    target_type: str
    target_id: str
    previous: str
    status: str
    by: str
    at: str
    label: str


@dataclass
class MarkResult:
    changed: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in the requested status
    refused: Counter[str] = field(default_factory=Counter)  # from-status -> count
    matched: int = 0

    def summary(self, status: str) -> str:
        parts = [f"{len(self.changed)} marked {status}"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already {status}")
        for from_status, n in sorted(self.refused.items()):
            parts.append(f"{n} refused (now {from_status!r})")
        return ", ".join(parts)


# --- validation ---------------------------------------------------------------------------------


def check_reviewer(by: str | None) -> str:
    name = (by or "").strip()
    if not name:
        raise IndexerError(
            "Say who decides: --by NAME (the reviewer's name or id is recorded with the decision)."
        )
    if len(name) > MAX_REVIEWER_CHARS or any(ord(c) < 32 for c in name):
        raise IndexerError(f"--by must be a plain name of at most {MAX_REVIEWER_CHARS} characters.")
    return name


def check_status(target_type: TargetType, status: str) -> str:
    if status not in statuses_for(target_type):
        known = ", ".join(statuses_for(target_type))
        hint = " (takedown states belong to sites: use --site)" if status in STATUSES else ""
        raise IndexerError(f"Unknown {target_type} status {status!r}{hint}; use one of: {known}.")
    return status


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    return note[:MAX_NOTE_CHARS] or None


# --- reading targets ------------------------------------------------------------------------------


def _alias(settings: Settings, target_type: TargetType) -> str:
    return templates.alias_name(settings.index_prefix, "sites" if target_type == "site" else "hits")


def _as_target(target_type: TargetType, doc: dict[str, Any]) -> Target:
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


def _fetch(
    client: Elasticsearch, settings: Settings, target_type: TargetType, doc_ids: list[str]
) -> dict[str, Target]:
    """Targets by id, read in real time (GET, not search: a decision written a moment ago must
    be seen, or its concurrency token would be stale)."""
    if not doc_ids:
        return {}
    alias = _alias(settings, target_type)
    try:
        resp = client.mget(index=alias, ids=doc_ids, source_includes=_SOURCE_FIELDS)
    except BadRequestError:
        # the alias spans several indices (after a rollover): find the index first, then GET
        found = client.search(
            index=alias, query={"ids": {"values": doc_ids}}, size=len(doc_ids), _source=False
        )
        docs = [
            client.get(index=h["_index"], id=h["_id"], source_includes=_SOURCE_FIELDS).body
            for h in found["hits"]["hits"]
        ]
    else:
        docs = [d for d in resp["docs"] if d.get("found")]
    return {d["_id"]: _as_target(target_type, d) for d in docs}


def resolve_site(client: Elasticsearch, settings: Settings, ref: str) -> Target:
    """The registered site `ref` names: its registry URL, host[:port] (with or without
    ``www.``), its exact name, or its document id."""
    ref = ref.strip()
    if not ref:
        raise IndexerError("--site needs a value: the registry URL, host[:port] or name of a site.")
    candidates: list[str] = [ref]
    host = ""
    try:
        candidates.append(urls.site_id(ref))
        host = urls.site_key(ref).split("/", 1)[0].split("?", 1)[0]
    except ValueError:
        pass  # not URL-like: a name
    direct = _fetch(client, settings, "site", candidates)  # an id or URL: real time, no search
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
        index=_alias(settings, "site"),
        query={"bool": {"should": should, "minimum_should_match": 1}},
        size=10,
        seq_no_primary_term=True,
        source_includes=_SOURCE_FIELDS,
    )
    docs = resp["hits"]["hits"]
    exact = [d for d in docs if d["_id"] in candidates]
    if len(exact) == 1:
        docs = exact
    if not docs:
        raise IndexerError(
            f"No registered site matches {ref!r}. Give its registry URL, host[:port] or exact "
            "name as imported with `wuzha sites import`."
        )
    if len(docs) > 1:
        listed = "; ".join(
            f"{(d['_source'].get('site') or {}).get('name')} <{(d['_source'].get('site') or {}).get('url')}>"
            for d in docs
        )
        raise IndexerError(f"{ref!r} matches several sites ({listed}): give the full registry URL.")
    # search found it; read it in real time for the current status and concurrency token
    return _fetch(client, settings, "site", [docs[0]["_id"]]).get(docs[0]["_id"]) or _as_target(
        "site", docs[0]
    )


def resolve_hit(client: Elasticsearch, settings: Settings, hit_id: str) -> Target:
    found = _fetch(client, settings, "hit", [hit_id.strip()])
    if not found:
        raise IndexerError(
            f"No hit with id {hit_id!r}. Copy the id (_id) from Kibana's hits view, or use "
            "--query to select hits."
        )
    return next(iter(found.values()))


# --- writing decisions ----------------------------------------------------------------------------


def _review_fields(previous: str, status: str, by: str, note: str | None, at: str) -> dict:
    return {"status": status, "previous_status": previous, "by": by, "note": note, "at": at}


def _log_document(target: Target, previous: str, status: str, by: str, note: str | None, at: str):
    source = target.source
    rule = source.get("rule") or {}
    return documents.review_log_document(
        target_type=target.type,
        target_id=target.id,
        status=status,
        previous_status=previous,
        by=by,
        note=note,
        at=at,
        site=source.get("site"),
        url=(source.get("url") or {}).get("full"),
        rule_id=rule.get("id"),
    )


def _append_log(client: Elasticsearch, settings: Settings, docs: list[documents.Document]) -> None:
    if not docs:
        return
    actions = (action_for(d, settings.index_prefix) for d in docs)
    _ok, errors = helpers.bulk(client, actions, raise_on_error=False, max_retries=3)
    if errors:
        raise IndexerError(
            f"{len(errors)} review-log entries could not be written ({errors[0]!r:.300}); the "
            "decisions themselves are saved. Check the cluster's health and disk space."
        )


def _apply(
    client: Elasticsearch,
    settings: Settings,
    target: Target,
    status: str,
    by: str,
    note: str | None,
    *,
    automatic: bool = False,
    refresh: bool = False,
) -> Change | None:
    """Write one decision, re-reading on a concurrent change. None when already `status`."""
    for _attempt in range(CONFLICT_RETRIES):
        if target.status == status:
            return None
        if automatic:
            if (target.status, status) not in AUTOMATIC_TRANSITIONS:
                return None
        elif not is_allowed(target.type, target.status, status):
            raise TransitionRefused(
                f"Cannot mark {target.label} as {status!r}: it is {target.status!r} "
                f"({describe_allowed(target.type, target.status)})."
            )
        at = documents.now_iso()
        try:
            client.update(
                index=target.index,
                id=target.id,
                doc={"review": _review_fields(target.status, status, by, note, at)},
                if_seq_no=target.seq_no,
                if_primary_term=target.primary_term,
                refresh="wait_for" if refresh else None,
            )
        except ConflictError:
            fresh = _fetch(client, settings, target.type, [target.id]).get(target.id)
            if fresh is None:
                raise IndexerError(f"{target.label} was deleted while being marked.") from None
            target = fresh
            continue
        _append_log(client, settings, [_log_document(target, target.status, status, by, note, at)])
        return Change(target.type, target.id, target.status, status, by, at, target.label)
    raise IndexerError(
        f"{target.label} kept changing while being marked ({CONFLICT_RETRIES} attempts); try again."
    )


def mark_site(
    client: Elasticsearch,
    settings: Settings,
    site: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    refresh: bool = False,
) -> MarkResult:
    """Set a site's review status (`site`: registry URL, host[:port] or name)."""
    return _mark_one(client, settings, "site", site, status, by, note, refresh)


def mark_hit(
    client: Elasticsearch,
    settings: Settings,
    hit_id: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    refresh: bool = False,
) -> MarkResult:
    """Set one hit's review status (`hit_id`: the hit document's id)."""
    return _mark_one(client, settings, "hit", hit_id, status, by, note, refresh)


def _mark_one(
    client: Elasticsearch,
    settings: Settings,
    target_type: TargetType,
    ref: str,
    status: str,
    by: str,
    note: str | None,
    refresh: bool,
) -> MarkResult:
    by = check_reviewer(by)
    check_status(target_type, status)
    resolve = resolve_site if target_type == "site" else resolve_hit
    target = resolve(client, settings, ref)
    result = MarkResult(matched=1)
    change = _apply(client, settings, target, status, by, _note(note), refresh=refresh)
    if change is None:
        result.unchanged.append(target.id)
    else:
        result.changed.append(change)
    return result


# --- marking hits by query ------------------------------------------------------------------------


def mark_query(
    client: Elasticsearch,
    settings: Settings,
    query: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    limit: int = DEFAULT_QUERY_LIMIT,
    refresh: bool = False,
) -> MarkResult:
    """Set the status of every hit the KQL-like `query` selects. Hits whose current status does
    not allow `status` are left alone and counted in ``refused``."""
    by = check_reviewer(by)
    check_status("hit", status)
    note = _note(note)
    es_query = kql_query(query)
    try:
        total = int(client.count(index=_alias(settings, "hit"), query=es_query)["count"])
    except BadRequestError as err:  # query_string syntax errors are the user's to fix
        raise IndexerError(f"Elasticsearch cannot parse --query {query!r}: {err.message}") from err
    if total == 0:
        raise IndexerError(f"No hits match --query {query!r}.")
    if total > limit:
        raise IndexerError(
            f"--query {query!r} selects {total} hits, more than --limit {limit}: narrow the query "
            "or raise --limit."
        )
    result = MarkResult(matched=total)
    batch: list[Target] = []
    for doc in search_all(
        client,
        _alias(settings, "hit"),
        es_query,
        size=PAGE_SIZE,
        seq_no_primary_term=True,
        source_includes=_SOURCE_FIELDS,
    ):
        batch.append(_as_target("hit", doc))
        if len(batch) >= PAGE_SIZE:
            _mark_batch(client, settings, batch, status, by, note, result)
            batch = []
    if batch:
        _mark_batch(client, settings, batch, status, by, note, result)
    if refresh:
        client.indices.refresh(
            index=[
                _alias(settings, "hit"),
                templates.alias_name(settings.index_prefix, "review-log"),
            ]
        )
    return result


def _mark_batch(
    client, settings, batch: list[Target], status, by, note, result: MarkResult
) -> None:
    todo: list[Target] = []
    for target in batch:
        if target.status == status:
            result.unchanged.append(target.id)
        elif not is_allowed("hit", target.status, status):
            result.refused[target.status] += 1
        else:
            todo.append(target)
    if not todo:
        return
    at = documents.now_iso()
    actions = [
        {
            "_op_type": "update",
            "_index": t.index,
            "_id": t.id,
            "if_seq_no": t.seq_no,
            "if_primary_term": t.primary_term,
            "doc": {"review": _review_fields(t.status, status, by, note, at)},
        }
        for t in todo
    ]
    conflicted: set[str] = set()
    failed: list[str] = []
    for ok, item in helpers.streaming_bulk(
        client, actions, chunk_size=PAGE_SIZE, raise_on_error=False, max_retries=3
    ):
        if ok:
            continue
        info = item.get("update", {})
        if info.get("status") == 409:
            conflicted.add(info.get("_id"))
        else:
            failed.append(f"{info.get('_id')}: {info.get('error')}")
    if failed:
        raise IndexerError(f"{len(failed)} hits could not be marked: {failed[0]:.300}")
    logs = []
    for t in todo:
        if t.id in conflicted:
            continue
        result.changed.append(Change("hit", t.id, t.status, status, by, at, t.label))
        logs.append(_log_document(t, t.status, status, by, note, at))
    _append_log(client, settings, logs)
    # Someone else changed these in the meantime: decide again on what they hold now.
    for target in _fetch(client, settings, "hit", sorted(conflicted)).values():
        try:
            change = _apply(client, settings, target, status, by, note)
        except TransitionRefused:
            result.refused[target.status] += 1
            continue
        if change is None:
            result.unchanged.append(target.id)
        else:
            result.changed.append(change)


# --- the one automatic change ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    """Fraud seen on a taken-down site after the takedown decision."""

    site_id: str
    url: str | None
    seen_at: str
    rule: str | None = None


def _latest_findings(
    client: Elasticsearch, settings: Settings, sites: Mapping[str, str]
) -> dict[str, Recurrence]:
    """For each site id -> decision time, its newest active medium/high finding after it."""
    if not sites:
        return {}
    hits_alias = templates.alias_name(settings.index_prefix, "hits")
    # The caller indexed the findings moments ago; make them searchable (only reached for
    # taken-down sites, so this stays rare).
    client.indices.refresh(index=hits_alias)
    found: dict[str, Recurrence] = {}
    for site_id, decided_at in sites.items():
        resp = client.search(
            index=hits_alias,
            size=1,
            query={
                "bool": {
                    "filter": [
                        {"term": {"site.id": site_id}},
                        {"terms": {"scan.level": list(FRAUD_LEVELS)}},
                        {"range": {"last_seen": {"gt": decided_at}}},
                    ],
                    "must_not": [
                        {"term": {"hit.active": False}},
                        {"term": {"review.status": "false_positive"}},
                    ],
                }
            },
            sort=[{"last_seen": "desc"}],
            source_includes=["url.full", "last_seen", "rule.id"],
        )
        docs = resp["hits"]["hits"]
        if docs:
            src = docs[0]["_source"]
            found[site_id] = Recurrence(
                site_id,
                (src.get("url") or {}).get("full"),
                src.get("last_seen"),
                (src.get("rule") or {}).get("id"),
            )
    return found


def raise_recurred(
    client: Elasticsearch,
    settings: Settings,
    site_ids: Iterable[str],
    *,
    evidence: Mapping[str, Recurrence] | None = None,
) -> list[Change]:
    """Mark ``recurred`` every taken-down site among `site_ids` that shows fraud again.

    Call it after a crawl (or retro-scan) has indexed a site's findings. A site counts as
    showing fraud again when it has an active medium/high hit, not dismissed as a false
    positive, seen after the takedown decision (``review.at``); pass `evidence` to skip that
    search when the caller already knows. Any other status is left alone: recrawls never
    change a reviewer's decision. Returns the changes made (also in the review log).
    """
    wanted = sorted({s for s in site_ids if s})
    if not wanted:
        return []
    targets = {
        sid: t
        for sid, t in _fetch(client, settings, "site", wanted).items()
        if t.status == "taken_down"
    }
    if not targets:
        return []
    if evidence is None:
        decided = {
            sid: (t.source.get("review") or {}).get("at") or "1970-01-01T00:00:00Z"
            for sid, t in targets.items()
        }
        evidence = _latest_findings(client, settings, decided)
    changes = []
    for sid, target in targets.items():
        seen = evidence.get(sid)
        if seen is None:
            continue
        note = f"fraud seen again after takedown: {seen.url or '?'} at {seen.seen_at}" + (
            f" (rule {seen.rule})" if seen.rule else ""
        )
        change = _apply(
            client,
            settings,
            target,
            "recurred",
            SYSTEM_REVIEWER,
            note[:MAX_NOTE_CHARS],
            automatic=True,
        )
        if change is not None:
            changes.append(change)
    return changes


# --- history -----------------------------------------------------------------------------------------


def history(
    client: Elasticsearch,
    settings: Settings,
    target_type: TargetType,
    target_id: str,
    size: int = 100,
) -> list[dict[str, Any]]:
    """The review log of one target, oldest first."""
    resp = client.search(
        index=templates.alias_name(settings.index_prefix, "review-log"),
        query={
            "bool": {
                "filter": [
                    {"term": {"target.type": target_type}},
                    {"term": {"target.id": target_id}},
                ]
            }
        },
        sort=[{"@timestamp": "asc"}],
        size=size,
    )
    return [d["_source"] for d in resp["hits"]["hits"]]
