"""Retro-scan: run the current rule packs again over page text already in Elasticsearch.

When rules change, the stored pages are scanned again without crawling:

- pages are read in bounded batches through a point in time and ``search_after`` (memory stays
  flat whatever the number of pages), only the fields a scan needs;
- each page's ``scan.*``, ``entities`` and ``entity_keys`` are replaced by a partial update that
  records the rule fingerprint and the scan time;
- a rule that now hits gets its hit document (created, or re-activated and refreshed); a hit
  whose rule no longer matches is marked ``hit.active: false`` — never deleted, so a reviewer's
  decision on it stays, and it comes back if the rule does;
- ``review.*`` is never written: new hit documents start as ``new`` (insert-only), existing ones
  keep their decision.

Writes go through :class:`indexer.writer.BulkWriter` (bulk, retries, spool). The run is recorded
in the crawls index (``crawl.options.kind: rescan`` with the rule versions), and taken-down sites
whose pages now show fraud seen after the takedown are raised to ``recurred``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from ground.levels import FRAUD_LEVELS
from ground.settings import Settings
from ground.urls import hit_id
from indexer import templates
from indexer.documents import (
    Document,
    hit_documents,
    iso_time,
    scan_result_fields,
)
from indexer.paging import search_batches
from indexer.recurrence import raise_recurred
from indexer.setup import setup
from indexer.writer import BulkWriter
from pagemodel.model import stored_page
from pagemodel.scan import scan_page

BATCH_SIZE = 250  # pages per search page; their text is the memory high-water mark
PIT_KEEP_ALIVE = "5m"
MAX_EXAMPLES = 20
_SOURCE = [
    "page.title",
    "page.text",
    "page.external_link_text",
    "page.blocks",
    "url.full",
    "url.original",
    "site",
    "@timestamp",
    "posts.index",
    "posts.author",
    "posts.time",
    "posts.start",
    "posts.end",
    "scan.level",
    "scan.score",
    "scan.rule_ids",
    "crawl.run_id",
]


@dataclass
class RescanReport:
    pages: int = 0
    pages_with_hits: int = 0
    new_hits: int = 0
    cleared_hits: int = 0
    level_changes: int = 0
    seconds: float = 0.0
    rule_fingerprint: str = ""
    rule_versions: dict[str, int] = field(default_factory=dict)
    new_examples: list[tuple[str, str]] = field(default_factory=list)  # (rule id, url)
    cleared_examples: list[tuple[str, str]] = field(default_factory=list)
    level_examples: list[tuple[str, str, str]] = field(default_factory=list)  # (url, old, new)
    recurred: list[str] = field(default_factory=list)  # site labels
    write_stats: dict[str, int] = field(default_factory=dict)
    run_id: str = ""

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def pages_query(since: datetime | None = None, site_ids: Iterable[str] | None = None) -> dict:
    filters: list[dict[str, Any]] = [{"exists": {"field": "page.text"}}]
    if since is not None:
        filters.append({"range": {"@timestamp": {"gte": iso_time(since)}}})
    if site_ids is not None:
        filters.append({"terms": {"site.id": sorted(set(site_ids))}})
    return {"bool": {"filter": filters}}


def count_pages(client: Elasticsearch, settings: Settings, query: dict) -> int:
    alias = templates.alias_name(settings.index_prefix, "pages")
    return int(client.count(index=alias, query=query)["count"])


def stored_pages(
    client: Elasticsearch, settings: Settings, query: dict, batch_size: int = BATCH_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Batches of stored pages (``_id`` + the fields a scan needs), point in time + search_after."""
    return search_batches(
        client,
        templates.alias_name(settings.index_prefix, "pages"),
        query,
        size=batch_size,
        keep_alive=PIT_KEEP_ALIVE,
        source_includes=_SOURCE,
        track_total_hits=False,
    )


def rescan_page(
    doc: dict[str, Any], engine: Any, scanned_at: str
) -> tuple[list[Document], set[str], set[str], str | None, str | None]:
    """The documents that bring one stored page up to the current rules, plus
    (new rule ids, cleared rule ids, old level, new level)."""
    src = doc["_source"]
    page = src.get("page") or {}
    url = (src.get("url") or {}).get("full") or ""
    old_scan = src.get("scan") or {}
    posts = src.get("posts") or []
    stored = stored_page(url, {**page, "posts": posts})
    scan = scan_page(engine, stored)
    scan["scanned_at"] = scanned_at
    fetched_at = src.get("@timestamp")
    item = {
        "url": url,
        "original_url": (src.get("url") or {}).get("original"),
        "run_id": (src.get("crawl") or {}).get("run_id"),
        "site": src.get("site"),
        "fetched_at": fetched_at,
        "title": page.get("title"),
        "posts": posts,
        "scan": scan,
    }
    page_update = Document(
        "pages", doc["_id"], scan_result_fields(scan, item, fetched_at or scanned_at), op="update"
    )
    hits = hit_documents(item) if url else []
    old_rules = set(old_scan.get("rule_ids") or [])
    new_rules = {str(h["rule_id"]) for h in scan["hits"]}
    cleared = old_rules - new_rules
    for hit_doc in hits:
        hit_doc.body["hit"]["retired_by"] = None  # back in force (it may have been retired)
    # Withdrawn by the rules, not by the page changing: the export leaves these out of every week.
    retired = [
        Document(
            "hits",
            hit_id(doc["_id"], rule_id),
            {"hit": {"active": False, "retired_by": "rescan"}},
            op="update",
        )
        for rule_id in sorted(cleared)
    ]
    return (
        [page_update, *hits, *retired],
        new_rules - old_rules,
        cleared,
        old_scan.get("level"),
        scan.get("level"),
    )


def rescan(
    client: Elasticsearch,
    settings: Settings,
    *,
    engine: Any = None,
    since: datetime | None = None,
    site_ids: Iterable[str] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    writer: BulkWriter | None = None,
) -> RescanReport:
    """Scan the stored pages again with `engine` (default: the current rule packs)."""
    if engine is None:
        from rules import load_engine

        engine = load_engine()
    started = datetime.now(UTC)
    scanned_at = iso_time(started) or ""
    report = RescanReport(
        rule_fingerprint=engine.fingerprint,
        rule_versions=dict(engine.rule_versions),
        run_id=f"rescan-{started.strftime('%Y%m%dT%H%M%SZ')}-{engine.fingerprint}",
    )
    # Retro-scans run after upgrades: bring the mappings up to date first (idempotent, additive),
    # or fields this version writes (hit.retired_by) would be refused by a strict mapping.
    setup(settings, client)
    query = pages_query(since, site_ids)
    own_writer = writer is None
    writer = writer or BulkWriter(settings, client)
    fraud_sites: set[str] = set()
    clock = time.perf_counter()
    # Three stages overlap: reading the next batch, scanning this one, writing the last one.
    # Scanning is CPU in this process; reading and writing mostly wait on Elasticsearch.
    # Bounded queues keep at most a few batches in memory.
    sink = _BackgroundWriter(writer)
    try:
        for batch in _prefetched(stored_pages(client, settings, query, batch_size)):
            out: list[Document] = []
            for doc in batch:
                docs, added, cleared, old_level, new_level = rescan_page(doc, engine, scanned_at)
                out.extend(docs)
                _account(report, doc, docs, added, cleared, old_level, new_level, fraud_sites)
            sink.put(out)
            if progress:
                progress(len(batch))
        sink.close()
    finally:
        sink.close()
        if own_writer:
            report.write_stats = writer.close()
    report.seconds = time.perf_counter() - clock
    _record_run(client, settings, report, started, since, site_ids)
    if fraud_sites:
        for change in raise_recurred(client, settings, fraud_sites):
            report.recurred.append(change.label)
    return report


def _account(report, doc, docs, added, cleared, old_level, new_level, fraud_sites) -> None:
    report.pages += 1
    url = ((doc["_source"].get("url") or {}).get("full")) or doc["_id"]
    if len(docs) > 1 + len(cleared):
        report.pages_with_hits += 1
    report.new_hits += len(added)
    report.cleared_hits += len(cleared)
    for rule_id in sorted(added)[: max(0, MAX_EXAMPLES - len(report.new_examples))]:
        report.new_examples.append((rule_id, url))
    for rule_id in sorted(cleared)[: max(0, MAX_EXAMPLES - len(report.cleared_examples))]:
        report.cleared_examples.append((rule_id, url))
    if (old_level or "none") != (new_level or "none"):
        report.level_changes += 1
        if len(report.level_examples) < MAX_EXAMPLES:
            report.level_examples.append((url, old_level or "none", new_level or "none"))
    if added and new_level in FRAUD_LEVELS:
        site_id = (doc["_source"].get("site") or {}).get("id")
        if site_id:
            fraud_sites.add(site_id)


_DONE = object()


def _prefetched(
    batches: Iterator[list[dict[str, Any]]], depth: int = 2
) -> Iterator[list[dict[str, Any]]]:
    """`batches`, read ahead by a thread (at most `depth` batches wait)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        q.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_DONE)
        except BaseException as err:  # noqa: BLE001 - handed to the consumer, raised there
            q.put(err)
        finally:
            close = getattr(batches, "close", None)
            if close and stop.is_set():
                close()

    thread = threading.Thread(target=read, name="rescan-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=30)


class _BackgroundWriter:
    """Hands batches of documents to the BulkWriter on its own thread (the writer itself is
    used by that thread only)."""

    def __init__(self, writer: BulkWriter, depth: int = 2) -> None:
        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.closed = False
        self.thread = threading.Thread(target=self._run, name="rescan-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            docs = self.queue.get()
            if docs is _DONE:
                return
            if self.error is None:
                try:
                    self.writer.add(*docs)
                except BaseException as err:  # noqa: BLE001 - re-raised in the scanning thread
                    self.error = err

    def put(self, docs: list[Document]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(docs)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.queue.put(_DONE)
        self.thread.join()
        if self.error is None:
            self.writer.flush()
        else:
            raise self.error


def _record_run(
    client: Elasticsearch,
    settings: Settings,
    report: RescanReport,
    started: datetime,
    since: datetime | None,
    site_ids: Iterable[str] | None,
) -> None:
    """One crawls-index document per retro-scan: when, which rules, what changed."""
    from indexer.documents import crawl_document

    doc = crawl_document(
        {
            "run_id": report.run_id,
            "status": "done",
            "started": started,
            "ended": datetime.now(UTC),
            "pages": report.pages,
            "hits": report.new_hits,
            "pages_per_second": round(report.pages_per_second, 1),
            "rule_fingerprint": report.rule_fingerprint,
            "options": {
                "kind": "rescan",
                "since": iso_time(since),
                "site_ids": sorted(site_ids) if site_ids is not None else None,
                "rule_versions": report.rule_versions,
            },
            "stats": {
                "rescan/new_hits": report.new_hits,
                "rescan/cleared_hits": report.cleared_hits,
                "rescan/level_changes": report.level_changes,
            },
        }
    )
    with BulkWriter(settings, client, replay_on_start=False) as writer:
        writer.add(doc)
