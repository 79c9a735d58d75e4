"""Item pipelines: thin adapters from the sweep's page items to the rule engine (`rules`),
Elasticsearch (`indexer`) and the result files (`crawler.output`, `crawler.report`).

    ITEM_PIPELINES = {
        "crawler.pipelines.ScanPipeline": 300,    # item.scan = engine.scan(...).to_dict()
        "crawler.pipelines.IndexPipeline": 400,   # pages + hits, site risk + verdicts, run → ES
        "crawler.pipelines.OutputPipeline": 500,  # WUZHA_OUT_DIR: jsonl, summary.json, report
    }

IndexPipeline switches itself off (``NotConfigured``) when no Elasticsearch is configured, and
OutputPipeline when ``WUZHA_OUT_DIR`` is empty: a crawl without Elasticsearch still writes its
files. Settings read: ``WUZHA_SETTINGS`` (the run's :class:`ground.settings.Settings`, else
``get_settings()``), ``WUZHA_OUT_DIR``, ``WUZHA_RESUME``. The closing work (site risk, the
crawl-run document, summary.json, report.html) happens on ``spider_closed``, after the crawl
state (:class:`crawler.crawlstate.CrawlState`) has settled its ``site_states``; the Elasticsearch
side of it is :mod:`indexer.site_risk`.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler.crawlstate import CrawlState
from crawler.extensions.pageworkers import PageWorkers, PageWorkFailed
from crawler.items import PageItem
from crawler.output import (
    JsonLines,
    atomic_write,
    finding_record,
    page_record,
    site_record,
    write_jsonl,
)
from crawler.report import write_report
from crawler.tally import FINISHED_OK, SweepTally
from ground.clock import office_zone
from indexer import site_risk
from indexer.errors import SpoolUnwritable
from pagemodel.scan import attach_posts, scan_page

__all__ = ["IndexPipeline", "OutputPipeline", "ScanPipeline", "attach_posts"]

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _config(crawler: Any) -> Any:
    from crawler.projectsettings import project_settings

    return project_settings(crawler.settings)


def _taxonomy() -> dict[str, str]:
    from rules.loader import taxonomy

    return taxonomy()


# --- scan ------------------------------------------------------------------------------------


class ScanPipeline:
    """Runs the rule engine over the page's blocks (:func:`pagemodel.scan.scan_page`, as the
    retro-scan and ``wuzha rules scan`` do) in a page worker, under the page time limit
    (:class:`crawler.extensions.pageworkers.PageWorkers`); ``item.scan`` = the result as a dict.
    The engine is loaded here too: invalid rule packs stop the crawl before it starts."""

    def __init__(self, engine: Any, stats: Any, workers: PageWorkers | None = None) -> None:
        self.engine = engine
        self.stats = stats
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScanPipeline:
        from rules import load_engine

        engine = load_engine(model=_config(crawler).rules_model)
        return cls(engine, crawler.stats, crawler.get_extension(PageWorkers))

    async def process_item(self, item: PageItem) -> PageItem:
        try:
            result = await self._scan(item.page())
        except PageWorkFailed as err:
            log.warning("page %s kept unscanned: %s", item.url, err)
            self.stats.inc_value(f"scan/errors/{err.stat}")
            return item
        except Exception:
            log.exception("rule engine failed on %s; page kept unscanned", item.url)
            self.stats.inc_value("scan/errors")
            return item
        item.scan = result
        self.stats.inc_value("scan/pages")
        self.stats.inc_value(f"scan/level/{result.get('level') or 'none'}")
        for hit in result.get("hits") or []:
            self.stats.inc_value(f"scan/hits/{hit.get('category') or 'unknown'}")
        return item

    async def _scan(self, page: Any) -> dict[str, Any]:
        if self.workers is None:
            return scan_page(self.engine, page)
        return await self.workers.scan(page)


# --- Elasticsearch -----------------------------------------------------------------------------


class IndexPipeline:
    """Pages and hits through :class:`indexer.writer.BulkWriter` (bulk, spooled when
    Elasticsearch is away); at the end each site's aggregated risk and the crawl-run document
    (:mod:`indexer.site_risk`).

    The writer buffers pages in memory, so an item through this pipeline is not yet in the
    index. With the sweep's journal, each page is journalled as indexed only when the writer
    reports its batch sent or spooled (``BulkWriter.on_flushed``); a resumed crawl fetches the
    pages that were written to the files but never journalled as indexed again
    (:mod:`crawler.journal`). Chosen over holding each item until its batch is flushed: the
    crawl state settles a site only when its items are through, and waiting on a batch of up to
    ``bulk_chunk_size`` pages from many sites would hold every site open for it."""

    def __init__(self, config: Any, stats: Any, crawl_state: CrawlState | None) -> None:
        self.config = config
        self.stats = stats
        self.crawl_state = crawl_state
        self.writer: Any = None
        self.tally = SweepTally()
        self.sites: dict[str, dict[str, Any]] = {}
        self.run_id = ""
        self.started = _now()
        self.journal: Any = None  # crawler.journal.Journal of the sweep, when it keeps one
        self.crawler: Any = None  # to stop the sweep when the spool cannot be written
        self.unwritable: SpoolUnwritable | None = None  # the spool failed: nothing more is safe
        self._unjournalled: dict[str, set[str]] = {}  # page id -> page URLs in the buffer

    @classmethod
    def from_crawler(cls, crawler: Any) -> IndexPipeline:
        from indexer.client import configured_url

        config = _config(crawler)
        if not configured_url(config):
            raise NotConfigured("no Elasticsearch configured; results go to files only")
        pipeline = cls(config, crawler.stats, crawler.get_extension(CrawlState))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        from indexer.writer import BulkWriter

        crawl = self.crawl_state
        self.run_id = crawl.run_id if crawl is not None else ""
        try:
            self.writer = BulkWriter(self.config)  # misconfiguration stops the crawl, clearly
        except SpoolUnwritable as err:  # replaying the spool on start could not rewrite it
            self._stop(err, opening=True)
        self.journal = crawl.track_indexing() if crawl is not None else None
        if self.journal is not None:
            self.writer.on_flushed = self._journal_indexed
        earlier = site_risk.earlier_start(self.writer.client, self.config.index_prefix, self.run_id)
        self.started = earlier or self.started
        try:
            self.writer.index_crawl(self._run_document(status="running"))
        except SpoolUnwritable as err:
            self._stop(err, opening=True)

    def process_item(self, item: PageItem) -> PageItem:
        if self.unwritable is not None:
            raise DropItem("the spool cannot be written: the page is fetched again on --resume")
        started = time.perf_counter()
        if self.journal is not None and item.url:
            # Noted before it is queued: queuing it may flush the batch it lands in.
            from ground.urls import page_id

            self._unjournalled.setdefault(page_id(item.url), set()).add(item.url)
        try:
            self.writer.index_page(item.as_fields())
        except SpoolUnwritable as err:
            # The batch stays in the writer, unsafe: its pages are not journalled as indexed,
            # this one and the ones after it not as done, so --resume fetches them all again.
            self._stop(err)
            raise DropItem(str(err)) from err
        site = item.site or {}
        if site.get("id"):
            self.sites.setdefault(site["id"], dict(site))
        self.tally.add_page(page_record(item))
        finding = finding_record(item)
        if finding is not None:
            self.tally.add_finding(finding)
        self.stats.inc_value("timing/index_seconds", time.perf_counter() - started)
        return item

    def close_spider(self) -> None:
        if self.writer is not None and self.unwritable is None:
            try:
                self.writer.flush()
            except SpoolUnwritable as err:
                self._stop(err)

    def _stop(self, err: SpoolUnwritable, *, opening: bool = False) -> None:
        from crawler.spoolstop import stop_sweep

        self.unwritable = err
        stop_sweep(self.crawler, err, opening=opening)

    def _journal_indexed(self, docs: list[Any]) -> None:
        """The writer's batch is sent or spooled: its pages are safe from a kill now."""
        urls: list[str] = []
        for doc in docs:
            if doc.kind == "pages":
                urls.extend(self._unjournalled.pop(doc.id, ()))
        if urls:
            self.journal.indexed(urls)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.writer is None:
            return
        if self.unwritable is not None:
            self._close_unwritable()
            return
        unwritable: SpoolUnwritable | None = None
        try:
            self._write_closing(reason)
        except SpoolUnwritable as err:
            # The writer keeps what it could not spool; closing it would only fail again.
            unwritable = err
        finally:
            if unwritable is None:
                for key, value in self.writer.close().items():
                    self.stats.set_value(key, value)
                for line in self.writer.summary():
                    log.info(line)
        if unwritable is not None:
            from crawler.spoolstop import stop_closing

            self.unwritable = unwritable
            self._close_unwritable()
            stop_closing(self.crawler, unwritable)

    def _write_closing(self, reason: str) -> None:
        """Each site's risk, its verdicts, the run's document."""
        states = self.crawl_state.site_states if self.crawl_state is not None else {}
        risks = self._site_risks(states)
        for site_id, risk in risks.items():
            site = self._site(site_id)
            if site is not None:
                self.writer.upsert_site(site, risk)
        self._record_verdicts(states)
        self._raise_recurred(risks)
        self.writer.index_crawl(self._run_document(status=reason, states=states))

    def _close_unwritable(self) -> None:
        """Closing without the closing work: nothing more can be made safe, and the resumed
        sweep does that work. The writer's buffer is given up (the journal knows its pages)."""
        stats = dict(self.writer.stats)
        stats["es/spool_pending"] = self.writer.spool_pending()
        stats["es/unsaved"] = self.writer.unsaved
        for key, value in stats.items():
            self.stats.set_value(key, value)

    def _record_verdicts(self, states: dict[str, dict[str, Any]]) -> None:
        """Each site's verdicts into ``site.compromise.*`` (:mod:`indexer.site_verdicts`; kept
        on disk for the next crawl when Elasticsearch is away)."""
        from indexer.site_verdicts import SiteSweep, record_sweep

        # Ran normally: finished well and fetched pages itself (a site "done" without pages was
        # crawled by another crawler process, which records its verdicts).
        sweeps = {
            site_id: SiteSweep(
                state.get("compromise") or [],
                state.get("status") in FINISHED_OK and bool(state.get("pages")),
                frozenset(state.get("checked") or ()),
            )
            for site_id, state in states.items()
        }
        try:
            self.writer.flush()  # the site documents must exist before their verdicts
            report = record_sweep(
                self.writer.client,
                self.config,
                sweeps,
                run_id=self.run_id,
                offline=self.writer.offline,
            )
        except SpoolUnwritable:
            raise  # not a verdict problem: the documents have nowhere to go
        except Exception as err:  # noqa: BLE001 - pages and risks are indexed either way
            log.warning("could not record the sites' verdicts: %s", err)
            return
        for key, value in report.stats.items():
            self.stats.set_value(key, value)

    def _raise_recurred(self, risks: dict[str, dict[str, Any]]) -> None:
        """Taken-down sites showing fraud again in this crawl become ``recurred`` — the one
        review change a crawl makes (``indexer.recurrence.raise_recurred``); other decisions stay."""
        from indexer.recurrence import raise_recurred

        fraud = site_risk.fraud_site_ids(risks)
        if not fraud:
            return
        try:
            self.writer.flush()  # the findings must be in the index before they are looked up
            changes = raise_recurred(self.writer.client, self.config, fraud)
        except SpoolUnwritable:
            raise
        except Exception as err:  # noqa: BLE001 - results are indexed either way; next crawl retries
            log.warning("could not check taken-down sites for recurrence: %s", err)
            return
        for change in changes:
            log.warning("%s was taken down but shows fraud again: marked recurred", change.label)
        self.stats.set_value("review/recurred", len(changes))

    # --- closing figures ---------------------------------------------------------------------

    def _site_risks(self, states: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Risk per site over the whole run: from the pages index (covers a resumed crawl and
        other crawler processes), else from what this process saw."""
        errors = {
            site_id: state.get("reason")
            for site_id, state in states.items()
            if state.get("status") not in FINISHED_OK and state.get("reason")
        }
        local = {
            site_id: tally.risk(self.run_id, errors.get(site_id))
            for site_id, tally in self.tally.sites.items()
        }
        return site_risk.site_risks(self.writer, self.run_id, local, errors)

    def _site(self, site_id: str) -> dict[str, Any] | None:
        """The full registry row (a partial one would blank the other fields in the index)."""
        if site_id in self.sites:
            return self.sites[site_id]
        state = self.crawl_state.site(site_id) if self.crawl_state is not None else None
        site = state.site if state is not None else None
        return dict(site) if isinstance(site, dict) and site.get("url") else None

    def _run_document(
        self, status: str, states: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        ended = _now() if states is not None else None
        summary = self.tally.summary(
            run_id=self.run_id,
            started=self.started,
            ended=ended,
            finish_reason=status,
            site_states=states,
            stats=self.stats.get_stats(),
        )
        return site_risk.run_document(
            summary, run_id=self.run_id, started=self.started, ended=ended, status=status
        )


# --- result files ---------------------------------------------------------------------------


class OutputPipeline:
    """Streams pages.jsonl and findings.jsonl into ``WUZHA_OUT_DIR``; at the end writes
    summary.json and report.html. With ``WUZHA_RESUME`` it continues the files of the killed
    run (no URL written twice) and the summary covers the whole run."""

    def __init__(
        self,
        stats: Any,
        out_dir: Path,
        resume: bool,
        crawl_state: CrawlState | None,
        zone: ZoneInfo | None = None,  # the office's, for report.html (None: UTC)
    ) -> None:
        self.stats = stats
        self.crawl_state = crawl_state
        self.zone = zone
        self.out_dir = out_dir
        self.resume = resume
        self.tally = SweepTally()
        self.pages = JsonLines(out_dir / "pages.jsonl")
        self.findings = JsonLines(out_dir / "findings.jsonl")
        self.run: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> OutputPipeline:
        out_dir = crawler.settings.get("WUZHA_OUT_DIR")
        if not out_dir:
            raise NotConfigured("WUZHA_OUT_DIR is not set; no result files")
        pipeline = cls(
            crawler.stats,
            Path(out_dir),
            crawler.settings.getbool("WUZHA_RESUME"),
            crawler.get_extension(CrawlState),
            office_zone(_config(crawler).report_timezone),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def _run_id(self) -> str:
        return self.crawl_state.run_id if self.crawl_state is not None else ""

    def open_spider(self) -> None:
        run_file = self.out_dir / "run.json"
        run_id = self._run_id
        earlier = _read_json(run_file) if self.resume else None
        if earlier and (not run_id or earlier.get("run_id") == run_id):
            self.run = earlier
        else:
            self.run = {"run_id": run_id, "started": _now()}
            self.resume = False  # another run's files: start them afresh
        self.out_dir.mkdir(parents=True, exist_ok=True)
        run_file.write_text(json.dumps(self.run, ensure_ascii=False), "utf-8")
        for record in self.pages.open(resume=self.resume):
            self.tally.add_page(record)
        for record in self.findings.open(resume=self.resume):
            self.tally.add_finding(record)
        if self.resume:
            self.stats.set_value("output/resumed_pages", self.tally.pages)

    def process_item(self, item: PageItem) -> PageItem:
        started = time.perf_counter()
        # Each file skips URLs it already holds: a crawl killed between the two writes and
        # resumed writes the missing line only.
        finding = finding_record(item)
        if finding is not None and self.findings.write(finding):
            self.tally.add_finding(finding)
            self.stats.inc_value("output/findings")
        record = page_record(item)
        if self.pages.write(record):
            self.tally.add_page(record)
            self.stats.inc_value("output/pages")
        else:
            self.stats.inc_value("output/duplicates_skipped")
        self.stats.inc_value("timing/output_seconds", time.perf_counter() - started)
        return item

    def close_spider(self) -> None:
        self.pages.close()
        self.findings.close()

    def spider_closed(self, spider: Any, reason: str) -> None:
        summary = self.tally.summary(
            run_id=self.run.get("run_id") or self._run_id,
            started=self.run.get("started"),
            ended=_now(),
            finish_reason=self.crawl_state.finish_reason(reason) if self.crawl_state else reason,
            site_states=self.crawl_state.site_states if self.crawl_state is not None else None,
            stats=self.stats.get_stats(),
            taxonomy=_taxonomy(),
        )
        atomic_write(
            self.out_dir / "summary.json",
            json.dumps(summary, ensure_ascii=False, indent=2, default=str),
        )
        write_jsonl(self.out_dir / "sites.jsonl", self._site_records())
        write_report(
            self.out_dir / "report.html", summary, self.tally.top_findings(), zone=self.zone
        )
        log.info("results written to %s (summary.json, sites.jsonl, report.html)", self.out_dir)

    def _site_records(self) -> list[dict[str, Any]]:
        """One sites.jsonl line per site this sweep crawled (began; resumed ones included)."""
        states = self.crawl_state.site_states if self.crawl_state is not None else {}
        records = []
        for site_id, state in states.items():
            if state.get("status") == "pending":
                continue
            tally = self.tally.sites.get(site_id)
            records.append(
                site_record(
                    site_id,
                    state,
                    tally.max_level if tally is not None else "none",
                    [name for name, _ in tally.categories.most_common()] if tally else [],
                )
            )
        return records


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
