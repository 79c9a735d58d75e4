"""The registry's life cycle in the sites index: which sites are stored, what an import adds,
changes and retires, and writing that.

A site document's ``registry.status`` is ``active`` while the registry lists it and
``retired`` once an import with pruning no longer does (documents written before this field
existed, or by a crawl of a site list, count as active). A retired site keeps its document,
review decisions and review log; the sweep (``crawl --from-index``) and the takedown export
leave it out. Listed again by a later import, it is active again.

    stored = stored_sites(client, settings)             # every site document, as StoredSite
    plan = plan_import(stored, sites, prune=True)        # pure: what the import would do
    apply_import(writer, plan, sites)                    # write it (then refresh the index)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from elasticsearch import Elasticsearch

from ground.clock import iso_utc
from ground.settings import Settings
from indexer import templates
from indexer.documents import Document, site_document, site_fields
from indexer.paging import DOCS_PER_PAGE, IDS_PER_QUERY, chunks, search_all

ACTIVE, RETIRED = "active", "retired"
RegistryStatus = Literal["active", "retired"]
STATUSES: tuple[str, ...] = (ACTIVE, RETIRED)

#: The registry row's fields an import compares (``id`` is the key, not a field).
COMPARED_FIELDS = ("name", "url", "domain", "icp", "district", "type", "owner", "render_js")
NOT_RETIRED = {"bool": {"must_not": [{"term": {"registry.status": RETIRED}}]}}


@dataclass(frozen=True)
class StoredSite:
    """A site document as the registry commands show it."""

    id: str
    site: dict[str, Any]
    status: str  # active | retired
    review_status: str
    imported_at: str | None = None
    retired_at: str | None = None
    last_crawled: str | None = None

    @property
    def label(self) -> str:
        return f"{self.site.get('name') or self.id} <{self.site.get('url') or '?'}>"

    def as_json(self) -> dict[str, Any]:
        """The object `wuzha sites list --json` prints (times in UTC, ISO 8601)."""
        return {
            "id": self.id,
            **{key: self.site.get(key) for key in COMPARED_FIELDS},
            "status": self.status,
            "review_status": self.review_status,
            "imported_at": self.imported_at,
            "retired_at": self.retired_at,
            "last_crawled": self.last_crawled,
        }


def stored_site(doc_id: str, source: dict[str, Any]) -> StoredSite:
    registry = source.get("registry") or {}
    return StoredSite(
        id=doc_id,
        site=source.get("site") or {},
        status=RETIRED if registry.get("status") == RETIRED else ACTIVE,
        review_status=(source.get("review") or {}).get("status") or "new",
        imported_at=registry.get("imported_at"),
        retired_at=registry.get("retired_at"),
        last_crawled=(source.get("risk") or {}).get("last_crawled"),
    )


def stored_sites(
    client: Elasticsearch, settings: Settings, *, status: str | None = None
) -> list[StoredSite]:
    """Every site document (or those with `status`), by name then id. A missing sites index
    is an empty registry (nothing was imported yet); reading it sets nothing up."""
    alias = templates.alias_name(settings.index_prefix, "sites")
    if not client.indices.exists_alias(name=alias):
        return []
    query: dict[str, Any] = {"match_all": {}}
    if status == RETIRED:
        query = {"term": {"registry.status": RETIRED}}
    elif status == ACTIVE:
        query = NOT_RETIRED
    sites = [
        stored_site(hit["_id"], hit.get("_source") or {})
        for hit in search_all(
            client,
            alias,
            query,
            size=DOCS_PER_PAGE,
            source_includes=["site", "review.status", "registry", "risk.last_crawled"],
        )
    ]
    return sorted(sites, key=lambda s: (str(s.site.get("name") or ""), s.id))


def retired_ids(client: Elasticsearch, settings: Settings, site_ids: Iterable[str]) -> set[str]:
    """Which of `site_ids` are retired from the registry."""
    alias = templates.alias_name(settings.index_prefix, "sites")
    out: set[str] = set()
    for chunk in chunks(sorted(set(site_ids)), IDS_PER_QUERY):
        resp = client.search(
            index=alias,
            query={
                "bool": {
                    "filter": [{"ids": {"values": chunk}}, {"term": {"registry.status": RETIRED}}]
                }
            },
            size=len(chunk),
            _source=False,
        )
        out.update(hit["_id"] for hit in resp["hits"]["hits"])
    return out


@dataclass(frozen=True)
class Change:
    """A listed site whose stored record differs: (field, stored, listed) per field."""

    site: dict[str, Any]
    fields: tuple[tuple[str, Any, Any], ...]
    restored: bool = False  # it was retired and the registry lists it again

    @property
    def label(self) -> str:
        return f"{self.site.get('name') or self.site['id']} <{self.site.get('url') or '?'}>"

    def describe(self) -> str:
        parts = [f"{name} {_shown(old)} → {_shown(new)}" for name, old, new in self.fields]
        if self.restored:
            parts.insert(0, "listed again (was retired)")
        return "; ".join(parts)


@dataclass
class ImportPlan:
    """What importing a registry does to the sites index."""

    stored: int = 0  # site documents before the import
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    retired: list[StoredSite] = field(default_factory=list)  # retired by this import
    absent: list[StoredSite] = field(default_factory=list)  # active, not listed, kept (no prune)


def plan_import(
    stored: Iterable[StoredSite], sites: Iterable[dict[str, Any]], *, prune: bool
) -> ImportPlan:
    """Compare the registry's `sites` with the `stored` site documents. Without `prune`,
    stored sites the registry no longer lists stay active and are reported as absent."""
    by_id = {s.id: s for s in stored}
    plan = ImportPlan(stored=len(by_id))
    listed: set[str] = set()
    for site in sites:
        fields = site_fields(site) or {}
        listed.add(fields["id"])
        before = by_id.get(fields["id"])
        if before is None:
            plan.added.append(fields)
            continue
        differs = tuple(
            (name, before.site.get(name), fields.get(name))
            for name in COMPARED_FIELDS
            if before.site.get(name) != fields.get(name)
        )
        restored = before.status == RETIRED
        if differs or restored:
            plan.changed.append(Change(fields, differs, restored))
        else:
            plan.unchanged += 1
    for site in by_id.values():
        if site.id in listed or site.status == RETIRED:
            continue
        (plan.retired if prune else plan.absent).append(site)
    return plan


def import_documents(
    plan: ImportPlan, sites: Iterable[dict[str, Any]], *, now: str | None = None
) -> list[Document]:
    """The documents that carry out `plan`: every listed site (its row, active, imported now;
    review and risk untouched) and a retirement for each site the plan retires."""
    now = now or iso_utc()
    docs = []
    for site in sites:
        doc = site_document(site)
        doc.body["registry"] = {"status": ACTIVE, "imported_at": now, "retired_at": None}
        docs.append(doc)
    for site in plan.retired:
        docs.append(
            Document(
                "sites",
                site.id,
                {"registry": {"status": RETIRED, "retired_at": now}},
                op="update",  # never creates a document: the site is stored, or gone meanwhile
            )
        )
    return docs


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
