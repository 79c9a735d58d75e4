"""The site checks' extra requests: a few of a site's pages as someone other than the sweep.

Once the sweep has fetched a site's home page, :class:`SiteVariants` asks for it again as a
search-engine crawler (the first of ``sitecheck_crawler_agents``) and as a mobile browser
arriving from a search-results page (rendered in Chromium when rendering is on and the page's
scripts could redirect or write — :func:`sitecheck.cloaking.scripts_could_redirect` — so script
redirects and text that scripts write show; a page without such scripts starts no browser); and, as a crawler, for the first two other pages
the sweep fetched. At most ``sitecheck_extra_requests`` of them per site and sweep; a render's
own sub-resources do not count (they pass the browser's address guard). Each answer is compared
with the sweep's fetch of the same page by :func:`sitecheck.cloaking.compare`, and its verdicts
go to the site's ``SiteState.compromise`` before the site is settled: the variants hold the
site's tokens like any request.

Variant requests go through the same downloader middlewares (address guard, site budget: a
closed site's variants are dropped), are never de-duplicated away, are not journalled, and do
not count as the site's pages, requests or errors. They are not retried and follow at most
``VARIANT_REDIRECTS`` redirects; each hop counts in ``sitecheck/extra_requests`` and uses up the
site's allowance. The mobile render is a phone in China (locale zh-CN, Asia/Shanghai). Only the
home page's answers mark the site's cloaking/hijack checks done (``SiteState.checked``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response

from crawler.crawlstate import SITE_ID, TOKEN, URL, CrawlState
from crawler.render import render_meta, settle
from crawler.sitestate import SiteState
from pagemodel.model import Page
from pagemodel.worker import PageRead
from sitecheck.cloaking import (
    CRAWLER,
    MOBILE_SEARCH,
    Variant,
    compare,
    kinds_checked_by,
    left_site,
    merge,
    scripts_could_redirect,
)

#: How the sweep reads a body: (body, url, content type) → the page (PageWorkers.read).
PageReader = Callable[[bytes, str, "str | None"], Awaitable[PageRead]]

logger = logging.getLogger(__name__)

VARIANT = "wz_variant"  # request meta: (variant name, agent, referer)
NAV_CHAIN = "wz_nav_chain"  # request meta: the main frame's navigations during a render
MOBILE_CONTEXT = "wuzha-mobile"  # the Playwright browser context of the mobile visits
PAGE_VARIANTS = 2  # found pages fetched again as a crawler
MOBILE_VIEWPORT = {"width": 390, "height": 844}
# a phone in China: a site's zh->en language redirect must not send the visit away
MOBILE_LOCALE, MOBILE_TIMEZONE = "zh-CN", "Asia/Shanghai"
PAGES_KEPT = 6  # sweep pages kept per site for a comparison still to come
VARIANT_PRIORITY = 20
VARIANT_REDIRECTS = 2  # redirects a variant follows (each hop is a request of the site's budget)
MOBILE_SETTLE_MS = 1_500  # after "load", the mobile visit waits this long for a quiet network


@dataclass(frozen=True)
class VariantConfig:
    extra: int  # requests per site
    agents: tuple[str, ...]
    mobile_agent: str
    referer: str  # with {name}

    @classmethod
    def from_settings(cls, settings: Any) -> VariantConfig:
        return cls(
            extra=settings.getint("WUZHA_SITECHECK_EXTRA_REQUESTS"),
            agents=tuple(settings.getlist("WUZHA_SITECHECK_CRAWLER_AGENTS")),
            mobile_agent=settings.get("WUZHA_SITECHECK_MOBILE_AGENT") or "",
            referer=settings.get("WUZHA_SITECHECK_SEARCH_REFERER") or "",
        )

    def referer_for(self, site: dict[str, Any]) -> str:
        return self.referer.replace("{name}", quote(str(site.get("name") or site.get("url"))))


@dataclass
class _Checks:
    sent: int = 0
    page_variants: int = 0
    visitor: dict[str, Page] = field(default_factory=dict)  # URL asked -> the sweep's page
    served: dict[str, int] = field(default_factory=dict)  # URL asked -> answer_key of its body


class SiteVariants:
    """The spider's helper for the extra requests (see the module docstring)."""

    def __init__(
        self, config: VariantConfig, crawl_state: CrawlState, *, render: bool, stats: Any
    ) -> None:
        self.config = config
        self.crawl_state = crawl_state
        self.render = render
        self.stats = stats
        self._sites: dict[str, _Checks] = {}
        self._engine: Any = None

    @property
    def enabled(self) -> bool:
        return self.config.extra > 0 and bool(self.config.agents)

    # --- requests -------------------------------------------------------------------------

    def after_page(
        self,
        spider: Any,
        state: SiteState,
        url: str,
        page: Page,
        html: str,
        depth: int,
        served: int | None = None,
    ) -> list[Request]:
        """The variant requests due now that the sweep fetched `page` (asked for as `url`;
        `html`: its HTML as the sweep read it; `served`: :func:`answer_key` of its body)."""
        if not self.enabled or state.closed:
            return []
        checks = self._sites.setdefault(state.id, _Checks())
        wanted: list[tuple[str, str, str]] = []  # (variant, agent, referer)
        agents = self.config.agents
        if depth == 0 and url == state.scope.start_url:
            wanted.append((CRAWLER, agents[0], ""))
            wanted.append(
                (MOBILE_SEARCH, self.config.mobile_agent, self.config.referer_for(state.site))
            )
        elif checks.page_variants < PAGE_VARIANTS:
            checks.page_variants += 1
            wanted.append((CRAWLER, agents[checks.page_variants % len(agents)], ""))
        requests = []
        for name, agent, referer in wanted:
            if checks.sent >= self.config.extra:
                break
            checks.sent += 1
            if len(checks.visitor) < PAGES_KEPT:
                checks.visitor[url] = page
                if served is not None:
                    checks.served[url] = served
            render = name == MOBILE_SEARCH and self.render and scripts_could_redirect(html)
            requests.append(self._request(spider, state, url, name, agent, referer, render))
        self.stats.inc_value("sitecheck/extra_requests", len(requests))
        return requests

    def _request(
        self,
        spider: Any,
        state: SiteState,
        url: str,
        name: str,
        agent: str,
        referer: str,
        render: bool,
    ) -> Request:
        headers = {"User-Agent": agent}
        if referer:
            headers["Referer"] = referer
        meta: dict[str, Any] = {
            SITE_ID: state.id,
            "download_slot": state.id,
            TOKEN: self.crawl_state.take_token(state),
            URL: url,
            VARIANT: (name, agent, referer),
            # one try, few hops: the extra requests per site are a budget (retries and redirect
            # hops count as requests; see hops())
            "dont_retry": True,
            "redirect_ttl": VARIANT_REDIRECTS,
        }
        if render:
            from scrapy_playwright.page import PageMethod

            meta.update(render_meta())
            # scripts that send visitors away do it at once: no need to wait for a quiet network
            meta["playwright_page_methods"] = [PageMethod(settle, MOBILE_SETTLE_MS)]
            meta["playwright_page_goto_kwargs"] = {"wait_until": "load", "referer": referer}
            meta["playwright_context"] = MOBILE_CONTEXT
            meta["playwright_context_kwargs"] = {
                "user_agent": agent,
                "is_mobile": True,
                "has_touch": True,
                "viewport": MOBILE_VIEWPORT,
                "locale": MOBILE_LOCALE,
                "timezone_id": MOBILE_TIMEZONE,
            }
            meta["playwright_page_init_callback"] = "crawler.variants.watch_navigation"
        return Request(
            url,
            callback=spider.parse_variant,
            errback=spider.on_variant_error,
            headers=headers,
            meta=meta,
            # ahead of the site's own pages: done while the site is crawled, not after it (a
            # render queued behind a whole site could outlast the site's wall-time budget)
            priority=VARIANT_PRIORITY,
            dont_filter=True,
        )

    # --- answers ----------------------------------------------------------------------------

    async def on_response(self, state: SiteState, response: Response, read: PageReader) -> None:
        """Compare a variant's answer with the sweep's page; verdicts to the site's state.
        `read`: how the sweep reads a body (``PageWorkers.read``: in a worker, time-limited)."""
        meta = response.meta
        name, agent, referer = meta[VARIANT]
        url = meta.get(URL) or response.url
        checks = self._sites.get(state.id, _Checks())
        visitor = checks.visitor.get(url)
        self.stats.inc_value(f"sitecheck/responses/{name}")
        self.stats.inc_value("sitecheck/extra_requests", hops(meta))
        checks.sent += hops(meta)  # hops use up the site's allowance: fewer variants to come
        if visitor is None or response.status >= 400:
            return
        rendered = bool(meta.get("playwright"))
        content_type = "text/html; charset=utf-8" if rendered else None
        if content_type is None:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        chain = [*(meta.get("redirect_urls") or []), *(meta.get(NAV_CHAIN) or [])]
        # the crawler got the very bytes the sweep was served (most sites): nothing to compare,
        # nothing to read
        same = (
            name == CRAWLER
            and not chain
            and response.url == url
            and answer_key(response.body, content_type) == checks.served.get(url)
        )
        if not same:
            answer = await read(response.body, response.url, content_type)
            if answer.page is None:
                return
        if url == state.scope.start_url:
            # the checks are of the home page: a found page's answer does not show a home page
            # verdict repaired (its own fetch may have failed)
            state.checked.update(kinds_checked_by(name, rendered))
        if same:
            self.stats.inc_value("sitecheck/identical")
            return
        html, page = answer.html, answer.page
        variant = Variant(
            name=name,
            url=url,
            final_url=response.url,
            page=page,
            agent=agent,
            referer=referer,
            chain=tuple(dict.fromkeys(u for u in chain if u != url)),
            rendered=rendered,
            html="" if rendered else html,
        )
        verdicts = compare(self._rules(), visitor, variant, state.scope.start_url)
        for verdict in verdicts:
            self.stats.inc_value(f"sitecheck/verdicts/{verdict.kind}")
            state.compromise = merge(state.compromise, verdict)
        if left_site(variant, state.scope.start_url) and not verdicts:
            # another domain that shows no fraud: a CDN, a WAF check, an app store — no evidence
            self.stats.inc_value(f"sitecheck/offsite_clean/{name}")

    def on_error(self, failure: Any) -> None:
        meta = failure.request.meta
        name = (meta.get(VARIANT) or ("?",))[0]
        self.stats.inc_value(f"sitecheck/errors/{name}")
        self.stats.inc_value("sitecheck/extra_requests", hops(meta))

    def forget(self, state: SiteState) -> None:
        """Drop what was kept for a site once its variants are all back."""
        if not state.tokens:
            self._sites.pop(state.id, None)

    def _rules(self) -> Any:
        if self._engine is None:
            from rules import load_engine

            self._engine = load_engine()  # cached: the scan pipeline's engine
        return self._engine


def answer_key(body: bytes, content_type: str | None) -> int:
    """What tells two answers apart before they are read: the same bytes under the same
    content type read as the same page (compared in the crawler process only: ``hash``)."""
    return hash((body, (content_type or "").lower()))


def hops(meta: dict[str, Any]) -> int:
    """The requests a variant made beyond its first: the redirects Scrapy followed (a render's
    own navigations are the browser's, like its sub-resources, and go through its guard)."""
    return len(meta.get("redirect_urls") or [])


async def watch_navigation(page: Any, request: Any) -> None:
    """Playwright page init callback of the mobile visit: note every URL the main frame is
    sent to (server redirects, meta refresh, scripts), even when the guard aborts it."""
    chain: list[str] = request.meta.setdefault(NAV_CHAIN, [])

    def on_request(browser_request: Any) -> None:
        try:
            if browser_request.is_navigation_request() and browser_request.frame == page.main_frame:
                chain.append(browser_request.url)
        except Exception:  # noqa: BLE001 - a frame gone away mid-event
            return

    page.on("request", on_request)
