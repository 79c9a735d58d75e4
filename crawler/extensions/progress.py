"""Live figures of a sweep for the operator: sites done/total, pages, hits by level, errors,
rate and ETA.

Every ``WUZHA_PROGRESS_INTERVAL`` seconds a snapshot dict goes to ``WUZHA_PROGRESS_CALLBACK``
(``wuzha crawl`` draws it with rich); without a callback a log line is written every 30 s.
The last snapshot (``final: True``) stays in :attr:`CrawlProgress.last`
(``crawler.get_extension(CrawlProgress).last``). Sites and their states come from
:class:`crawler.crawlstate.CrawlState`, found when the spider opens (an extension cannot look
up another while the extensions are still being built, so this one keeps the crawler).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from typing import Any

from scrapy import signals
from scrapy.utils.misc import load_object
from twisted.internet import task

from crawler.crawlstate import CrawlState
from crawler.items import PageItem
from crawler.output import is_finding
from crawler.sitestate import PENDING
from ground.levels import LEVELS

logger = logging.getLogger(__name__)


class CrawlProgress:
    def __init__(self, crawler: Any, callback: Any, interval: float):
        self.crawler = crawler
        self.callback = callback
        self.interval = interval
        self.levels: Counter[str] = Counter()
        self.findings = 0
        self.crawl_state: CrawlState | None = None
        self.last: dict[str, Any] = {}
        self.started = time.monotonic()
        self._samples: deque[tuple[float, int]] = deque(maxlen=40)
        self._loop: task.LoopingCall | None = None
        self._last_log = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        callback = crawler.settings.get("WUZHA_PROGRESS_CALLBACK")
        if isinstance(callback, str):
            callback = load_object(callback)
        ext = cls(crawler, callback, crawler.settings.getfloat("WUZHA_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signals.item_scraped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.crawl_state = self.crawler.get_extension(CrawlState)
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.report)
        self._loop.start(self.interval, now=True)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.report(final=True, reason=reason)

    def item_scraped(self, item: Any, **_: Any) -> None:
        scan = item.scan if isinstance(item, PageItem) else None
        if isinstance(scan, dict):
            level = scan.get("level") or "none"
            self.levels[level] += 1
            if is_finding(scan):
                self.findings += 1

    def snapshot(self) -> dict[str, Any]:
        states = self.crawl_state.states if self.crawl_state is not None else {}
        stats = self.crawler.stats
        now = time.monotonic()
        elapsed = now - self.started
        total = len(states)
        finished = [s for s in states.values() if s.finished]
        running = sum(1 for s in states.values() if s.status != PENDING and not s.finished)
        pages = int(stats.get_value("sweep/pages", 0) or 0)
        self._samples.append((now, pages))
        first_t, first_pages = self._samples[0]
        rate = (pages - first_pages) / (now - first_t) if now - first_t > 0.5 else 0.0
        done = len(finished)
        eta = None
        if 0 < done < total and elapsed > 1:
            eta = elapsed / done * (total - done)
        statuses = Counter(s.status for s in finished)
        return {
            "sites_total": total,
            "sites_done": done,
            "sites_running": running,
            "statuses": dict(statuses),
            "pages": pages,
            "requests": int(stats.get_value("downloader/request_count", 0) or 0),
            "levels": {level: self.levels.get(level, 0) for level in LEVELS},
            "findings": self.findings,
            "errors": sum(s.errors for s in states.values()),
            "blocked": int(stats.get_value("ssrf/blocked", 0) or 0),
            "rate": rate,
            "elapsed": elapsed,
            "eta": eta,
            "rendered": int(stats.get_value("playwright/request_count/navigation", 0) or 0),
        }

    def report(self, final: bool = False, reason: str | None = None) -> None:
        snap = self.snapshot()
        snap["final"] = final
        if reason is not None:
            snap["reason"] = reason
        self.last = snap
        if self.callback is not None:
            try:
                self.callback(snap)
            except Exception:
                logger.exception("progress display failed")
            return
        if final or snap["elapsed"] - self._last_log >= 30:
            self._last_log = snap["elapsed"]
            logger.info(
                "sites %d/%d, pages %d (%.1f/s), high %d, medium %d, errors %d",
                snap["sites_done"],
                snap["sites_total"],
                snap["pages"],
                snap["rate"],
                snap["levels"]["high"],
                snap["levels"]["medium"],
                snap["errors"],
            )
