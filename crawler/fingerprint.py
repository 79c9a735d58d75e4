"""Request fingerprints on canonical URLs, for Scrapy's and scrapy-redis's de-duplication.

Two spellings of one page (tracking parameters, session ids, query order, default port) give
one fingerprint, the same notion of "same page" the indexer uses for document ids.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter as RedisDupeFilter

from ground.urls import canonical_url


def canonical_fingerprint(request: Request) -> bytes:
    """sha1 over method, canonical URL, body and whether the page is rendered in a browser
    (a rendered fetch of a page already fetched plainly is a different request)."""
    try:
        url = canonical_url(request.url)
    except ValueError:
        url = request.url
    digest = hashlib.sha1()
    digest.update(request.method.encode("ascii", "replace"))
    digest.update(b"\0" + url.encode("utf-8"))
    digest.update(b"\0" + (request.body or b""))
    if request.meta.get("playwright"):
        digest.update(b"\0rendered")
    return digest.digest()


class CanonicalRequestFingerprinter:
    """Scrapy ``REQUEST_FINGERPRINTER_CLASS`` based on :func:`canonical_fingerprint`."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> CanonicalRequestFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        return canonical_fingerprint(request)


class CanonicalRedisDupeFilter(RedisDupeFilter):
    """scrapy-redis's shared seen-set, keyed by the same canonical fingerprint."""

    def request_fingerprint(self, request: Request) -> str:
        return canonical_fingerprint(request).hex()
