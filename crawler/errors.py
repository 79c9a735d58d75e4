"""Exceptions of the crawler that stop a sweep before it starts (registry, site list, options)."""

from __future__ import annotations

from ground.errors import WuzhaError


class CrawlError(WuzhaError):
    """A sweep cannot run as asked: bad registry row set, unknown site, unusable option value."""
