"""Why our downloader middlewares refuse a request (subclasses of Scrapy's IgnoreRequest, so
the request's errback hears about it and nothing is logged as an error)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class BlockedRequest(IgnoreRequest):
    """The SSRF guard refused the request: its address is not on the public internet."""


class SiteClosed(IgnoreRequest):
    """The request's site used up its wall-time or error budget."""


class URLTooLong(IgnoreRequest):
    """The URL is longer than the crawler requests (usually a trap)."""
