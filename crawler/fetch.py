"""Fetch one page outside a sweep (`wuzha rules scan URL`) the way the sweep fetches it.

Same request: the sweep's User-Agent and default headers (crawler.settings), compressed bodies
accepted and inflated up to the size cap. Same guard: addresses are resolved and vetted BEFORE
any connection by the sweep's own address policy (:class:`ground.addresses.AddressPolicy`:
private, loopback, link-local, CGNAT, metadata, v4-mapped, NAT64 and 6to4 forms), the connection
goes to the vetted address (no second DNS answer can swap it; TLS still checks the host name),
and every redirect is vetted again. Networks the operator allows explicitly (the policy's
allow-list, e.g. 127.0.0.1/32) are exempt, as in the sweep.

The bytes then go through the page model like a crawled page (pagemodel.model.read_page).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

from crawler.errors import CrawlError, FetchRefused
from crawler.settings import (
    DEFAULT_REQUEST_HEADERS,
    METAREFRESH_IGNORE_TAGS,
    METAREFRESH_MAXDELAY,
    REDIRECT_MAX_TIMES,
    USER_AGENT,
)
from ground.addresses import AddressPolicy, parse_ip, refusal_for_host

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15.0
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes  # inflated, at most the cap
    content_type: str | None
    truncated: bool


def request_headers() -> dict[str, str]:
    """What the sweep sends with every request (Scrapy adds Accept-Encoding the same way)."""
    return {
        "User-Agent": USER_AGENT,
        **DEFAULT_REQUEST_HEADERS,
        "Accept-Encoding": "gzip, deflate, br",
    }


def vet_host(host: str, port: int, policy: AddressPolicy) -> str:
    """The address to connect to, or :class:`FetchRefused` if the host resolves anywhere the
    crawl's address policy refuses (the same policy as the sweep's: :mod:`ground.addresses`)."""
    address = parse_ip(host)
    if address is not None:
        reason = policy.refusal(address)
        if reason:
            raise FetchRefused(host, reason)
        return str(address)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise CrawlError(f"cannot resolve {host}: {err.strerror}; check the URL") from None
    addresses = sorted({str(info[4][0]).split("%", 1)[0] for info in infos})
    reason = refusal_for_host(host, addresses, policy)
    if reason:
        raise FetchRefused(host, reason)
    return addresses[0]


def fetch(
    url: str, *, policy: AddressPolicy, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT
) -> Fetched:
    """The page at ``url`` (following redirects and refreshes as the sweep does, each vetted);
    HTTP errors are a CrawlError."""
    for _ in range(REDIRECT_MAX_TIMES + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CrawlError(f"{url!r} is not an http(s) URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = vet_host(parts.hostname, port, policy)
        response = _get(url, parts, address, port, timeout)
        try:
            if response.status in _REDIRECTS and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status >= 400:
                raise CrawlError(f"{url} answered HTTP {response.status}; check the URL")
            body, truncated = _read(response, max_bytes)
            fetched = Fetched(
                url, response.status, body, response.headers.get("Content-Type"), truncated
            )
            target = refresh_of(fetched, response.headers.get("Refresh"))
            if target is None:
                return fetched
            url = target
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise CrawlError(f"cannot fetch {url}: {err}") from None
        finally:
            response.release_conn()
    raise CrawlError(f"{url}: more than {REDIRECT_MAX_TIMES} redirects; giving up")


def refresh_of(fetched: Fetched, header: str | None) -> str | None:
    """Where a page sends the browser at once, as the sweep follows it: a ``Refresh:`` header
    (crawler.middlewares.refresh) or a ``<meta http-equiv=refresh>`` (Scrapy's
    MetaRefreshMiddleware, whose parsing this reuses); None to stay (a refresh to the page
    itself is a reload)."""
    from scrapy.http import HtmlResponse
    from scrapy.utils.response import get_meta_refresh

    from crawler.middlewares.refresh import is_same_page, refresh_target

    target = refresh_target(header, fetched.url) if header else None
    if target is None and (fetched.content_type or "text/html").lower().startswith("text/html"):
        page = HtmlResponse(
            fetched.url,
            body=fetched.body,
            headers={"Content-Type": fetched.content_type or "text/html"},
        )
        delay, found = get_meta_refresh(page, ignore_tags=METAREFRESH_IGNORE_TAGS)
        target = (delay, found) if found else None
    if target is None or target[0] >= METAREFRESH_MAXDELAY or is_same_page(target[1], fetched.url):
        return None
    return target[1]


def _get(url: str, parts, address: str, port: int, timeout: float) -> urllib3.BaseHTTPResponse:
    host = parts.hostname
    headers = request_headers()
    headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            retries=False,
            timeout=timeout,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, retries=False, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        return pool.urlopen(
            "GET",
            path,
            headers=headers,
            redirect=False,
            preload_content=False,
            decode_content=True,
        )
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise CrawlError(f"cannot fetch {url}: {err}") from None


def _read(response: urllib3.BaseHTTPResponse, max_bytes: int) -> tuple[bytes, bool]:
    """The inflated body, cut at ``max_bytes`` (a compression bomb stops at the cap)."""
    parts: list[bytes] = []
    size = 0
    for chunk in response.stream(_CHUNK, decode_content=True):
        parts.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(parts)[:max_bytes], True
    return b"".join(parts), False
