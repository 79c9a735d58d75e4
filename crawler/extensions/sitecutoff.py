"""Make a site's wall-time budget hold inside the downloader, not only in front of it.

:class:`crawler.middlewares.sitebudget.SiteBudgetMiddleware` refuses requests of a closed site
when they reach the downloader, but by then many of them are already waiting in the site's
download slot (``download_slot`` = the site's registry id), and each of those would go out
with the full download timeout: a site that sends headers and then a byte a second kept the
sweep busy for minutes after its budget ended. This extension, twice a second and when a
request reaches the downloader:

* caps each queued request's ``download_timeout`` to what its site has left (Scrapy reads it
  when the download starts, so a download that starts in time also ends in time);
* drops the requests still queued in the slot of a site that is closed (wall time or error
  budget used up), failing them with :class:`~crawler.middlewares.errors.SiteClosed`;
* stops the downloads in flight of a closed site at their next headers or bytes
  (``StopDownload`` raised from the ``headers_received`` / ``bytes_received`` handlers).

What it cuts is the budget's doing, not the site's failure: :func:`cut_by_budget` tells the
spider so (not counted as an error; not journalled as done: the site's own final record says
it timed out, and a sweep killed before that record is written fetches them again on resume).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DownloadTimeoutError, NotConfigured, StopDownload
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.crawlstate import SITE_ID, CrawlState
from crawler.middlewares.errors import SiteClosed
from crawler.render import cap_render
from crawler.sitestate import SiteState

logger = logging.getLogger(__name__)

CAPPED = "wz_capped"  # request meta: its download_timeout was cut to its site's budget
MIN_TIMEOUT = 0.5  # seconds: a download is never given less (Twisted needs a positive one)


def capped_timeout(current: float | None, remaining: float | None) -> float | None:
    """The download timeout a request may have with `remaining` seconds of its site's budget
    left (None: leave it as it is)."""
    if remaining is None:
        return None
    cap = max(remaining, MIN_TIMEOUT)
    if current is not None and current <= cap:
        return None
    return cap


def cut_by_budget(failure: Failure, state: SiteState) -> bool:
    """Whether `failure` is a request the site's budget cut off (dropped from its slot,
    stopped mid-download, or timed out on a shortened timeout after the site closed)."""
    exc = failure.value
    if isinstance(exc, SiteClosed):
        return True
    if isinstance(exc, StopDownload):
        return state.closed
    request = getattr(failure, "request", None)
    if not (request is not None and request.meta.get(CAPPED)):
        return False
    # The shortened timeout fires as the budget ends, maybe just before the tick closes it.
    left = state.remaining(time.monotonic())
    return isinstance(exc, DownloadTimeoutError) and (
        state.closed or (left is not None and left <= MIN_TIMEOUT)
    )


class SiteCutoff:
    def __init__(self, crawler: Any, interval: float = 0.5) -> None:
        self.crawler = crawler
        self.interval = interval
        self.crawl_state: CrawlState | None = None
        self._ticker: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteCutoff:
        if crawler.settings.getfloat("WUZHA_SITE_TIMEOUT") <= 0:
            raise NotConfigured("no wall-time budget per site")
        ext = cls(crawler)
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.request_reached_downloader, signal=signals.request_reached_downloader)
        connect(ext.headers_received, signal=signals.headers_received)
        connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    # --- signals ------------------------------------------------------------------------------

    def spider_opened(self, spider: Any) -> None:
        self.crawl_state = self.crawler.get_extension(CrawlState)
        self._ticker = task.LoopingCall(self.tick)
        self._ticker.start(self.interval, now=False).addErrback(self._ticker_failed)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()

    def request_reached_downloader(self, request: Any, **_: Any) -> None:
        state = self._state(request)
        if state is not None:
            self._cap(request, state, time.monotonic())

    def headers_received(self, request: Any, **_: Any) -> None:
        self._stop_if_closed(request)

    def bytes_received(self, request: Any, **_: Any) -> None:
        self._stop_if_closed(request)

    # --- work ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """One round over the download slots. An error is logged, never raised: a raise would
        stop the LoopingCall, and with it the budget in the downloader, silently."""
        try:
            self._sweep_slots()
        except Exception:
            logger.exception("site cutoff: a round over the download slots failed")

    def _ticker_failed(self, failure: Failure) -> None:
        logger.error("site cutoff stopped: %s", failure.getErrorMessage(), exc_info=failure.value)

    def _sweep_slots(self) -> None:
        crawl = self.crawl_state
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if crawl is None or downloader is None:
            return
        now = time.monotonic()
        for key, slot in list(downloader.slots.items()):
            state = crawl.site(key)
            if state is None or not slot.queue:
                continue
            crawl.enforce_deadline(state, now)
            if state.closed:
                self._drop_queued(slot, state)
            else:
                for request, _ in slot.queue:
                    self._cap(request, state, now)

    def _drop_queued(self, slot: Any, state: SiteState) -> None:
        queued = list(slot.queue)
        slot.queue.clear()
        reason = state.reason or state.status
        for _, deferred in queued:
            deferred.errback(Failure(SiteClosed(reason)))
        self.crawler.stats.inc_value("sweep/cut/queued", len(queued))
        logger.info(
            "site %s closed (%s): %d queued request(s) dropped", state.id, reason, len(queued)
        )

    def _cap(self, request: Any, state: SiteState, now: float) -> None:
        current = request.meta.get("download_timeout")
        if current is None:
            current = self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT") or None
        remaining = state.remaining(now)
        cap = capped_timeout(current, remaining)
        if cap is not None:
            request.meta["download_timeout"] = cap
            request.meta[CAPPED] = True
            if request.meta.get("playwright"):
                # Rendered: scrapy-playwright ignores download_timeout and sends no
                # headers_received / bytes_received, so the page itself is given the budget.
                assert remaining is not None  # a cap comes from what the site has left
                cap_render(request.meta, cap, now + max(remaining, 0.0))

    def _stop_if_closed(self, request: Any) -> None:
        state = self._state(request)
        if state is not None and state.closed:
            self.crawler.stats.inc_value("sweep/cut/in_flight")
            raise StopDownload(fail=True)

    def _state(self, request: Any) -> SiteState | None:
        if self.crawl_state is None:
            return None
        return self.crawl_state.site(request.meta.get(SITE_ID))
