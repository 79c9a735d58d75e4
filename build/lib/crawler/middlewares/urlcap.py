"""Refuse over-long URLs at the downloader, where redirects pass too.

Scrapy's UrlLengthMiddleware only sees links the spider yields; a redirect chain that grows the
URL on every hop (a classic trap) never passes there. Same limit: ``URLLENGTH_LIMIT``.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.middlewares.errors import URLTooLong


class URLCapMiddleware:
    def __init__(self, max_length: int, stats: Any = None):
        self.max_length = max_length
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> URLCapMiddleware:
        limit = crawler.settings.getint("URLLENGTH_LIMIT")
        if limit <= 0:
            raise NotConfigured
        return cls(limit, crawler.stats)

    def process_request(self, request: Request) -> None:
        if len(request.url) > self.max_length:
            if self.stats is not None:
                self.stats.inc_value("sweep/skipped/url_too_long")
            raise URLTooLong(f"URL longer than {self.max_length} characters")
