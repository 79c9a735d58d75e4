"""Follow an HTTP ``Refresh:`` header (``Refresh: 0; url=http://…``) like a redirect.

Browsers follow it like ``<meta http-equiv="refresh">``, which Scrapy's MetaRefreshMiddleware
handles; the header itself Scrapy ignores, so a site could send a browser somewhere the crawl
never looks. The new request is built and counted by Scrapy's own redirect machinery
(``REDIRECT_MAX_TIMES``, ``redirect_urls``, credentials dropped across hosts) and comes back
through the downloader chain, so the SSRF guard vets it like any redirect. Same switch and delay
as meta refresh: ``METAREFRESH_ENABLED``, ``METAREFRESH_MAXDELAY``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import BaseRedirectMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from w3lib.url import safe_url_string

from ground.urls import canonical_url

# The HTML standard's "shared declarative refresh steps", which the header follows too:
# a delay, then ";" or "," (or a space), then the URL, optionally after "url=" and in quotes.
_REFRESH = re.compile(
    r"""^[\t\n\f\r ]*(?P<delay>[0-9]*\.?[0-9.]*)[\t\n\f\r ]*[;,]?[\t\n\f\r ]*
        (?:url[\t\n\f\r ]*=[\t\n\f\r ]*)?(?P<url>.*)$""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)


def refresh_target(value: bytes | str, base_url: str) -> tuple[float, str] | None:
    """(delay in seconds, absolute URL) of a ``Refresh`` header value; None when it names no
    other page (a plain ``Refresh: 5`` reloads the page itself) or does not parse."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    match = _REFRESH.match(text)
    if match is None or not any(c.isdigit() for c in match.group("delay")):
        return None
    delay = float(match.group("delay").split(".", 1)[0] or 0)
    url = match.group("url").strip("\t\n\f\r ")
    if url[:1] in ("'", '"'):
        url = url[1:].split(url[0], 1)[0]
    if not url:
        return None
    # Header bytes are latin-1 on the wire; the URL in them is usually UTF-8 (or percent-encoded).
    return delay, urljoin(base_url, safe_url_string(url.encode("latin-1", "replace"), "utf-8"))


class RefreshHeaderMiddleware(BaseRedirectMiddleware):
    enabled_setting = "METAREFRESH_ENABLED"

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.max_delay = settings.getfloat("METAREFRESH_MAXDELAY")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        value = response.headers.get("Refresh")
        if not value or request.meta.get("dont_redirect") or request.method == "HEAD":
            return response
        target = refresh_target(value, response.url)
        if target is None or target[0] >= self.max_delay or is_same_page(target[1], response.url):
            return response
        redirected = self._redirect_request_using_get(request, response, target[1])
        if urlparse_cached(redirected).scheme not in ("http", "https"):
            return response
        return self._redirect(redirected, request, "refresh header")


def is_same_page(url: str, current: str) -> bool:
    """A refresh to the page itself reloads it (live pages do): no redirect, or the duplicate
    filter would drop the new request and the page with it."""
    try:
        return canonical_url(url) == canonical_url(current)
    except ValueError:
        return False
