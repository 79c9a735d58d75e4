"""The bulk writer the crawler's pipeline (and retro-scan) write through.

    writer = BulkWriter(settings)          # checks the cluster, sets up indices if needed,
                                           # replays what an earlier run spooled
    writer.index_page(item)                # the page and its hits
    writer.upsert_site(site, risk)         # registry row + aggregated risk
    writer.index_crawl(run)                # the crawl run's figures
    stats = writer.close()                 # {"es/indexed": …, "es/failed/<reason>": …}

Documents are buffered and sent in chunks of ``bulk_chunk_size``. When Elasticsearch is away,
batches go to the spool instead and the writer stops trying for ``offline_retry_seconds`` (so a
dead cluster costs one failed connection per interval, not one per page); when it answers
again, the spool is replayed before new documents, so an older version never overwrites a newer.
``writer.on_flushed``, when set, is called with the documents of each batch once the batch is
durably handled (sent, refused and recorded, or spooled): the crawler journals those pages as
indexed, so a killed crawl knows which buffered pages never reached the index.
Misconfiguration found at start (bad credentials, TLS, not Elasticsearch) raises
:class:`~indexer.errors.IndexerError` at once: spooling would only hide it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from ground.levels import FRAUD_LEVELS
from ground.settings import Settings
from ground.urls import hit_id
from indexer.bulk import BulkSender, SendResult, action_for
from indexer.client import connect, resolve_url
from indexer.documents import (
    Document,
    PageFields,
    crawl_document,
    hit_documents,
    iso_time,
    page_document,
    retired_hit_document,
    site_document,
)
from indexer.errors import IndexerError, SpoolUnwritable, describe, is_unreachable
from indexer.setup import ensure_ready
from indexer.spool import Spool, count_lines, replay
from indexer.templates import alias_name

log = logging.getLogger(__name__)

MAX_REPORTED_FAILURES = 100  # kept in memory for the closing report; all of them are on disk


class BulkWriter:
    """Buffers documents and writes them in bulk; spools what cannot be written."""

    def __init__(
        self,
        settings: Settings,
        client: Elasticsearch | None = None,
        *,
        replay_on_start: bool = True,
        offline_retry_seconds: float = 30.0,
    ) -> None:
        self.settings = settings
        self.prefix = settings.index_prefix
        self.url = resolve_url(settings)
        self.client = client or connect(settings, check=False)
        self.sender = BulkSender(settings, self.client)
        self.spool = Spool(settings.spool_path)
        self.stats: Counter[str] = Counter()
        self.failures: list[dict[str, Any]] = []
        self.offline_reason: str | None = None
        self._offline_retry_seconds = offline_retry_seconds
        self._offline_until = 0.0
        self._buffer: list[Document] = []
        self._page_hits: dict[str, set[str]] = {}
        self._spooled = False  # something of ours (or an earlier run's) waits in the spool
        self._spool_files: list[Path] = []  # the batch files this writer wrote
        self._closed = False
        #: Called with each batch's documents after the batch was sent or spooled.
        self.on_flushed: Callable[[list[Document]], None] | None = None
        self._start(replay_on_start)

    # --- public API ------------------------------------------------------------------------

    def index_page(self, item: PageFields) -> str:
        """Queue a crawled page and its hits; returns the page id. Hits this page had before
        whose rules no longer match are marked ``hit.active: false`` (reviews kept)."""
        page = page_document(item)
        hits = hit_documents(item)
        self._page_hits[page.id] = {h.id for h in hits}
        self.add(page, *hits)
        return page.id

    def upsert_site(self, site: dict[str, Any], risk: dict[str, Any] | None = None) -> str:
        """Queue a site's registry row and, from a crawl, its risk; returns the site id.

        With fraud in `risk` (``fraud_pages`` > 0 or ``max_level`` medium/high),
        ``risk.fraud_last_seen`` moves to this crawl and ``risk.fraud_first_seen`` is set the
        first time only.
        """
        risk = dict(risk) if risk else None
        doc = site_document(site, risk)
        if risk is not None and _has_fraud(risk):
            seen = iso_time(risk.get("fraud_last_seen") or risk.get("last_crawled")) or _now()
            doc.body["risk"]["fraud_last_seen"] = seen
            if not risk.get("fraud_first_seen"):
                known = self._site_has_first_seen(doc.id)
                if known is False:
                    doc.body["risk"]["fraud_first_seen"] = seen
                elif known is None:  # cannot look: a new document gets it, an old one keeps its own
                    doc.insert_only["risk"] = {"fraud_first_seen": seen}
        self.add(doc)
        return doc.id

    def index_crawl(self, run: dict[str, Any]) -> str:
        """Write a crawl run's document now (start, progress or end of a run)."""
        doc = crawl_document(run)
        self.add(doc)
        self.flush()
        return doc.id

    def add(self, *docs: Document) -> None:
        """Queue any documents (retro-scan, review log); sent when the buffer is full."""
        if self._closed:
            raise RuntimeError("BulkWriter is closed")
        self._buffer.extend(docs)
        if len(self._buffer) >= self.settings.bulk_chunk_size:
            self.flush()

    def flush(self) -> None:
        """Send what is buffered (or spool it when Elasticsearch is away). When the spool
        cannot take it either (:class:`~indexer.errors.SpoolUnwritable`), the documents stay
        in the buffer and the error is raised: nothing is dropped on the floor."""
        docs, page_hits = self._buffer, self._page_hits
        if not docs:
            return
        self._write(docs, page_hits)
        # Only now: a failed write keeps them (ids are fixed, so a part that did reach
        # Elasticsearch and is sent again changes nothing).
        self._buffer, self._page_hits = [], {}
        if self.on_flushed is not None:
            self.on_flushed(docs)

    def _write(self, docs: list[Document], page_hits: dict[str, set[str]]) -> None:
        actions = [action_for(doc, self.prefix) for doc in docs]
        if self._is_offline():
            self._to_spool(actions)
            return
        if self._spooled:
            self._replay()
            if self._is_offline():
                self._to_spool(actions)
                return
        actions.extend(self._retire_actions(page_hits))
        self._absorb(self.sender.send(actions))

    def close(self) -> dict[str, int]:
        """Flush; return the stats (``es/indexed``, ``es/failed/<reason>``, ``es/spooled``…;
        ``es/spool_pending``: this writer's documents still in the spool)."""
        if not self._closed:
            self.flush()
            self._closed = True
            self.stats["es/spool_pending"] = self.spool_pending()
            self._log_summary()
        return dict(self.stats)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def offline(self) -> bool:
        """Elasticsearch was found away a moment ago: documents go to the spool for now."""
        return self._is_offline()

    @property
    def unsaved(self) -> int:
        """Documents in the buffer, neither sent nor spooled (after a failed flush)."""
        return len(self._buffer)

    def spool_pending(self) -> int:
        """How many of the documents this writer spooled still wait there (a replay during
        the run may have sent some or all of them)."""
        return sum(count_lines(path) for path in self._spool_files)

    def summary(self) -> list[str]:
        """Human-readable closing lines for an operator command."""
        s = self.stats
        written = (
            f"Elasticsearch: {s['es/indexed']} written "
            f"({s['es/created']} new, {s['es/updated']} updated, {s['es/noop']} unchanged)"
        )
        lines = [written]
        if s["es/replayed"]:
            lines.append(f"{s['es/replayed']} spooled document(s) from an earlier run replayed")
        if s["es/failed"]:
            reasons = ", ".join(
                f"{k.removeprefix('es/failed/')}: {v}"
                for k, v in s.items()
                if k.startswith("es/failed/")
            )
            lines.append(
                f"{s['es/failed']} document(s) refused by Elasticsearch ({reasons}); "
                f"details in {self.spool.rejected_dir}"
            )
        if s["es/spooled"]:
            why = f" ({self.offline_reason})" if self.offline_reason else ""
            lines.append(
                f"{s['es/spooled']} document(s) spooled in {self.spool.path}{why}; they are "
                "sent at the next run, or now with `wuzha es replay`"
            )
        return lines

    # --- internals -------------------------------------------------------------------------

    def _start(self, replay_on_start: bool) -> None:
        try:
            self.client.cluster.health()
            ensure_ready(self.settings, self.client)
        except IndexerError as err:
            if isinstance(err.__cause__, BaseException) and is_unreachable(err.__cause__):
                self._go_offline(err.__cause__)
                return
            raise
        except (TransportError, ApiError) as err:
            if is_unreachable(err):
                self._go_offline(err)
                return
            raise describe(err, self.url) from err
        if self.spool.files():
            self._spooled = True
            if replay_on_start:
                self._replay()

    def _replay(self) -> None:
        try:
            report = replay(self.settings, self.client, wait=False)
        except SpoolUnwritable:
            raise  # a disk problem (an IndexerError too), not Elasticsearch being away
        except IndexerError as err:
            self._go_offline(err.__cause__ or err)
            return
        self.stats["es/replayed"] += report.actions_sent
        for key, value in report.stats.items():
            if key.startswith("es/failed"):
                self.stats[key] += value
        self._remember_failures(report.rejected)
        if report.error:
            self._go_offline(report.error)
        elif not report.busy:
            self._spooled = report.remaining > 0

    def _absorb(self, result: SendResult) -> None:
        self.stats.update(result.stats)
        if result.rejected:
            self.spool.reject(result.rejected)
            self._remember_failures(result.rejected)
        if result.retry:
            self._to_spool(result.retry)
        if result.error is not None:
            self._go_offline(result.error)

    def _to_spool(self, actions: list[dict[str, Any]]) -> None:
        path = self.spool.write(actions)  # SpoolUnwritable: the caller keeps the documents
        if path is not None:
            self._spool_files.append(path)
        self.stats["es/spooled"] += len(actions)
        self._spooled = True

    def _go_offline(self, err: BaseException | str) -> None:
        if isinstance(err, BaseException):
            err = str(describe(err, self.url)) if not isinstance(err, IndexerError) else str(err)
        if self.offline_reason is None or not self._is_offline():
            log.warning("Elasticsearch unavailable, spooling documents: %s", err)
        self.offline_reason = err
        self.stats["es/offline"] += 1
        self._offline_until = time.monotonic() + self._offline_retry_seconds

    def _is_offline(self) -> bool:
        return time.monotonic() < self._offline_until

    def _retire_actions(self, page_hits: dict[str, set[str]]) -> list[dict[str, Any]]:
        """Partial updates for hits a page had at its last indexing but no longer has."""
        if not page_hits:
            return []
        try:
            found = self.client.mget(
                index=alias_name(self.prefix, "pages"),
                ids=list(page_hits),
                source_includes=["scan.rule_ids"],
            ).body["docs"]
        except (TransportError, ApiError) as err:
            # Best effort: the next crawl or retro-scan gets another chance.
            log.info("Could not check earlier hits of %d pages: %s", len(page_hits), err)
            self.stats["es/retire_check_failed"] += 1
            return []
        actions = []
        for doc in found:
            if not doc.get("found"):
                continue
            previous = ((doc.get("_source") or {}).get("scan") or {}).get("rule_ids") or []
            for rule_id in previous:
                old = hit_id(doc["_id"], rule_id)
                if old not in page_hits.get(doc["_id"], ()):
                    actions.append(action_for(retired_hit_document(old), self.prefix))
        self.stats["es/hits_retired"] += len(actions)
        return actions

    def _site_has_first_seen(self, doc_id: str) -> bool | None:
        """Whether the stored site already has ``risk.fraud_first_seen``; None when it cannot be
        looked up (Elasticsearch away)."""
        if self._is_offline():
            return None
        try:
            resp = self.client.options(ignore_status=404).get(
                index=alias_name(self.prefix, "sites"),
                id=doc_id,
                source_includes=["risk.fraud_first_seen"],
            )
        except (TransportError, ApiError):
            return None
        if not resp.body.get("found"):
            return False
        return bool(((resp.body.get("_source") or {}).get("risk") or {}).get("fraud_first_seen"))

    def _remember_failures(self, rejected: list[dict[str, Any]]) -> None:
        room = MAX_REPORTED_FAILURES - len(self.failures)
        for record in rejected[: max(room, 0)]:
            self.failures.append(
                {k: record[k] for k in ("id", "index", "status", "reason", "error")}
            )

    def _log_summary(self) -> None:
        for line in self.summary():
            log.info(line)


def _has_fraud(risk: dict[str, Any]) -> bool:
    return bool(risk.get("fraud_pages")) or risk.get("max_level") in FRAUD_LEVELS


def _now() -> str:
    return iso_time(datetime.now(UTC))  # type: ignore[return-value]
