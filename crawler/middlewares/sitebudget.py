"""Drop requests of sites that used up their budget, and give every request a download slot.

The spider stops *making* requests for a site over budget; this middleware stops the ones
already queued when a site runs out of wall time or errors, so a hostile site cannot keep the
sweep busy. Requests that carry no site (robots.txt) get a slot per host:port, so farm sites
sharing 127.0.0.1 still have separate slots.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request

from crawler.crawlstate import SITE_ID, CrawlState
from crawler.middlewares.errors import SiteClosed


class SiteBudgetMiddleware:
    def __init__(self, crawl_state: CrawlState | None, stats: Any = None):
        self.crawl_state = crawl_state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteBudgetMiddleware:
        return cls(crawler.get_extension(CrawlState), crawler.stats)

    def process_request(self, request: Request) -> None:
        if "download_slot" not in request.meta:
            request.meta["download_slot"] = urlsplit(request.url).netloc.lower()
        site_id = request.meta.get(SITE_ID)
        if site_id is None or self.crawl_state is None:
            return
        state = self.crawl_state.site(site_id)
        if state is not None:
            # Between two ticks of the crawl state: an overdue site is closed here, not later.
            self.crawl_state.enforce_deadline(state, time.monotonic())
        if state is not None and state.closed:
            if self.stats is not None:
                self.stats.inc_value("sweep/skipped/site_closed")
            raise SiteClosed(state.reason or state.status)
