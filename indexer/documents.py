"""Elasticsearch documents built from the crawler's page items and the site registry.

A page reaches this module as a plain mapping (:class:`PageFields`): the crawler hands its
typed page item over as one (``crawler.items.PageItem.as_fields``), the retro-scan rebuilds one
from a stored page. The indexer is the lower floor and never imports the crawler.

All item → document mapping lives here, so the crawler's pipeline stays a thin adapter and the
field layout is written down in one place (the mappings in ``indexer/mappings/`` must agree;
``tests/indexer/test_documents.py`` checks every field we emit is mapped).

Each builder returns :class:`Document` objects: the kind of index, the id, the body, and the
fields that are written only when the document is first created (``review.status: new``,
``first_seen``). Bodies always carry every key they own, with ``None`` for "no value", because
the writer sends them as partial updates: a key left out would keep a stale value from the last
crawl, while ``None`` clears it.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict
from urllib.parse import urlsplit

from ground.blocks import BlockKind
from ground.levels import LEVELS, Level
from ground.urls import canonical_url, hit_id, page_id, site_id

ECS_VERSION = "8.17.0"
INITIAL_REVIEW_STATUS = "new"

# Caps keep one hostile page from producing a document Elasticsearch refuses or chokes on
# (http.max_content_length, highlighting's 1M-offset limit, nested_objects.limit).
MAX_TEXT_CHARS = 500_000
MAX_FIELD_CHARS = 10_000
MAX_POSTS = 1_000
MAX_POST_CHARS = 20_000
MAX_ENTITIES = 1_000
MAX_LIST_ITEMS = 500

SITE_FIELDS = ("id", "name", "url", "domain", "icp", "district", "type", "owner", "render_js")


@dataclass(frozen=True)
class Document:
    """One document to write: where it goes, its id, and what it holds."""

    kind: str  # "pages" | "hits" | "sites" | "crawls" | "review-log"
    id: str
    body: dict[str, Any]
    #: Written only when the document does not exist yet (never overwrites a reviewer's work).
    insert_only: dict[str, Any] = field(default_factory=dict)
    #: How the writer sends it: "upsert" (partial update, created with `insert_only` when
    #: missing), "update" (partial update of an existing document only), "index" (replace the
    #: whole document) or "create" (append-only: a second copy with the same id is refused).
    op: str = "upsert"


# --- pages -----------------------------------------------------------------------------------


class PageFields(TypedDict, total=False):
    """What the page and hit builders read of a crawled page (every key may be missing)."""

    url: str  # required by page_document and hit_documents
    original_url: str | None
    run_id: str | None
    site: dict[str, Any] | None  # the registry row
    status: int | None
    fetched_at: str | None
    depth: int | None
    rendered: bool
    charset: str | None
    charset_source: str | None
    title: str | None
    text: str | None
    description: str | None
    keywords: list[str]
    icp: str | None
    links: list[dict[str, Any]]  # {"url", "text", "internal"}
    apk_links: list[str]
    qr_images: list[str]
    forum: dict[str, Any] | None
    posts: list[dict[str, Any]]
    content_hash: str | None
    external_link_text: str | None  # the off-site anchor texts (the link_text block)
    blocks: list[Any]  # the page model's blocks (ground.blocks.Block)
    scan: dict[str, Any] | None  # the rule engine's result as a dict (None: not scanned)
    rule_fingerprint: str | None  # when the scan result does not carry its own


def page_document(item: PageFields) -> Document:
    """The page's document (one per canonical URL) from a crawled, scanned page item."""
    url = canonical_url(item["url"])
    fetched_at = iso_time(item.get("fetched_at")) or now_iso()
    text = item.get("text") or ""
    scan = item.get("scan")
    links = item.get("links") or []
    external_domains = _unique(
        (urlsplit(link.get("url", "")).hostname or "") for link in links if not link.get("internal")
    )
    body = {
        "@timestamp": fetched_at,
        "ecs": {"version": ECS_VERSION},
        "event": _event("event", "wuzha.pages", ["web"]),
        "url": url_fields(url, original=item.get("original_url")),
        "http": {"response": {"status_code": _int(item.get("status"))}},
        "page": {
            "title": _cap(item.get("title")),
            "text": text[:MAX_TEXT_CHARS],
            "description": _cap(item.get("description")),
            "keywords": _strings(item.get("keywords"), limit=MAX_LIST_ITEMS, size=256),
            "charset": item.get("charset"),
            "charset_source": item.get("charset_source"),
            "content_hash": item.get("content_hash"),
            "rendered": bool(item.get("rendered")),
            "depth": _int(item.get("depth")),
            "icp": item.get("icp"),
            "text_length": len(text),
            "text_truncated": len(text) > MAX_TEXT_CHARS,
            "links": {
                "internal": sum(1 for link in links if link.get("internal")),
                "external": sum(1 for link in links if not link.get("internal")),
                "external_domains": external_domains[:MAX_LIST_ITEMS],
            },
            "apk_links": _strings(item.get("apk_links"), limit=MAX_LIST_ITEMS),
            "qr_images": _strings(item.get("qr_images"), limit=MAX_LIST_ITEMS),
            # searchable parts of the page besides its main text: planted link spam lives there
            "external_link_text": _cap(item.get("external_link_text")) or None,
            "hidden_text": _cap(_joined(item.get("blocks"), BlockKind.HIDDEN)) or None,
            # every block, for a retro-scan that reads the page as the sweep did
            "blocks": _blocks(item.get("blocks")),
        },
        "forum": _forum(item.get("forum")),
        "posts": [_post(p) for p in (item.get("posts") or [])[:MAX_POSTS]],
        **scan_result_fields(scan, item, fetched_at),
        "site": site_fields(item.get("site")),
        "crawl": {"run_id": item.get("run_id")},
        "last_seen": fetched_at,
    }
    return Document(
        "pages",
        page_id(url),
        body,
        insert_only={"review": {"status": INITIAL_REVIEW_STATUS}, "first_seen": fetched_at},
    )


def hit_documents(item: PageFields) -> list[Document]:
    """One document per rule that hit the page (several hits of one rule are folded into one:
    the strongest gives the snippet and offsets, `hit.occurrences` counts them all)."""
    scan = item.get("scan") or {}
    hits = scan.get("hits") or []
    if not hits:
        return []
    url = canonical_url(item["url"])
    pid = page_id(url)
    fetched_at = iso_time(item.get("fetched_at")) or now_iso()
    posts = {p.get("index"): p for p in item.get("posts") or [] if isinstance(p, dict)}
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for hit in hits:
        by_rule.setdefault(str(hit["rule_id"]), []).append(hit)
    page_scan = {
        "score": _float(scan.get("score")),
        "level": scan.get("level"),
        "categories": list(scan.get("categories") or []),
        "context": list(scan.get("context") or []),
        "rule_fingerprint": scan.get("rule_fingerprint") or item.get("rule_fingerprint"),
        "scanned_at": iso_time(scan.get("scanned_at")) or fetched_at,
    }
    docs = []
    for rule_id, group in by_rule.items():
        best = max(
            group, key=lambda h: (_float(h.get("weight")) or 0.0, -(_int(h.get("start")) or 0))
        )
        post = posts.get(best.get("post_index")) if best.get("post_index") is not None else None
        body = {
            "@timestamp": fetched_at,
            "ecs": {"version": ECS_VERSION},
            "event": _event("alert", "wuzha.hits", ["web"]),
            "rule": {
                "id": rule_id,
                "version": _int(best.get("rule_version")),
                "title": _cap(best.get("title"), 1024),
                "category": best.get("category"),
                "level": best.get("level"),
            },
            "hit": {
                "weight": _float(best.get("weight")),
                "matched": _unique(m for h in group for m in h.get("matched") or [])[
                    :MAX_LIST_ITEMS
                ],
                "snippet": _cap(best.get("snippet")),
                "start": _int(best.get("start")),
                "end": _int(best.get("end")),
                "occurrences": len(group),
                "field": best.get("field") or "paragraph",  # the kind of block the hit is in
                "active": True,
            },
            "post": (
                {
                    "index": _int(best.get("post_index")),
                    "author": _cap((post or {}).get("author"), 256),
                    "time": _cap((post or {}).get("time"), 256),
                }
                if best.get("post_index") is not None
                else None
            ),
            "page_id": pid,
            "page": {"title": _cap(item.get("title"))},
            "scan": page_scan,
            "url": url_fields(url, original=item.get("original_url")),
            "site": site_fields(item.get("site")),
            "crawl": {"run_id": item.get("run_id")},
            "last_seen": fetched_at,
        }
        docs.append(
            Document(
                "hits",
                hit_id(pid, rule_id),
                body,
                insert_only={"review": {"status": INITIAL_REVIEW_STATUS}, "first_seen": fetched_at},
            )
        )
    return docs


def retired_hit_document(hit_doc_id: str) -> Document:
    """A partial update marking a hit whose rule no longer matches its page. Only
    ``hit.active`` changes: ``last_seen`` keeps when it was last true, the review stays."""
    return Document("hits", hit_doc_id, {"hit": {"active": False}}, op="update")


# --- sites -----------------------------------------------------------------------------------


def site_document(site: dict[str, Any], risk: dict[str, Any] | None = None) -> Document:
    """The site's registry row, plus its aggregated risk when a crawl provides one.

    Without `risk` the document carries no ``risk`` key, so importing the registry again keeps
    the risk computed by the last crawl. Risk keys the caller leaves out are kept as well (e.g.
    ``fraud_first_seen``, which only the writer sets, once).
    """
    fields = site_fields(site)
    body: dict[str, Any] = {
        "@timestamp": now_iso(),
        "ecs": {"version": ECS_VERSION},
        "event": _event("state", "wuzha.sites", ["web"]),
        "site": fields,
        "url": url_fields(fields["url"]) if fields.get("url") else None,
    }
    if risk is not None:
        body["risk"] = _risk(risk)
    if risk is not None and risk.get("run_id"):
        body["crawl"] = {"run_id": risk["run_id"]}
    return Document(
        "sites", fields["id"], body, insert_only={"review": {"status": INITIAL_REVIEW_STATUS}}
    )


def site_fields(site: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``site.*`` block (registry row) that pages, hits and sites carry."""
    if not site:
        return None
    out = {key: site.get(key) for key in SITE_FIELDS}
    if out["url"] and not out["id"]:
        out["id"] = site_id(out["url"])
    out["render_js"] = bool(out["render_js"])
    for key in ("name", "owner"):
        out[key] = _cap(out[key], 1024)
    if not out["id"]:
        raise ValueError(f"site has neither an id nor a url: {site!r:.200}")
    return out


def _risk(risk: dict[str, Any]) -> dict[str, Any]:
    known = {
        "max_score": _float(risk.get("max_score")),
        "max_level": risk.get("max_level"),
        "fraud_pages": _int(risk.get("fraud_pages")),
        "pages_crawled": _int(risk.get("pages_crawled")),
        "hits": _int(risk.get("hits")),
        "categories": _strings(risk.get("categories"), limit=MAX_LIST_ITEMS),
        "entity_keys": _strings(risk.get("entity_keys"), limit=MAX_LIST_ITEMS, size=1024),
        "last_crawled": iso_time(risk.get("last_crawled")),
        "last_error": _cap(risk.get("last_error"), 1024),
    }
    out = {k: v for k, v in known.items() if k in risk}
    for key in ("fraud_first_seen", "fraud_last_seen"):
        if risk.get(key):
            out[key] = iso_time(risk[key])
    return out


# --- crawl runs and the review log -------------------------------------------------------------

_CRAWL_NUMBERS = (
    "sites_total",
    "sites_done",
    "sites_failed",
    "pages",
    "hits",
    "errors",
)


def crawl_document(run: dict[str, Any]) -> Document:
    """A crawl run's document. `run` holds ``run_id``, ``started``, ``ended``, ``status``,
    figures (``sites_total``, ``sites_done``, ``sites_failed``, ``pages``, ``hits``,
    ``hits_by_level``, ``errors``, ``pages_per_second``), ``rule_fingerprint``, ``failures``
    ([{site_id, site, reason}]), ``options`` (stored, not indexed) and ``stats`` (flat counters).
    Any other key lands in ``crawl.stats`` so nothing the crawler reports is dropped."""
    run_id = str(run["run_id"])
    started = iso_time(run.get("started") or run.get("started_at"))
    ended = iso_time(run.get("ended") or run.get("ended_at"))
    crawl: dict[str, Any] = {
        "run_id": run_id,
        "status": run.get("status"),
        "started": started,
        "ended": ended,
        "duration_seconds": _duration(started, ended),
        "hits_by_level": {
            k: _int(v)
            for k, v in (run.get("hits_by_level") or {}).items()
            if k in LEVELS and k != Level.NONE
        },
        "pages_per_second": _float(run.get("pages_per_second")),
        "rule_fingerprint": run.get("rule_fingerprint"),
        "failures": [
            {
                "site_id": f.get("site_id"),
                "site": _cap(f.get("site"), 1024),
                "reason": _cap(f.get("reason"), 1024),
            }
            for f in (run.get("failures") or [])[:MAX_LIST_ITEMS]
        ],
        "options": run.get("options") or {},
    }
    for key in _CRAWL_NUMBERS:
        crawl[key] = _int(run.get(key))
    known = set(crawl) | {"started_at", "ended_at", "stats"}
    stats = dict(run.get("stats") or {})
    stats.update({k: v for k, v in run.items() if k not in known})
    crawl["stats"] = _flat_stats(stats)
    event = _event("event", "wuzha.crawls", ["process"])
    event.update({"start": started, "end": ended})
    return Document(
        "crawls",
        run_id,
        {
            "@timestamp": started or now_iso(),
            "ecs": {"version": ECS_VERSION},
            "event": event,
            "crawl": crawl,
        },
        op="index",
    )


def review_log_document(
    *,
    target_type: str,
    target_id: str,
    status: str,
    previous_status: str | None,
    by: str,
    note: str | None = None,
    at: datetime | str | None = None,
    site: dict[str, Any] | None = None,
    url: str | None = None,
    rule_id: str | None = None,
) -> Document:
    """One entry of the append-only review history. Its id is random but fixed at creation,
    so a spooled entry replayed twice is still one entry (``create`` refuses the second)."""
    when = iso_time(at) or now_iso()
    event = _event("event", "wuzha.review", ["configuration"])
    event["action"] = "review-mark"
    body = {
        "@timestamp": when,
        "ecs": {"version": ECS_VERSION},
        "event": event,
        "target": {"type": target_type, "id": target_id},
        "review": {
            "status": status,
            "previous_status": previous_status,
            "by": by,
            "note": note,
            "at": when,
        },
        "site": site_fields(site),
        "url": url_fields(url) if url else None,
        "rule": {"id": rule_id} if rule_id else None,
    }
    return Document("review-log", uuid.uuid4().hex, body, op="create")


# --- shared pieces -----------------------------------------------------------------------------


def url_fields(url: str, original: str | None = None) -> dict[str, Any]:
    """ECS ``url.*`` of `url` (already canonical for pages; registry URLs as given)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return {
        "full": url,
        "original": original if original and original != url else None,
        "scheme": parts.scheme or None,
        "domain": parts.hostname,
        "port": port,
        "path": parts.path or None,
        "query": parts.query or None,
    }


def now_iso() -> str:
    return iso_time(datetime.now(UTC))  # type: ignore[return-value]


def iso_time(value: datetime | str | None) -> str | None:
    """ISO-8601 in UTC (naive datetimes are taken as UTC); strings pass through."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value)


def _event(kind: str, dataset: str, category: list[str]) -> dict[str, Any]:
    return {
        "kind": kind,
        "category": category,
        "dataset": dataset,
        "module": "wuzha",
        "created": now_iso(),
    }


def scan_result_fields(
    scan: dict[str, Any] | None, item: PageFields, fetched_at: str
) -> dict[str, Any]:
    """The page fields a scan owns — ``scan``, ``entities``, ``entity_keys`` — from the scan
    result dict (``None`` / empty when the page was not scanned: old values are cleared)."""
    if scan is None:
        return {"scan": None, "entities": None, "entity_keys": []}
    hits = scan.get("hits") or []
    entities = entity_counts(scan.get("entities") or [])
    return {
        "scan": {
            "score": _float(scan.get("score")),
            "level": scan.get("level"),
            "categories": list(scan.get("categories") or []),
            "context": list(scan.get("context") or []),
            "reasons": [_cap(r, 2000) for r in scan.get("reasons") or []],
            "rule_ids": _unique(str(h["rule_id"]) for h in hits),
            "hit_count": len(hits),
            "rule_fingerprint": scan.get("rule_fingerprint") or item.get("rule_fingerprint"),
            "scanned_at": iso_time(scan.get("scanned_at")) or fetched_at,
        },
        "entities": entities,
        "entity_keys": [f"{e['type']}:{e['value']}" for e in entities],
    }


def entity_counts(raw: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's distinct (type, value) entities with how often each occurs."""
    counts: Counter[tuple[str, str]] = Counter()
    for entity in raw:
        kind, value = entity.get("type"), entity.get("value")
        if kind and value:
            counts[(str(kind), str(value)[:1024])] += 1
    return [
        {"type": kind, "value": value, "count": n}
        for (kind, value), n in list(counts.items())[:MAX_ENTITIES]
    ]


def _forum(forum: dict[str, Any] | None) -> dict[str, Any] | None:
    if not forum:
        return None
    return {
        "engine": forum.get("engine"),
        "kind": forum.get("kind"),
        "board_id": _str_or_none(forum.get("board_id")),
        "thread_id": _str_or_none(forum.get("thread_id")),
        "page": _int(forum.get("page")),
    }


def _blocks(blocks: Iterable[Any] | None) -> list[dict[str, Any]]:
    out = []
    size = 0
    for block in blocks or ():
        size += len(block.text)
        if size > MAX_TEXT_CHARS * 2:
            break  # a hostile page's hundred thousand blocks stop here
        out.append(
            {"kind": str(block.kind), "text": block.text, "start": block.start, "end": block.end}
        )
    return out


def _joined(blocks: Iterable[Any] | None, kind: BlockKind) -> str:
    return "\n".join(b.text for b in blocks or () if b.kind == kind)


def _post(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": _int(post.get("index")),
        "author": _cap(post.get("author"), 256),
        "time": _cap(post.get("time"), 256),
        "text": _cap(post.get("text"), MAX_POST_CHARS),
        "start": _int(post.get("start")),
        "end": _int(post.get("end")),
    }


_STAT_KEY = re.compile(r"[.\s]+")


def _flat_stats(stats: dict[str, Any]) -> dict[str, Any]:
    # Dots would turn a counter name into an object path ("a.b" vs "a"): a mapping conflict.
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, datetime):
            value = iso_time(value)
        elif isinstance(value, (dict, list, tuple, set)):
            continue  # structured values belong in named fields, not in counters
        elif value is not None and not isinstance(value, (int, float, str, bool)):
            value = str(value)
        out[_STAT_KEY.sub("_", str(key))[:200]] = value
    return out


def _duration(started: str | None, ended: str | None) -> float | None:
    if not started or not ended:
        return None
    try:
        a = datetime.fromisoformat(started)
        b = datetime.fromisoformat(ended)
    except ValueError:
        return None
    return round((b - a).total_seconds(), 3)


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for v in values:
        if v not in (None, ""):
            seen.setdefault(v, None)
    return list(seen)


def _strings(values: Any, *, limit: int, size: int = 8191) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return _unique(str(v)[:size] for v in values)[:limit]


def _cap(value: Any, size: int = MAX_FIELD_CHARS) -> str | None:
    if value is None:
        return None
    return str(value)[:size]


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
