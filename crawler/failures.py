"""Turn a failed request into a short reason an operator understands.

Reasons feed the per-site summary ("failed: connection refused") and stats keys
(``sweep/errors/<reason>``), so they are short and stable.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.middlewares.errors import BlockedRequest, SiteClosed
from crawler.render import NavigationFailed
from crawler.resolver import BlockedAddressError

# Failures that say the *site* is in trouble (they count towards its error budget).
_SITE_FAILURES = (
    DownloadTimeoutError,
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    DownloadFailedError,
    ResponseDataLossError,
    net_error.ConnectError,
    net_error.ConnectionLost,
    net_error.ConnectionDone,
    net_error.TimeoutError,
    net_error.DNSLookupError,
    DownloadCancelledError,
)


def describe_failure(failure: Failure) -> str:
    exc = failure.value
    if isinstance(exc, BlockedRequest | BlockedAddressError):
        return f"blocked: {exc}"
    if isinstance(exc, NavigationFailed):
        return f"browser: {exc}"
    if isinstance(exc, SiteClosed):
        return "site closed: " + str(exc)
    if isinstance(exc, DownloadTimeoutError | net_error.TimeoutError):
        return "timeout"
    if isinstance(exc, DownloadConnectionRefusedError | net_error.ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, CannotResolveHostError | net_error.DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, DownloadCancelledError):
        return "response too large" if "max size" in str(exc).lower() else "download cancelled"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        lowered = text.lower()
        if "robots.txt" in lowered:
            return "forbidden by robots.txt"
        if "redirect" in lowered:
            return "too many redirects"
        if "download_maxsize" in lowered or "max size" in lowered or "exceeded" in lowered:
            return "response too large"
        return f"skipped: {text[:120]}"
    if isinstance(exc, ResponseDataLossError | net_error.ConnectionLost | net_error.ConnectionDone):
        return "connection lost"
    name = type(exc).__name__
    return f"{name}: {str(exc)[:120]}" if str(exc) else name


def is_site_failure(failure: Failure) -> bool:
    """True when the failure says the site is down or hostile (not: robots.txt said no)."""
    exc = failure.value
    if isinstance(exc, BlockedRequest | BlockedAddressError):
        return True
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        return "redirect" in text or "size" in text
    return isinstance(exc, _SITE_FAILURES)
