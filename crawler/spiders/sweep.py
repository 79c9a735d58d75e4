"""The sweep: crawl every registered site within its budgets and emit one item per page.

``scrapy crawl sweep -a sites=FILE [-a site=URL|HOST[:PORT]|NAME,…] [-a max_pages=N]
[-a max_depth=N]`` or, for operators, ``wuzha crawl``.

The spider starts the sites a few at a time, fetches, decodes and extracts each page, follows
its in-scope links and emits a :class:`crawler.items.PageItem`. The bookkeeping — site states,
budgets, tokens, the journal and resume — belongs to the :class:`crawler.crawlstate.CrawlState`
extension: the spider asks it before making a request and tells it what became of each.
Whether a page is rendered in Chromium is :mod:`crawler.render`'s decision.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.crawlstate import REINDEX, SITE_ID, TOKEN, URL, CrawlState
from crawler.extensions.pageworkers import PageWorkers, PageWorkFailed
from crawler.extensions.sitecutoff import cut_by_budget
from crawler.failures import describe_failure, is_site_failure
from crawler.forumlinks import classify, link_priority, same_listing, utility_page
from crawler.items import PageItem
from crawler.render import RenderPolicy, ServedDocuments, render_meta
from crawler.scope import canonical_or_none, find_sites, is_page_link
from crawler.sitelist import load_sites, normalise_site
from crawler.sitestate import PENDING, SiteState
from crawler.variants import SiteVariants, VariantConfig, answer_key
from ground.clock import iso_utc
from pagemodel.model import PAGE_TYPES, Page
from pagemodel.worker import WorkFailed

logger = logging.getLogger(__name__)


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
        self.crawl_state: CrawlState = None  # type: ignore[assignment] # set when it opens
        self.render = RenderPolicy(enabled=False, min_text=0)
        self.served = ServedDocuments()  # the server's HTML of pages being rendered
        self.variants: SiteVariants = None  # type: ignore[assignment] # set when it opens
        self.workers: PageWorkers = None  # type: ignore[assignment] # set when it opens

    # --- set-up -----------------------------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SweepSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_opened, signals.spider_opened)
        return spider

    def _on_opened(self, spider: scrapy.Spider) -> None:
        """Hand the sites to the crawl state (settings are final now: add-ons have run)."""
        state = self.crawler.get_extension(CrawlState)
        if state is None:
            raise CloseSpider("the sweep needs the crawler.crawlstate.CrawlState extension")
        self.crawl_state = state
        workers = self.crawler.get_extension(PageWorkers)
        if workers is None:
            raise CloseSpider(
                "the sweep needs the crawler.extensions.pageworkers.PageWorkers extension"
            )
        self.workers = workers
        self.render = RenderPolicy.from_settings(self.crawler.settings)
        self.variants = SiteVariants(
            VariantConfig.from_settings(self.crawler.settings),
            state,
            render=self.render.enabled,
            stats=self.crawler.stats,
        )
        state.add_sites(self._site_dicts, max_pages=self._max_pages, max_depth=self._max_depth)

    # --- start: sites a few at a time ---------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        crawl = self.crawl_state
        if crawl.resumed is not None:
            # Build them all (each takes its site's token) before handing out the first: Scrapy
            # pulls start requests lazily, and a site whose first resumed requests came back
            # before the next was built would be settled as finished and the rest of its
            # frontier dropped. They are the frontier the interrupted run held in memory anyway.
            for request in [*self._resumed(reindex=False), *self._resumed(reindex=True)]:
                yield request
        for state in list(crawl.states.values()):
            if state.status != PENDING:
                continue
            await crawl.wait_for_room()
            request = self._activate(state)
            if request is not None:
                yield request
            else:
                crawl.maybe_finish(state)

    def _activate(self, state: SiteState) -> Request | None:
        self.crawl_state.activate(state)
        return self._make_request(
            state,
            state.scope.start_url,
            depth=0,
            priority=0,
            render=self.render.for_site(state.site),
        )

    def _resumed(self, *, reindex: bool) -> list[Request]:
        """The interrupted run's frontier (requested, never finished), or with `reindex` the
        done pages whose documents died in the bulk writer's buffer: fetched again for the
        index only (already counted, links already journalled, files already hold them)."""
        return [
            self._build_request(
                state,
                entry["u"],
                depth=int(entry.get("d", 0)),
                priority=int(entry.get("p", 0)),
                render=bool(entry.get("r")) and self.render.enabled,
                # Its fingerprint may be in a seen-set of the interrupted run: fetch it anyway.
                dont_filter=True,
                reindex=reindex,
            )
            for state, entry in self.crawl_state.resumed_requests(reindex=reindex)
        ]

    # --- requests ---------------------------------------------------------------------------

    def _make_request(
        self, state: SiteState, url: str, *, depth: int, priority: int, render: bool
    ) -> Request | None:
        """A request for `url` if the site's budgets and trap rules allow it."""
        canonical = self.crawl_state.admit(
            state, url, depth=depth, priority=priority, render=render
        )
        if canonical is None:
            return None
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
        meta: dict[str, Any] = {
            SITE_ID: state.id,
            "download_slot": state.id,
            TOKEN: self.crawl_state.take_token(state),
            URL: url,
            "depth": depth,
        }
        if reindex:
            meta[REINDEX] = True
        if render:
            meta.update(render_meta(served_handler="keep_served_document"))
        return Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            meta=meta,
            priority=priority,
            dont_filter=dont_filter,
        )

    # --- responses --------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        state = self.crawl_state.site(meta.get(SITE_ID))
        if state is None:
            return
        item_out = False
        try:
            async for output in self._handle_page(state, response):
                item_out = item_out or isinstance(output, PageItem)
                yield output
        finally:
            # A page's item keeps the token until the pipelines are through with it (see
            # CrawlState.item_done): a site is settled only when all its pages are written.
            if not item_out:
                self.crawl_state.release(state, meta.get(TOKEN))

    async def _handle_page(self, state: SiteState, response: Response) -> AsyncIterator[Any]:
        crawl = self.crawl_state
        stats = self.crawler.stats
        requested_url = response.meta.get(URL) or response.url
        status = response.status
        if status >= 400:
            state.record_error(f"HTTP {status}", counts_for_budget=status >= 500)
            stats.inc_value(f"sweep/http_errors/{status}")
            crawl.mark_done(requested_url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        rendered = bool(response.meta.get("playwright"))
        if rendered:
            # Playwright hands back the DOM serialised as UTF-8, whatever the server said.
            content_type = "text/html; charset=utf-8"
        elif content_type and not content_type.startswith(PAGE_TYPES):
            state.record_error(
                f"not a page ({content_type.split(';')[0]})", counts_for_budget=False
            )
            stats.inc_value("sweep/skipped/not_html")
            crawl.mark_done(requested_url)
            return
        served = self.served.take(response.url) if rendered else None
        try:
            read = await self.workers.read(
                response.body, response.url, content_type or None, served
            )
        except PageWorkFailed as err:
            state.record_error(f"page not read: {err}", counts_for_budget=False)
            stats.inc_value(f"sweep/errors/{err.stat}")
            if err.final:  # a worker lost under it may have been the machine's fault: resume
                crawl.mark_done(requested_url)
            return
        except Exception as err:
            logger.exception("extraction failed for %s", response.url)
            kind = err.kind if isinstance(err, WorkFailed) else type(err).__name__
            state.record_error(f"extraction failed: {kind}", counts_for_budget=False)
            stats.inc_value("sweep/errors/extraction")
            crawl.mark_done(requested_url)
            return
        if read.page is None:
            state.record_error(
                f"binary content served as a page ({read.not_html})", counts_for_budget=False
            )
            stats.inc_value(f"sweep/skipped/binary/{read.not_html}")
            crawl.mark_done(requested_url)
            return
        page, html = read.page, read.html
        state.record_success()

        if not rendered and self.render.needs_render(page, html):
            stats.inc_value("sweep/render_fallback")
            request = self._build_request(
                state,
                requested_url,
                depth=response.meta.get("depth", 0),
                priority=response.request.priority + 5 if response.request else 5,
                render=True,
                dont_filter=True,
                reindex=bool(response.meta.get(REINDEX)),
            )
            # The journal entry for this URL is completed by the rendered fetch.
            yield request
            return

        depth = int(response.meta.get("depth", 0))
        if not response.meta.get(REINDEX):
            # A page fetched again for the index only: its links were journalled the first time.
            for request in self._follow_links(state, page, depth):
                yield request

        url = canonical_or_none(response.url) or requested_url
        if not crawl.emit(state, url, requested_url, response.meta.get(TOKEN)):
            return
        if not response.meta.get(REINDEX):
            # cloaking and hijack checks: this page again as a crawler / a mobile visitor
            body_key = answer_key(response.body, content_type)
            checks = self.variants.after_page(
                self, state, requested_url, page, html, depth, body_key
            )
            for request in checks:
                yield request
        redirects = response.meta.get("redirect_urls") or []
        yield PageItem.from_page(
            page,
            url=url,
            original_url=redirects[0] if redirects else requested_url,
            run_id=crawl.run_id,
            site=dict(state.site),
            status=status,
            fetched_at=iso_utc(timespec="seconds"),
            depth=depth,
            rendered=rendered,
        )

    async def keep_served_document(self, response: Any) -> None:
        """Playwright's ``response`` event on rendered pages (see crawler.render)."""
        await self.served.keep(response)

    def _follow_links(self, state: SiteState, page: Page, depth: int) -> Iterator[Request]:
        """Requests for the page's in-scope links; the next page of the same board or thread
        keeps the page's depth, any other link is one level deeper."""
        render = self.render.for_site(state.site)
        scopes = self.crawl_state.scopes
        here = page.forum
        for link in page.links:
            url = link.get("url") if isinstance(link, dict) else None
            if not url or not is_page_link(url) or utility_page(url):
                continue
            if not state.scope.contains(url):
                continue
            if scopes.owner(url, finder=state.id) != state.id:
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

    # --- the site checks' variants (crawler.variants) ----------------------------------------

    async def parse_variant(self, response: Response) -> None:
        state = self.crawl_state.site(response.meta.get(SITE_ID))
        if state is None:
            return
        try:
            await self.variants.on_response(state, response, self.workers.read)
        except PageWorkFailed as err:
            logger.info("site check of %s not read: %s", response.url, err)
            self.crawler.stats.inc_value(f"sitecheck/errors/{err.stat}")
        except Exception:
            logger.exception("site check failed for %s", response.url)
            self.crawler.stats.inc_value("sitecheck/errors/compare")
        finally:
            self.crawl_state.release(state, response.meta.get(TOKEN))
            self.variants.forget(state)

    def on_variant_error(self, failure: Failure) -> None:
        """A variant that failed is no error of the site's: it only gives no evidence."""
        request = failure.request
        state = self.crawl_state.site(request.meta.get(SITE_ID))
        self.variants.on_error(failure)
        if state is not None:
            self.crawl_state.release(state, request.meta.get(TOKEN))
            self.variants.forget(state)

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        state = self.crawl_state.site(request.meta.get(SITE_ID))
        if state is None:
            return
        if self.crawl_state.stopping():
            # Cancelled by the shutdown (a browser page closed under a render, a download cut):
            # not the site's failure, and not done — --resume fetches it again.
            self.crawler.stats.inc_value("sweep/interrupted_requests")
            self.crawl_state.release(state, request.meta.get(TOKEN))
            return
        if cut_by_budget(failure, state):
            # Dropped or stopped because the site's budget ended: not the site's failure, and
            # not journalled as done (the site's final record says it timed out).
            self.crawler.stats.inc_value("sweep/cut/requests")
            self.crawl_state.release(state, request.meta.get(TOKEN))
            return
        reason = describe_failure(failure)
        state.record_error(reason, counts_for_budget=is_site_failure(failure))
        self.crawler.stats.inc_value(f"sweep/errors/{reason.split(':')[0]}")
        self.crawl_state.mark_done(request.meta.get(URL) or request.url)
        self.crawl_state.release(state, request.meta.get(TOKEN))
