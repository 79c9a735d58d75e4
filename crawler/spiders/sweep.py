"""The sweep: crawl every registered site within its budgets and emit one item per page.

``scrapy crawl sweep -a sites=FILE [-a site=URL|HOST[:PORT]|NAME,…] [-a max_pages=N]
[-a max_depth=N]`` or, for operators, ``wuzha crawl``.

Sites are started a few at a time (``WUZHA_ACTIVE_SITES``) so the frontier in memory stays small
and each site's wall-time budget starts when its crawl does. Every request carries its site's id
as ``download_slot`` (per-site concurrency and AutoThrottle) and a token, held until the request
failed or its page is through the pipelines; when a site has no token left it is finished and its
final state settled (`site_states`). With ``WUZHA_JOB_DIR`` every step is journalled
(:mod:`crawler.journal`) so ``--resume`` continues a killed sweep without gaps or duplicates.
With Elasticsearch the index pipeline also journals which pages reached the index
(:meth:`SweepSpider.track_indexing`): on resume, pages emitted but never indexed (lost from the
bulk writer's buffer) are fetched again without following their links or counting against the
budget, and emitted again for the index; the output files already hold them and skip them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.failures import describe_failure, is_site_failure
from crawler.forumlinks import classify, link_priority, same_listing, utility_page
from crawler.items import PageItem
from crawler.journal import Journal, JournalState
from crawler.scope import ScopeMap, TrapLimits, canonical_or_none, find_sites, is_page_link
from crawler.sitelist import load_sites, normalise_site
from crawler.sitestate import PENDING, Budget, SiteState

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _render_meta() -> dict[str, Any]:
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        # Content fetched by scripts after "load": give the network a moment to settle.
        "playwright_page_methods": [
            PageMethod("wait_for_load_state", "networkidle", timeout=5_000)
        ],
    }


class SweepSpider(scrapy.Spider):
    name = "sweep"

    def __init__(
        self,
        sites: str | None = None,
        site: str | list[str] | None = None,
        site_list: list[dict[str, Any]] | None = None,
        max_pages: int | str | None = None,
        max_depth: int | str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if site_list is None:
            if not sites:
                raise ValueError("give the sites to crawl: scrapy crawl sweep -a sites=FILE")
            site_list, problems = load_sites(sites)
            for problem in problems:
                logger.warning("site file: %s", problem)
        else:
            site_list = [normalise_site(s) for s in site_list]
        if site:
            specs = site.split(",") if isinstance(site, str) else list(site)
            site_list = find_sites(site_list, specs)
        if not site_list:
            raise ValueError("no sites to crawl")
        self._site_dicts = site_list
        self._max_pages = int(max_pages) if max_pages not in (None, "") else None
        self._max_depth = int(max_depth) if max_depth not in (None, "") else None
        self._tokens = itertools.count(1)
        self.states: dict[str, SiteState] = {}
        self.site_states: dict[str, dict[str, Any]] = {}
        self.journal: Journal | None = None
        self._resumed: JournalState | None = None
        self._ticker: task.LoopingCall | None = None
        self._indexing = False  # the index pipeline journals what reached Elasticsearch
        self._indexed: set[str] = set()  # page URLs the interrupted run got into the index

    # --- set-up -----------------------------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SweepSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler.settings)
        crawler.signals.connect(spider._on_request_dropped, signals.request_dropped)
        crawler.signals.connect(spider._on_item_done, signals.item_scraped)
        crawler.signals.connect(spider._on_item_dropped, signals.item_dropped)
        crawler.signals.connect(spider._on_item_error, signals.item_error)
        crawler.signals.connect(spider._on_opened, signals.spider_opened)
        crawler.signals.connect(spider._on_closed, signals.spider_closed)
        return spider

    def _configure(self, settings: Any) -> None:
        budget = Budget(
            max_pages=self._max_pages or settings.getint("WUZHA_MAX_PAGES", 200),
            max_depth=self._max_depth
            if self._max_depth is not None
            else settings.getint("WUZHA_MAX_DEPTH", 4),
            wall_time=settings.getfloat("WUZHA_SITE_TIMEOUT", 600.0),
            max_consecutive_errors=settings.getint("WUZHA_SITE_MAX_ERRORS", 8),
        )
        limits = TrapLimits(
            max_query_variants=settings.getint("WUZHA_TRAP_MAX_QUERY_VARIANTS", 12),
            max_page_number=settings.getint("WUZHA_TRAP_MAX_PAGE_NUMBER", 30),
            max_offsets=settings.getint("WUZHA_TRAP_MAX_PAGE_NUMBER", 30),
            date_window_past_days=settings.getint("WUZHA_TRAP_DATE_WINDOW_DAYS", 366),
        )
        for site in self._site_dicts:
            state = SiteState.create(site, budget, limits)
            self.states[state.id] = state
        self.scopes = ScopeMap(s.scope for s in self.states.values())
        self.budget = budget
        self.render_enabled = settings.getbool("WUZHA_RENDER", True) and bool(
            settings.getdict("DOWNLOAD_HANDLERS")
            .get("http", "")
            .endswith("ScrapyPlaywrightDownloadHandler")
        )
        self.render_min_text = settings.getint("WUZHA_RENDER_MIN_TEXT", 80)
        self.distributed = "scrapy_redis" in str(settings.get("SCHEDULER", ""))
        per_site = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.max_active = settings.getint("WUZHA_ACTIVE_SITES") or max(
            8, 2 * settings.getint("CONCURRENT_REQUESTS", 64) // per_site
        )
        self.stale_after = 2 * settings.getfloat("DOWNLOAD_TIMEOUT", 20) + 60
        self.run_id = settings.get("WUZHA_RUN_ID") or ""
        job_dir = settings.get("WUZHA_JOB_DIR")
        out_dir = settings.get("WUZHA_OUT_DIR")
        if job_dir and not self.distributed:
            self.journal = Journal(Path(job_dir))
            if settings.getbool("WUZHA_RESUME") and self.journal.exists:
                pages_file = Path(out_dir) / "pages.jsonl" if out_dir else None
                self._resumed = self.journal.load(pages_file)
                self.run_id = self._resumed.run_id or self.run_id
            self.run_id = self.run_id or uuid.uuid4().hex[:12]
            self.journal.start(self.run_id, fresh=self._resumed is None)
        self.run_id = self.run_id or uuid.uuid4().hex[:12]
        self._emitted: set[str] = set(self._resumed.emitted) if self._resumed else set()
        self._in_pipeline: dict[str, tuple[str, str, int | None]] = {}  # item url -> request
        if self._resumed is not None:
            self._indexed = set(self._resumed.indexed)
        self._restore_sites()
        self._refresh_site_states()

    def _restore_sites(self) -> None:
        """After a restart: finished sites stay finished, started ones get their counters back."""
        if self._resumed is None:
            return
        for site_id, record in self._resumed.finished_sites.items():
            state = self.states.get(site_id)
            if state is None:
                continue
            state.status = record.get("status", "done")
            state.reason = record.get("reason", "")
            state.pages = int(record.get("pages", 0))
            state.errors = int(record.get("errors", 0))
            state.finished_at = 0.0
        emitted = self._resumed.emitted
        for url, entry in self._resumed.requests.items():
            state = self.states.get(entry.get("s"))
            if state is None or state.finished:
                continue
            state.seen.add(url)
            state.requested += 1
            state.traps.check(url)  # the trap rules' counts of URL shapes, as they were
            if url in emitted:
                state.pages += 1

    def track_indexing(self) -> Journal | None:
        """Called by the index pipeline when it opens: from now on pages emitted by the
        interrupted run but missing from ``indexed.jsonl`` are emitted again. Returns the
        journal to record indexed pages in (None without one)."""
        if self.journal is None:
            return None
        self._indexing = True
        return self.journal

    def _on_opened(self, spider: scrapy.Spider) -> None:
        self._ticker = task.LoopingCall(self._tick)
        self._ticker.start(1.0, now=False)

    def _on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        # An interrupted sweep leaves its running sites unsettled: --resume continues them.
        settle = reason == "finished" or self.distributed
        for state in self.states.values():
            if settle and state.status != PENDING and not state.finished:
                self._finish(state)
        self._refresh_site_states()
        if self.journal is not None:
            self.journal.close()

    # --- start: sites a few at a time ---------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self._resumed is not None:
            # Build them all (each takes its site's token) before handing out the first: Scrapy
            # pulls start requests lazily, and a site whose first resumed requests came back
            # before the next was built would be settled as finished and the rest of its
            # frontier dropped. They are the frontier the interrupted run held in memory anyway.
            for request in [*self._resume_requests(), *self._reindex_requests()]:
                yield request
        for state in list(self.states.values()):
            if state.status != PENDING:
                continue
            if not self.distributed:
                while self._active_count() >= self.max_active:
                    await asyncio.sleep(0.05)
            request = self._activate(state)
            if request is not None:
                yield request
            else:
                self._maybe_finish(state)

    def _active_count(self) -> int:
        return sum(1 for s in self.states.values() if s.status != PENDING and not s.finished)

    def _activate(self, state: SiteState) -> Request | None:
        state.start()
        self.crawler.stats.inc_value("sweep/sites_started")
        return self._make_request(
            state,
            state.scope.start_url,
            depth=0,
            priority=0,
            render=bool(state.site.get("render_js")) and self.render_enabled,
        )

    def _resume_requests(self) -> Iterator[Request]:
        """The interrupted run's frontier: requested, never finished."""
        assert self._resumed is not None
        yield from self._journal_requests(
            self._resumed.pending(), "sweep/resumed_requests", reindex=False
        )

    def _reindex_requests(self) -> Iterator[Request]:
        """Done pages whose documents died in the bulk writer's buffer: fetched again for the
        index only (already counted, links already journalled, files already hold them)."""
        assert self._resumed is not None
        if not self._indexing:
            return
        yield from self._journal_requests(
            self._resumed.unindexed(), "sweep/reindex_requests", reindex=True
        )

    def _journal_requests(
        self, entries: list[dict], stat: str, *, reindex: bool
    ) -> Iterator[Request]:
        for entry in entries:
            state = self.states.get(entry.get("s"))
            # a finished site takes no new work, but may still owe the index its pages
            if state is None or (state.finished and not reindex):
                continue
            if state.status == PENDING:
                state.start()
            yield self._build_request(
                state,
                entry["u"],
                depth=int(entry.get("d", 0)),
                priority=int(entry.get("p", 0)),
                render=bool(entry.get("r")) and self.render_enabled,
                # Its fingerprint may be in a seen-set of the interrupted run: fetch it anyway.
                dont_filter=True,
                reindex=reindex,
            )
        self.crawler.stats.set_value(stat, len(entries))

    # --- requests ---------------------------------------------------------------------------

    def _make_request(
        self, state: SiteState, url: str, *, depth: int, priority: int, render: bool
    ) -> Request | None:
        """A request for `url` if the site's scope, budgets and trap rules allow it."""
        canonical = canonical_or_none(url)
        if canonical is None or canonical in state.seen:
            return None
        if not state.can_request():
            self.crawler.stats.inc_value("sweep/skipped/budget")
            return None
        trap = state.traps.check(canonical)
        if trap is not None:
            state.trapped += 1
            state.seen.add(canonical)
            self.crawler.stats.inc_value(f"sweep/skipped/trap/{trap}")
            return None
        state.seen.add(canonical)
        state.requested += 1
        if self.journal is not None:
            self.journal.requested(canonical, state.id, depth, render, priority)
        return self._build_request(state, canonical, depth=depth, priority=priority, render=render)

    def _build_request(
        self,
        state: SiteState,
        url: str,
        *,
        depth: int,
        priority: int,
        render: bool,
        dont_filter: bool = False,
        reindex: bool = False,
    ) -> Request:
        token = next(self._tokens)
        state.tokens.add(token)
        meta: dict[str, Any] = {
            "site_id": state.id,
            "download_slot": state.id,
            "wz_token": token,
            "wz_url": url,
            "depth": depth,
        }
        if reindex:
            meta["wz_reindex"] = True
        if render:
            meta.update(_render_meta())
        return Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            meta=meta,
            priority=priority,
            dont_filter=dont_filter,
        )

    # --- responses --------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        state = self.states.get(meta.get("site_id", ""))
        if state is None:
            return
        item_out = False
        try:
            for output in self._handle_page(state, response):
                item_out = item_out or isinstance(output, PageItem)
                yield output
        finally:
            # A page's item keeps the token until the pipelines are through with it (see
            # _on_item_done): a site is settled only when all its pages are written.
            if not item_out:
                self._release(state, meta.get("wz_token"))

    def _handle_page(self, state: SiteState, response: Response) -> Iterator[Any]:
        from pagemodel import extract_page
        from pagemodel.encoding import NotHtml, decode_html

        stats = self.crawler.stats
        requested_url = response.meta.get("wz_url") or response.url
        status = response.status
        if status >= 400:
            state.record_error(f"HTTP {status}", counts_for_budget=status >= 500)
            stats.inc_value(f"sweep/http_errors/{status}")
            self._mark_done(requested_url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        rendered = bool(response.meta.get("playwright"))
        if rendered:
            # Playwright hands back the DOM serialised as UTF-8, whatever the server said.
            content_type = "text/html; charset=utf-8"
        elif content_type and not content_type.startswith(_HTML_TYPES):
            state.record_error(
                f"not a page ({content_type.split(';')[0]})", counts_for_budget=False
            )
            stats.inc_value("sweep/skipped/not_html")
            self._mark_done(requested_url)
            return
        started = time.perf_counter()
        try:
            text, charset, charset_source = decode_html(response.body, content_type or None)
        except NotHtml as err:
            state.record_error(
                f"binary content served as a page ({err.reason})", counts_for_budget=False
            )
            stats.inc_value(f"sweep/skipped/binary/{err.reason}")
            self._mark_done(requested_url)
            return
        try:
            page = extract_page(text, response.url)
        except Exception as err:
            logger.exception("extraction failed for %s", response.url)
            state.record_error(f"extraction failed: {type(err).__name__}", counts_for_budget=False)
            stats.inc_value("sweep/errors/extraction")
            self._mark_done(requested_url)
            return
        stats.inc_value("timing/extract_seconds", time.perf_counter() - started)
        stats.inc_value("timing/extract_pages")
        state.record_success()

        if not rendered and self._needs_render(page, text):
            stats.inc_value("sweep/render_fallback")
            request = self._build_request(
                state,
                requested_url,
                depth=response.meta.get("depth", 0),
                priority=response.request.priority + 5 if response.request else 5,
                render=True,
                dont_filter=True,
                reindex=bool(response.meta.get("wz_reindex")),
            )
            # The journal entry for this URL is completed by the rendered fetch.
            yield request
            return

        depth = int(response.meta.get("depth", 0))
        if not response.meta.get("wz_reindex"):
            # A page fetched again for the index only: its links were journalled the first time.
            yield from self._follow_links(state, page, depth)

        url = canonical_or_none(response.url) or requested_url
        if url in self._emitted or requested_url in self._emitted:
            if not self._needs_index(url, requested_url):
                stats.inc_value("sweep/skipped/already_emitted")
                self._mark_done(requested_url)
                return
            # Emitted by the interrupted run, never indexed: again, for the index (the files
            # skip it), not counted as a new page.
            self._indexed.add(url)  # once per run is enough
            stats.inc_value("sweep/reindexed")
        else:
            self._emitted.add(url)
            state.pages += 1
            stats.inc_value("sweep/pages")
        # Closed in the journal, and its token released, once the item is through the pipelines.
        self._in_pipeline[url] = (requested_url, state.id, response.meta.get("wz_token"))
        redirects = response.meta.get("redirect_urls") or []
        yield PageItem.from_page(
            page,
            url=url,
            original_url=redirects[0] if redirects else requested_url,
            run_id=self.run_id,
            site=dict(state.site),
            status=status,
            fetched_at=_utc_now(),
            depth=depth,
            rendered=rendered,
            charset=charset,
            charset_source=charset_source,
        )

    def _needs_index(self, url: str, requested_url: str) -> bool:
        """An already emitted page the interrupted run did not get into the index."""
        if not self._indexing or self._resumed is None:
            return False
        if url in self._indexed or requested_url in self._indexed:
            return False
        return url in self._resumed.emitted or requested_url in self._resumed.emitted

    def _needs_render(self, page: dict[str, Any], html: str) -> bool:
        """A page whose content only scripts can produce: scripts, hardly any text and no
        links (list pages have little main text but many links; they are fine as they are)."""
        if not self.render_enabled:
            return False
        if len((page.get("text") or "").strip()) >= self.render_min_text:
            return False
        if len(page.get("links") or ()) >= 3:
            return False
        return "<script" in html.lower()

    def _follow_links(
        self, state: SiteState, page: dict[str, Any], depth: int
    ) -> Iterator[Request]:
        """Requests for the page's in-scope links; the next page of the same board or thread
        keeps the page's depth, any other link is one level deeper."""
        render = bool(state.site.get("render_js")) and self.render_enabled
        here = page.get("forum")
        for link in page.get("links", []):
            url = link.get("url") if isinstance(link, dict) else None
            if not url or not is_page_link(url) or utility_page(url):
                continue
            if not state.scope.contains(url):
                continue
            if self.scopes.owner(url, finder=state.id) != state.id:
                continue
            info = classify(url)
            link_depth = depth if same_listing(here, info) else depth + 1
            if link_depth > state.budget.max_depth:
                continue
            request = self._make_request(
                state,
                url,
                depth=link_depth,
                priority=link_priority(info) - link_depth,
                render=render,
            )
            if request is not None:
                yield request
            elif state.budget_hit:
                break

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        state = self.states.get(request.meta.get("site_id", ""))
        if state is None:
            return
        reason = describe_failure(failure)
        state.record_error(reason, counts_for_budget=is_site_failure(failure))
        self.crawler.stats.inc_value(f"sweep/errors/{reason.split(':')[0]}")
        self._mark_done(request.meta.get("wz_url") or request.url)
        self._release(state, request.meta.get("wz_token"))

    # --- bookkeeping --------------------------------------------------------------------------

    def _mark_done(self, url: str, item_url: str | None = None) -> None:
        if self.journal is not None:
            self.journal.finished(url, item_url)

    def _on_item_done(self, item: Any, **_: Any) -> None:
        item_url = item.url if isinstance(item, PageItem) else None
        entry = self._in_pipeline.pop(item_url, None) if item_url else None
        if entry is None:
            return
        requested, site_id, token = entry
        self._mark_done(requested, item_url)
        state = self.states.get(site_id)
        if state is not None:
            self._release(state, token)

    def _on_item_dropped(self, item: dict[str, Any], **_: Any) -> None:
        self._on_item_done(item)

    def _on_item_error(self, item: dict[str, Any], **_: Any) -> None:
        self._on_item_done(item)

    def _on_request_dropped(self, request: Request, **_: Any) -> None:
        state = self.states.get(request.meta.get("site_id", ""))
        if state is None:
            return
        if request.meta.get("redirect_times"):
            state.record_error("redirect loop", counts_for_budget=False)
        self._mark_done(request.meta.get("wz_url") or request.url)
        self._release(state, request.meta.get("wz_token"))

    def _release(self, state: SiteState, token: int | None) -> None:
        state.tokens.discard(token)  # type: ignore[arg-type]
        state.last_activity = time.monotonic()
        self._maybe_finish(state)

    def _maybe_finish(self, state: SiteState) -> None:
        # With a shared (Redis) queue another process may be fetching this site's pages: a site
        # is settled when this process closes, not when its own requests run out.
        if self.distributed:
            return
        if not state.tokens and state.status != PENDING and not state.finished:
            self._finish(state)

    def _finish(self, state: SiteState) -> None:
        if self.distributed and state.pages == 0 and not state.errors and not state.closed:
            state.status, state.reason = "done", "crawled by another crawler process"
            state.finished_at = time.monotonic()
        state.finish()
        self.crawler.stats.inc_value(f"sweep/sites/{state.status}")
        self.site_states[state.id] = state.summary()
        if self.journal is not None:
            self.journal.site_finished(state.id, state.summary())
        self.crawler.signals.send_catch_log(
            signal=site_finished, spider=self, site_id=state.id, summary=state.summary()
        )

    def _tick(self) -> None:
        """Once a second: enforce wall-time budgets, settle sites whose requests went missing."""
        now = time.monotonic()
        for state in self.states.values():
            if state.status == PENDING or state.finished:
                continue
            if state.check_deadline(now):
                self.crawler.stats.inc_value("sweep/sites_timed_out")
            if state.tokens and now - state.last_activity > self.stale_after:
                logger.warning("site %s: %d requests never came back", state.id, len(state.tokens))
                state.tokens.clear()
            self._maybe_finish(state)
        self._refresh_site_states()

    def _refresh_site_states(self) -> None:
        for site_id, state in self.states.items():
            self.site_states[site_id] = state.summary()


# Sent when a site's crawl is over (summary as in `site_states`); the progress display uses it.
site_finished = object()
