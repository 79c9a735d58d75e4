"""The sweep's shared state: one Scrapy extension that owns what its components all need.

:class:`CrawlState` holds each site's live state (:class:`crawler.sitestate.SiteState`: budgets,
progress, how it ended), the tokens that say which of a site's requests are still queued, in
flight or in the pipelines, the crawl journal and what an interrupted run left in it
(:mod:`crawler.journal`), the run id, and the per-site summaries (``site_states``). The spider
asks it before making a request and tells it what became of each; middlewares, pipelines, the
progress display and ``crawler.run`` read it. Nobody reaches into the spider::

    state = crawler.get_extension(CrawlState)   # at spider_opened or later (pipelines and
                                                # middlewares: already in from_crawler)

Every request of the sweep carries in its meta its site's id (:data:`SITE_ID`, also the
``download_slot``), a token (:data:`TOKEN`) and the URL the spider asked for (:data:`URL`). A
token is held until the request failed or its page is through the pipelines; when a site has no
token left it is finished and its final state settled (``site_settling`` sent for the site
checks to add their verdicts, then journalled, ``site_finished`` sent).
Once a second the state checks wall-time budgets and gives up tokens that never came back.

With ``WUZHA_JOB_DIR`` every step is journalled so ``--resume`` continues a killed sweep
without gaps or duplicates. With Elasticsearch the index pipeline also journals which pages
reached the index (:meth:`CrawlState.track_indexing`): on resume, pages emitted but never
indexed (lost from the bulk writer's buffer) are fetched again without following their links
or counting against the budget, and emitted again for the index; the output files already hold
them and skip them. With a shared (Redis) queue there is no journal: the queue is the resume.

The spider hands its sites over when it opens (:meth:`CrawlState.add_sites`); Scrapy creates
the spider before the extensions, so its ``spider_opened`` handler runs before theirs.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scrapy import signals
from twisted.internet import task

from crawler.items import PageItem
from crawler.journal import Journal, JournalState
from crawler.scope import ScopeMap, TrapLimits, canonical_or_none
from crawler.signals import site_finished, site_settling
from crawler.sitestate import PENDING, Budget, SiteState

logger = logging.getLogger(__name__)

# Request meta the sweep's components share.
SITE_ID = "site_id"  # the request's site (registry id)
TOKEN = "wz_token"  # the site's token for this request
URL = "wz_url"  # the URL the spider asked for (the response's may differ after redirects)
REINDEX = "wz_reindex"  # fetched again for the index only (see the module docstring)


class CrawlState:
    def __init__(
        self,
        *,
        stats: Any,
        signals: Any,
        budget: Budget,
        limits: TrapLimits,
        run_id: str = "",
        journal: Journal | None = None,
        resume: bool = False,
        pages_file: Path | None = None,
        distributed: bool = False,
        max_active: int = 8,
        stale_after: float = 100.0,
        is_crawling: Callable[[], bool] | None = None,
    ) -> None:
        self.stats = stats
        self.signals = signals
        self.budget = budget
        self.limits = limits
        self.distributed = distributed
        self.max_active = max_active
        self.stale_after = stale_after
        self._is_crawling = is_crawling  # Crawler.crawling: cleared first by Crawler.stop()
        self._crawling_at_open = False
        self.states: dict[str, SiteState] = {}
        self.site_states: dict[str, dict[str, Any]] = {}  # site id -> SiteState.summary()
        self.scopes = ScopeMap(())
        self.journal = journal
        self.resumed: JournalState | None = None  # what the interrupted run left behind
        if journal is not None:
            if resume and journal.exists:
                self.resumed = journal.load(pages_file)
                run_id = self.resumed.run_id or run_id
            run_id = run_id or uuid.uuid4().hex[:12]
            journal.start(run_id, fresh=self.resumed is None)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self._tokens = itertools.count(1)
        self._emitted: set[str] = set(self.resumed.emitted) if self.resumed else set()
        self._indexed: set[str] = set(self.resumed.indexed) if self.resumed else set()
        self._indexing = False  # the index pipeline journals what reached Elasticsearch
        self._in_pipeline: dict[str, tuple[str, str, int | None]] = {}  # item url -> request
        self._ticker: task.LoopingCall | None = None
        self.halted: str | None = None  # why the sweep stops early (crawler.spoolstop)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlState:
        settings = crawler.settings
        distributed = "scrapy_redis" in str(settings.get("SCHEDULER"))
        per_site = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        job_dir = settings.get("WUZHA_JOB_DIR")
        out_dir = settings.get("WUZHA_OUT_DIR")
        state = cls(
            stats=crawler.stats,
            signals=crawler.signals,
            budget=Budget(
                max_pages=settings.getint("WUZHA_MAX_PAGES"),
                max_depth=settings.getint("WUZHA_MAX_DEPTH"),
                wall_time=settings.getfloat("WUZHA_SITE_TIMEOUT"),
                max_consecutive_errors=settings.getint("WUZHA_SITE_MAX_ERRORS"),
            ),
            limits=TrapLimits(
                max_query_variants=settings.getint("WUZHA_TRAP_MAX_QUERY_VARIANTS"),
                max_page_number=settings.getint("WUZHA_TRAP_MAX_PAGE_NUMBER"),
                max_offsets=settings.getint("WUZHA_TRAP_MAX_OFFSETS"),
                date_window_past_days=settings.getint("WUZHA_TRAP_DATE_WINDOW_DAYS"),
            ),
            run_id=settings.get("WUZHA_RUN_ID") or "",
            # A shared queue is the resume of a distributed crawl; a journal would only lie.
            journal=Journal(Path(job_dir)) if job_dir and not distributed else None,
            resume=settings.getbool("WUZHA_RESUME"),
            pages_file=Path(out_dir) / "pages.jsonl" if out_dir else None,
            distributed=distributed,
            max_active=settings.getint("WUZHA_ACTIVE_SITES")
            or max(8, 2 * settings.getint("CONCURRENT_REQUESTS") // per_site),
            stale_after=2 * settings.getfloat("DOWNLOAD_TIMEOUT") + 60,
            is_crawling=lambda: crawler.crawling,
        )
        connect = crawler.signals.connect
        connect(state.request_dropped, signal=signals.request_dropped)
        connect(state.item_done, signal=signals.item_scraped)
        connect(state.item_done, signal=signals.item_dropped)
        connect(state.item_done, signal=signals.item_error)
        connect(state.spider_opened, signal=signals.spider_opened)
        connect(state.spider_closed, signal=signals.spider_closed)
        return state

    # --- sites ----------------------------------------------------------------------------

    def add_sites(
        self,
        sites: Iterable[dict[str, Any]],
        *,
        max_pages: int | None = None,
        max_depth: int | None = None,
    ) -> None:
        """The sites of this sweep (the spider's), with its own page and depth budgets if it
        has any. After a restart, finished sites stay finished and started ones get their
        counters back."""
        self.budget = Budget(
            max_pages=max_pages or self.budget.max_pages,
            max_depth=max_depth if max_depth is not None else self.budget.max_depth,
            wall_time=self.budget.wall_time,
            max_consecutive_errors=self.budget.max_consecutive_errors,
        )
        for site in sites:
            state = SiteState.create(site, self.budget, self.limits)
            self.states[state.id] = state
        self.scopes = ScopeMap(s.scope for s in self.states.values())
        self._restore_sites()
        self._refresh_site_states()

    def _restore_sites(self) -> None:
        if self.resumed is None:
            return
        for site_id, record in self.resumed.finished_sites.items():
            state = self.states.get(site_id)
            if state is None:
                continue
            state.status = record.get("status", "done")
            state.reason = record.get("reason", "")
            state.pages = int(record.get("pages", 0))
            state.errors = int(record.get("errors", 0))
            # its verdicts too: else the resumed run's end would take them for repaired
            state.compromise = list(record.get("compromise") or [])
            state.checked = set(record.get("checked") or ())
            state.finished_at = 0.0
        emitted = self.resumed.emitted
        for url, entry in self.resumed.requests.items():
            state = self.states.get(entry.get("s"))
            if state is None or state.finished:
                continue
            state.seen.add(url)
            state.requested += 1
            state.traps.check(url)  # the trap rules' counts of URL shapes, as they were
            if url in emitted:
                state.pages += 1

    def site(self, site_id: str | None) -> SiteState | None:
        return self.states.get(site_id or "")

    def active_count(self) -> int:
        return sum(1 for s in self.states.values() if s.status != PENDING and not s.finished)

    async def wait_for_room(self) -> None:
        """Until fewer than ``max_active`` sites are being crawled (this keeps the frontier in
        memory small, and each site's wall time starts when its crawl does). Distributed: at
        once, the shared queue paces the processes."""
        if self.distributed:
            return
        while self.active_count() >= self.max_active:
            await asyncio.sleep(0.05)

    def activate(self, state: SiteState) -> None:
        state.start()
        self.stats.inc_value("sweep/sites_started")

    # --- requests -------------------------------------------------------------------------

    def admit(
        self, state: SiteState, url: str, *, depth: int, priority: int, render: bool
    ) -> str | None:
        """The canonical URL to request if the site's budgets and trap rules allow `url`
        (journalled as requested); None when not."""
        canonical = canonical_or_none(url)
        if canonical is None or canonical in state.seen:
            return None
        if not state.can_request():
            self.stats.inc_value("sweep/skipped/budget")
            return None
        trap = state.traps.check(canonical)
        if trap is not None:
            state.trapped += 1
            state.seen.add(canonical)
            self.stats.inc_value(f"sweep/skipped/trap/{trap}")
            return None
        state.seen.add(canonical)
        state.requested += 1
        if self.journal is not None:
            self.journal.requested(canonical, state.id, depth, render, priority)
        return canonical

    def take_token(self, state: SiteState) -> int:
        """A token for a request of `state`'s site, held until :meth:`release`."""
        token = next(self._tokens)
        state.tokens.add(token)
        return token

    def resumed_requests(self, *, reindex: bool) -> list[tuple[SiteState, dict[str, Any]]]:
        """What the interrupted run left to fetch, as (site, journal entry): its frontier
        (requested, never finished), or with `reindex` the done pages whose documents died in
        the bulk writer's buffer (only while the index pipeline tracks indexing)."""
        if self.resumed is None or (reindex and not self._indexing):
            return []
        if reindex:
            entries, stat = self.resumed.unindexed(), "sweep/reindex_requests"
        else:
            entries, stat = self.resumed.pending(), "sweep/resumed_requests"
        wanted = []
        for entry in entries:
            state = self.states.get(entry.get("s"))
            # a finished site takes no new work, but may still owe the index its pages
            if state is None or (state.finished and not reindex):
                continue
            if state.status == PENDING:
                state.start()
            wanted.append((state, entry))
        self.stats.set_value(stat, len(entries))
        return wanted

    def track_indexing(self) -> Journal | None:
        """Called by the index pipeline when it opens: from now on pages emitted by the
        interrupted run but missing from ``indexed.jsonl`` are emitted again. Returns the
        journal to record indexed pages in (None without one)."""
        if self.journal is None:
            return None
        self._indexing = True
        return self.journal

    # --- pages ----------------------------------------------------------------------------

    def emit(self, state: SiteState, url: str, requested_url: str, token: int | None) -> bool:
        """Whether the page at `url` (asked for as `requested_url`) goes to the pipelines as
        an item. Not when an earlier run already emitted it, unless the index never got it:
        then it goes once more, for the index, without counting as a new page."""
        if url in self._emitted or requested_url in self._emitted:
            if not self._needs_index(url, requested_url):
                self.stats.inc_value("sweep/skipped/already_emitted")
                self.mark_done(requested_url)
                return False
            # Emitted by the interrupted run, never indexed: again, for the index (the files
            # skip it), not counted as a new page.
            self._indexed.add(url)  # once per run is enough
            self.stats.inc_value("sweep/reindexed")
        else:
            self._emitted.add(url)
            state.pages += 1
            self.stats.inc_value("sweep/pages")
        # Closed in the journal, and its token released, once the item is through the pipelines.
        self._in_pipeline[url] = (requested_url, state.id, token)
        return True

    def _needs_index(self, url: str, requested_url: str) -> bool:
        """An already emitted page the interrupted run did not get into the index."""
        if not self._indexing or self.resumed is None:
            return False
        if url in self._indexed or requested_url in self._indexed:
            return False
        return url in self.resumed.emitted or requested_url in self.resumed.emitted

    def mark_done(self, url: str, item_url: str | None = None) -> None:
        """The request for `url` is fully handled (with `item_url`: its page's item is
        through the pipelines)."""
        if self.journal is not None:
            self.journal.finished(url, item_url)

    def release(self, state: SiteState, token: int | None) -> None:
        state.tokens.discard(token)  # type: ignore[arg-type]
        state.last_activity = time.monotonic()
        self.maybe_finish(state)

    def maybe_finish(self, state: SiteState) -> None:
        # With a shared (Redis) queue another process may be fetching this site's pages: a site
        # is settled when this process closes, not when its own requests run out.
        if self.distributed or self.stopping():
            return  # an interrupted sweep leaves its running sites unsettled for --resume
        if not state.tokens and state.status != PENDING and not state.finished:
            self._finish(state)

    def _finish(self, state: SiteState) -> None:
        if self.distributed and state.pages == 0 and not state.errors and not state.closed:
            state.status, state.reason = "done", "crawled by another crawler process"
            state.finished_at = time.monotonic()
        state.finish()
        self.signals.send_catch_log(signal=site_settling, state=state)
        self.stats.inc_value(f"sweep/sites/{state.status}")
        self.site_states[state.id] = state.summary()
        if self.journal is not None:
            self.journal.site_finished(state.id, state.summary())
        self.signals.send_catch_log(signal=site_finished, site_id=state.id, summary=state.summary())

    # --- signals --------------------------------------------------------------------------

    def item_done(self, item: Any, **_: Any) -> None:
        """item_scraped, item_dropped, item_error: the page is through the pipelines."""
        item_url = item.url if isinstance(item, PageItem) else None
        entry = self._in_pipeline.pop(item_url, None) if item_url else None
        if entry is None:
            return
        requested, site_id, token = entry
        if self.halted is None:
            # A halted sweep could not make the page safe (crawler.spoolstop): not done, so
            # --resume fetches it again.
            self.mark_done(requested, item_url)
        state = self.states.get(site_id)
        if state is not None:
            self.release(state, token)

    def request_dropped(self, request: Any, **_: Any) -> None:
        state = self.site(request.meta.get(SITE_ID))
        if state is None:
            return
        if request.meta.get("redirect_times"):
            state.record_error("redirect loop", counts_for_budget=False)
        self.mark_done(request.meta.get(URL) or request.url)
        self.release(state, request.meta.get(TOKEN))

    def halt(self, reason: str) -> None:
        """The sweep stops before its end because of `reason` (not its sites'): from now on
        pages are not journalled as done and running sites stay unsettled, for --resume."""
        self.halted = reason

    def finish_reason(self, reason: str) -> str:
        """The sweep's finish reason: why it was halted, if it was (even while it was already
        closing: the spool failed on the last flush), else Scrapy's close `reason`."""
        return self.halted or reason

    def stopping(self) -> bool:
        """True once the sweep is being shut down (Ctrl-C, SIGTERM, :meth:`halt`): what fails
        from then on failed because of the shutdown, not because of its site, and --resume
        retries it."""
        if self.halted is not None:
            return True
        return self._crawling_at_open and self._is_crawling is not None and not self._is_crawling()

    def spider_opened(self, spider: Any) -> None:
        self._crawling_at_open = self._is_crawling is not None and self._is_crawling()
        self._ticker = task.LoopingCall(self._tick)
        self._ticker.start(1.0, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        # An interrupted sweep leaves its running sites unsettled: --resume continues them.
        settle = (reason == "finished" and self.halted is None) or self.distributed
        for state in self.states.values():
            if settle and state.status != PENDING and not state.finished:
                self._finish(state)
        self._refresh_site_states()
        if self.journal is not None:
            self.journal.close()

    def _tick(self) -> None:
        """Once a second: enforce wall-time budgets, settle sites whose requests went missing."""
        now = time.monotonic()
        for state in self.states.values():
            if state.status == PENDING or state.finished:
                continue
            self.enforce_deadline(state, now)
            if state.tokens and now - state.last_activity > self.stale_after:
                logger.warning("site %s: %d requests never came back", state.id, len(state.tokens))
                state.tokens.clear()
            self.maybe_finish(state)
        self._refresh_site_states()

    def enforce_deadline(self, state: SiteState, now: float) -> bool:
        """Close `state`'s site if its wall time is used up; True if that happened now."""
        if state.check_deadline(now):
            self.stats.inc_value("sweep/sites_timed_out")
            return True
        return False

    def _refresh_site_states(self) -> None:
        for site_id, state in self.states.items():
            self.site_states[site_id] = state.summary()
