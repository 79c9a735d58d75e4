"""Run a sweep from Python (the ``wuzha crawl`` and ``wuzha demo`` commands use this).

:func:`run_crawl` builds the Scrapy settings of the run (crawler/settings.py, what its add-on
maps from :class:`ground.settings.Settings`, and the run's options), runs the sweep spider in
this process and returns what happened. Twisted's reactor
cannot be restarted, so call it once per process (tests run crawls in a subprocess).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import (
    BadNetwork,
    BudgetTooSmall,
    NoSites,
    OutDirHoldsResults,
    PathUnusable,
)
from ground.errors import os_reason
from ground.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    """What one sweep should do; None means "the configured default"."""

    sites: Sequence[dict[str, Any]]
    out_dir: Path | None = None
    max_pages: int | None = None
    max_depth: int | None = None
    site_timeout: float | None = None
    allow_private: Sequence[str] = ()
    resume: bool = False
    overwrite: bool = False  # replace the results a previous sweep left in out_dir
    job_dir: Path | None = None
    render: bool | None = None
    concurrency: int | None = None
    concurrency_per_site: int | None = None
    download_timeout: float | None = None
    robots_txt: bool | None = None
    run_id: str | None = None
    log_file: Path | None = None
    log_level: str = "INFO"
    progress: Callable[[dict[str, Any]], None] | None = None
    extra_settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class CrawlResult:
    run_id: str
    finish_reason: str
    site_states: dict[str, dict[str, Any]]
    stats: dict[str, Any]
    progress: dict[str, Any]
    out_dir: Path | None
    job_dir: Path | None
    seconds: float

    @property
    def completed(self) -> bool:
        return self.finish_reason == "finished"

    @property
    def failed_sites(self) -> list[dict[str, Any]]:
        return [s for s in self.site_states.values() if s.get("status") in ("failed", "timeout")]


def job_key(sites: Sequence[dict[str, Any]], out_dir: Path | None) -> str:
    """Stable name of a sweep's job: the same sites and output dir give the same job, so
    ``--resume`` finds it without the operator naming it."""
    digest = hashlib.sha1()
    for site_id in sorted(str(s["id"]) for s in sites):
        digest.update(site_id.encode() + b"\n")
    digest.update(str(out_dir.resolve() if out_dir else "").encode())
    return digest.hexdigest()[:12]


def settings_for_run(config: Settings, options: CrawlOptions) -> Settings:
    """wuzha's settings with this run's options that have a setting of their own (budgets,
    concurrency, timeouts, robots.txt, rendering): the add-on maps them like any setting."""
    overrides = {
        "crawl_max_pages": options.max_pages,
        "crawl_max_depth": options.max_depth,
        "crawl_site_timeout": options.site_timeout,
        "crawl_concurrency": options.concurrency,
        "crawl_concurrency_per_site": options.concurrency_per_site,
        "crawl_download_timeout": options.download_timeout,
        "crawl_robots_txt": options.robots_txt,
        "crawl_playwright": options.render,
    }
    given = {name: value for name, value in overrides.items() if value is not None}
    return config.model_copy(update=given) if given else config


def build_settings(config: Settings, options: CrawlOptions) -> dict[str, Any]:
    """The Scrapy settings of one sweep, set at cmdline priority over crawler/settings.py and
    what its add-on maps from wuzha's settings: the run's settings object and the run's own
    facts (run id, directories, resume, allowed networks, progress display, log)."""
    config = settings_for_run(config, options)
    job_dir = options.job_dir or (
        config.state_dir / "jobs" / job_key(options.sites, options.out_dir)
    )
    values: dict[str, Any] = {
        "WUZHA_SETTINGS": config,
        "WUZHA_RUN_ID": options.run_id or "",
        "WUZHA_OUT_DIR": str(options.out_dir) if options.out_dir else "",
        "WUZHA_JOB_DIR": str(job_dir),
        "WUZHA_RESUME": options.resume,
        "WUZHA_ALLOW_PRIVATE": list(options.allow_private),
        "WUZHA_PROGRESS_CALLBACK": _as_function(options.progress),
        "LOG_LEVEL": options.log_level,
    }
    if config.redis_url:
        # Processes crawling the same sites share a queue, whatever their output directories.
        shared = job_key(options.sites, None)
        values["SCHEDULER_QUEUE_KEY"] = f"wuzha:{shared}:requests"
        values["SCHEDULER_DUPEFILTER_KEY"] = f"wuzha:{shared}:dupefilter"
        values["SCHEDULER_FLUSH_ON_START"] = not options.resume
    log_file = options.log_file or (job_dir / "crawl.log")
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    values["LOG_FILE"] = str(log_file)
    values["LOG_FILE_APPEND"] = options.resume
    values.update(options.extra_settings)
    return values


def _as_function(callback: Callable[[dict[str, Any]], None] | None) -> Any:
    """Scrapy deep-copies its settings; a plain function is copied as itself, a bound method
    would drag a copy of its object (a rich console with locks) along."""
    if callback is None:
        return None

    def progress(snapshot: dict[str, Any]) -> None:
        callback(snapshot)

    return progress


def check_options(options: CrawlOptions) -> None:
    """Problems that mean the sweep cannot run, as CrawlError (before anything starts)."""
    from ground.addresses import parse_networks

    if not options.sites:
        raise NoSites()
    try:
        parse_networks(options.allow_private)
    except ValueError as err:
        raise BadNetwork(str(err)) from err
    # (option, value, smallest allowed, whether the smallest itself is allowed)
    for option, value, minimum, inclusive in (
        ("max_pages", options.max_pages, 1, True),
        ("max_depth", options.max_depth, 0, True),
        ("site_timeout", options.site_timeout, 0, False),
        ("download_timeout", options.download_timeout, 0, False),
        ("concurrency", options.concurrency, 1, True),
        ("concurrency_per_site", options.concurrency_per_site, 1, True),
    ):
        if value is not None and (value < minimum or (value == minimum and not inclusive)):
            raise BudgetTooSmall(option, value)
    if options.out_dir is not None:
        from crawler.output import results_in

        if options.out_dir.exists() and not options.out_dir.is_dir():
            raise PathUnusable("out_dir", options.out_dir, "is a file", is_file=True)
        _make_folder("out_dir", options.out_dir)
        found = results_in(options.out_dir)
        if found and not (options.resume or options.overwrite):
            raise OutDirHoldsResults(options.out_dir, found)
    if options.job_dir is not None:
        _make_folder("job_dir", options.job_dir)
    if options.log_file is not None:
        try:
            Path(options.log_file).parent.mkdir(parents=True, exist_ok=True)
            with Path(options.log_file).open("a", encoding="utf-8"):
                pass
        except OSError as err:
            raise PathUnusable("log_file", Path(options.log_file), os_reason(err)) from err


def _make_folder(option: str, path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PathUnusable(option, path, os_reason(err)) from err


def check_spool(config: Settings) -> None:
    """With Elasticsearch configured, the spool is where documents go while it is away: a
    spool that cannot be written stops the sweep before it starts (SpoolUnwritable)."""
    from indexer.client import configured_url
    from indexer.spool import Spool

    if configured_url(config):
        Spool(config.spool_path).check_writable()


def run_crawl(config: Settings, options: CrawlOptions) -> CrawlResult:
    """Run the sweep to its end (or until SIGINT/SIGTERM, or until the spool cannot be
    written: ``crawler.spoolstop``) and report what happened."""
    check_options(options)
    check_spool(config)
    if options.overwrite and not options.resume and options.out_dir is not None:
        from crawler.output import clear_results

        clear_results(options.out_dir)
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings

    from crawler.crawlstate import CrawlState
    from crawler.extensions.progress import CrawlProgress
    from crawler.spiders.sweep import SweepSpider

    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(build_settings(config, options), priority="cmdline")
    if not settings.get("WUZHA_RUN_ID"):
        settings.set("WUZHA_RUN_ID", uuid.uuid4().hex[:12], priority="cmdline")
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SweepSpider)
    process.crawl(crawler, site_list=list(options.sites))
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    state = _extension(crawler, CrawlState)
    progress = _extension(crawler, CrawlProgress)
    reason = str(stats.get("finish_reason", "unknown"))
    return CrawlResult(
        run_id=state.run_id if state is not None else settings.get("WUZHA_RUN_ID"),
        finish_reason=state.finish_reason(reason) if state is not None else reason,
        site_states=dict(state.site_states) if state is not None else {},
        stats=stats,
        progress=dict(progress.last) if progress is not None else {},
        out_dir=options.out_dir,
        job_dir=Path(settings.get("WUZHA_JOB_DIR")) if settings.get("WUZHA_JOB_DIR") else None,
        seconds=time.monotonic() - started,
    )


def _extension(crawler: Any, cls: type) -> Any:
    """The crawl's extension of `cls`; None when it is off or the crawl never got that far."""
    try:
        return crawler.get_extension(cls)
    except RuntimeError:  # the spider could not be created: no extensions were built
        return None
