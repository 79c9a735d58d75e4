"""Pages are read and scanned in worker processes, each task under a time limit.

Decoding, parsing, extraction and the rule scan are CPU work on hostile input: 100,000 nested
``<div>``s took the page model 20 s and more (its cost grows with the square of the nesting
depth), and done on the thread that drives the downloads that froze the whole sweep — other
sites' downloads timed out and were retried. This extension keeps a small pool of worker
processes (``pebble.ProcessPool``); the spider reads each response there
(:meth:`PageWorkers.read`) and the scan pipeline scans each page there
(:meth:`PageWorkers.scan`). A task that runs past ``WUZHA_PAGE_TIME_LIMIT`` seconds has its
worker killed and replaced and raises :class:`PageTooSlow`: the page is recorded as such and its
site goes on. The pool also lets a sweep use the machine's other cores.

Workers are forked from a fork server (never from the crawler itself, whose threads a fork
would copy mid-lock) that has imported the page model and loaded the rules once
(``pagemodel.worker_warm``), so a worker that replaces a killed one is ready at once.

``WUZHA_PAGE_WORKERS`` = 0 reads and scans in the crawler's own process, with no time limit
(for debugging; a hostile page can then stall the sweep).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from typing import Any

from pebble import CONSTS, ProcessExpired, ProcessPool
from scrapy import signals

from pagemodel import worker
from pagemodel.model import Page
from pagemodel.worker import PageRead

logger = logging.getLogger(__name__)

PRELOAD = "pagemodel.worker_warm"
CLOSE_WAIT = 5.0  # seconds the pool gets to finish at the end of a crawl before it is stopped
# A worker past the limit is sent SIGTERM, then SIGKILL after this many seconds (pebble's default
# is 3). A page worker has nothing to clean up, and one stuck in C code (a parser on a
# pathological tree) does not see SIGTERM before that C call returns.
KILL_AFTER = 0.3


class PageWorkFailed(Exception):
    """A page could not be read or scanned in a worker. ``stat``: its name in stats keys."""

    stat = "page_work_failed"


class PageTooSlow(PageWorkFailed):
    """A page's reading or scanning ran past the time limit; its worker was killed."""

    stat = "page_too_slow"

    def __init__(self, limit: float) -> None:
        super().__init__(f"took longer than the {limit:g} s limit for one page")
        self.limit = limit


class PageWorkerLost(PageWorkFailed):
    """The worker died under the page (out of memory, a crash in a C library)."""

    stat = "page_worker_lost"

    def __init__(self, detail: str) -> None:
        super().__init__(f"the page worker died ({detail})")


def _fork_server_context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # "__main__" too: a worker forked from there does not import the main script again
    context.set_forkserver_preload(["__main__", PRELOAD])
    return context


class PageWorkers:
    """The crawl's page workers; components get it with ``crawler.get_extension(PageWorkers)``."""

    def __init__(self, workers: int, time_limit: float, *, model: bool, stats: Any = None) -> None:
        self.workers = workers
        self.time_limit = time_limit
        self.model = model
        self.stats = stats
        self._pool: ProcessPool | None = None
        if workers > 0:
            CONSTS.term_timeout = KILL_AFTER
            self._pool = ProcessPool(max_workers=workers, context=_fork_server_context())

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageWorkers:
        from crawler.projectsettings import project_settings

        settings = crawler.settings
        extension = cls(
            settings.getint("WUZHA_PAGE_WORKERS"),
            settings.getfloat("WUZHA_PAGE_TIME_LIMIT"),
            model=project_settings(settings).rules_model,
            stats=crawler.stats,
        )
        crawler.signals.connect(extension.start, signals.engine_started)
        crawler.signals.connect(extension.close, signals.engine_stopped)
        return extension

    async def read(
        self,
        body: bytes,
        url: str,
        content_type: str | None,
        served: tuple[bytes, str | None] | None = None,
    ) -> PageRead:
        """:func:`pagemodel.worker.read` in a worker (raises :class:`PageWorkFailed`, or what
        the page model raised)."""
        return await self._run("extract", worker.read, body, url, content_type, served)

    async def scan(self, page: Page) -> dict[str, Any]:
        """:func:`pagemodel.worker.scan` in a worker: the page's scan result as a dict."""
        return await self._run("scan", worker.scan, page, self.model)

    async def _run(self, task: str, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in a worker; its CPU time is counted as ``timing/<task>_seconds``
        (the crawl summary and bench/bench_crawl.py split the CPU by these)."""
        if self._pool is None:
            result, seconds = worker.timed(function, *args)
        else:
            future = self._pool.schedule(
                worker.timed, args=(function, *args), timeout=self.time_limit
            )
            try:
                result, seconds = await asyncio.wrap_future(future)
            except TimeoutError:
                self._count(task, self.time_limit)
                raise PageTooSlow(self.time_limit) from None
            except ProcessExpired as err:
                raise PageWorkerLost(f"exit code {err.exitcode}") from None
        self._count(task, seconds)
        return result

    def _count(self, task: str, seconds: float) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"timing/{task}_seconds", seconds)
            self.stats.inc_value(f"timing/{task}_pages")

    def start(self) -> None:
        """Have the workers forked now, as the crawl starts, not when the first page arrives:
        the fork server first imports the page model and loads the rules (seconds), and in a
        shared crawl (scrapy-redis) the links of the first pages are what the other processes
        wait for."""
        if self._pool is not None:
            self._pool.schedule(worker.ready)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.close()
        try:
            pool.join(timeout=CLOSE_WAIT)
        except TimeoutError:
            logger.warning("page workers still busy at the end of the crawl: stopped")
            pool.stop()
            pool.join()
