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
from concurrent.futures.process import BrokenProcessPool
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
    """A page could not be read or scanned in a worker. ``stat``: its name in stats keys;
    ``final``: the page itself is the cause (a resumed sweep need not fetch it again)."""

    stat = "page_work_failed"
    final = False


class PageTooSlow(PageWorkFailed):
    """A page's reading or scanning ran past the time limit; its worker was killed."""

    stat = "page_too_slow"
    final = True

    def __init__(self, limit: float) -> None:
        super().__init__(f"took longer than the {limit:g} s limit for one page")
        self.limit = limit


class PageWorkerLost(PageWorkFailed):
    """The worker died under the page (out of memory, a crash in a C library)."""

    stat = "page_worker_lost"

    def __init__(self, detail: str) -> None:
        super().__init__(f"the page worker died ({detail})")


def _fork_server_context() -> Any:
    """The fork server, started from the calling thread if it is not running: it dies with
    the thread that started it (``pagemodel.worker.die_with_parent``), so that thread must be
    one that lives as long as the crawl (the reactor's)."""
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    forkserver.ensure_running()
    return context


class PageWorkers:
    """The crawl's page workers; components get it with ``crawler.get_extension(PageWorkers)``.

    The pool is made (its workers forked, off the reactor thread: the fork server's first start
    takes seconds) when the crawl starts, or at the first page. A pool that breaks (a worker
    killed while it was idle: the out-of-memory killer, an operator) is replaced and the page
    tried once more; a worker that dies under a page loses that page only (``PageWorkerLost``).
    """

    def __init__(self, workers: int, time_limit: float, *, model: bool, stats: Any = None) -> None:
        self.workers = workers
        self.time_limit = time_limit
        self.model = model
        self.stats = stats
        self._pool: asyncio.Future[ProcessPool] | None = None
        if workers > 0:
            CONSTS.term_timeout = KILL_AFTER

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
        if extension.workers > 0:
            # the fork server loads the rules while the crawler does the same: seconds saved
            # before the first page can be read
            _fork_server_context()
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
        """:func:`pagemodel.worker.read` in a worker (raises :class:`PageWorkFailed`, or
        :class:`pagemodel.worker.WorkFailed` for what the page model raised)."""
        return await self._run("extract", worker.read, body, url, content_type, served)

    async def scan(self, page: Page) -> dict[str, Any]:
        """:func:`pagemodel.worker.scan` in a worker: the page's scan result as a dict."""
        return await self._run("scan", worker.scan, page, self.model)

    async def _run(self, task: str, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in a worker, under the time limit; the CPU time it took there is
        counted as ``timing/<task>_seconds`` (bench/bench_crawl.py splits the CPU by these)."""
        if self.workers <= 0:
            result, seconds = worker.timed(function, *args)
            self._count(task, seconds)
            return result
        for _attempt in range(2):
            pool = await self._ready_pool()
            try:
                future = pool.schedule(
                    worker.timed, args=(function, *args), timeout=self.time_limit
                )
                result, seconds = await asyncio.wrap_future(future)
            except TimeoutError:
                self._count(task, None)
                raise PageTooSlow(self.time_limit) from None
            except ProcessExpired as err:
                raise PageWorkerLost(f"exit code {err.exitcode}") from None
            except (RuntimeError, BrokenProcessPool) as err:
                # pebble: a worker that died while idle breaks the whole pool
                logger.warning("page workers broken (%s): replaced", err)
                self._discard(pool)
                if self.stats is not None:
                    self.stats.inc_value("pageworkers/restarts")
                continue
            self._count(task, seconds)
            return result
        raise PageWorkerLost("the pool of page workers broke twice in a row")

    def _count(self, task: str, seconds: float | None) -> None:
        if self.stats is None:
            return
        if seconds is None:
            self.stats.inc_value(f"timing/{task}_timeouts")
            return
        self.stats.inc_value(f"timing/{task}_seconds", seconds)
        self.stats.inc_value(f"timing/{task}_pages")

    async def _ready_pool(self) -> ProcessPool:
        if self._pool is None:
            self.start()
        assert self._pool is not None
        return await asyncio.shield(self._pool)

    def start(self) -> None:
        """Make the pool now, as the crawl starts, rather than at the first page: its workers
        come from the fork server, whose first start imports the page model and loads the
        rules (seconds), and in a shared crawl (scrapy-redis) the other processes wait for
        the links of the first pages. The forks happen in a thread, not on the reactor's."""
        if self.workers <= 0 or self._pool is not None:
            return
        context = _fork_server_context()
        loop = asyncio.get_event_loop()
        self._pool = loop.run_in_executor(None, self._new_pool, context)

    def _new_pool(self, context: Any) -> ProcessPool:
        pool = ProcessPool(
            max_workers=self.workers, context=context, initializer=worker.die_with_parent
        )
        pool.schedule(worker.ready).result()
        return pool

    def _discard(self, pool: ProcessPool) -> None:
        current = self._pool
        done = current is not None and current.done() and not current.exception()
        if done and current.result() is pool:
            self._pool = None
        pool.stop()

    def close(self) -> None:
        starting, self._pool = self._pool, None
        if starting is None:
            return
        if not starting.done():
            # the crawl ended before the workers were up: stop them once they are
            starting.add_done_callback(lambda done: done.exception() or done.result().stop())
            return
        if starting.exception() is not None:
            return
        pool = starting.result()
        pool.close()
        try:
            pool.join(timeout=CLOSE_WAIT)
        except TimeoutError:
            logger.warning("page workers still busy at the end of the crawl: stopped")
            pool.stop()
            pool.join()
