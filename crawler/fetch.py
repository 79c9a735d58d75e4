"""Fetch one page outside a sweep (`wuzha rules scan URL`): size cap, timeout, address guard.

Addresses are resolved and vetted BEFORE any connection by the sweep's own address policy
(:class:`ground.addresses.AddressPolicy`: private, loopback, link-local, CGNAT, metadata,
v4-mapped, NAT64 and 6to4 forms), the connection goes to the vetted address (no second DNS
answer can swap it), and every redirect is vetted again. Networks the operator allows
explicitly (the policy's allow-list, e.g. 127.0.0.1/32) are exempt, as in the sweep.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from crawler.errors import CrawlError, FetchRefused
from ground.addresses import AddressPolicy, parse_ip, refusal_for_host

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15.0
MAX_REDIRECTS = 5
USER_AGENT = "wuzha-rules-scan/0.1 (+fraud review tool of the cyberspace office)"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    title: str
    text: str
    content_type: str


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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, **kwargs) -> None:
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_raw(
    url: str,
    *,
    policy: AddressPolicy,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> tuple[str, bytes, str]:
    """(final URL, body up to max_bytes, content type)."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CrawlError(f"{url!r} is not an http(s) URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = vet_host(parts.hostname, port, policy)
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = cls(parts.hostname, address, port=port, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept-Encoding": "identity",
                    "Accept": "text/html,text/plain;q=0.9,*/*;q=0.5",
                },
            )
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status >= 400:
                raise CrawlError(f"{url} answered HTTP {response.status}; check the URL")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                body = body[:max_bytes]
            return url, body, response.getheader("Content-Type") or ""
        except (OSError, http.client.HTTPException) as err:
            raise CrawlError(f"cannot fetch {url}: {err}") from None
        finally:
            conn.close()
    raise CrawlError(f"{url}: more than {MAX_REDIRECTS} redirects; giving up")


def decode(body: bytes, content_type: str) -> str:
    charset = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            charset = value.strip("\"' ")
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def html_to_text(html: str) -> tuple[str, str]:
    """(title, visible text) of an HTML document."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return title, "\n".join(line for line in lines if line)


def fetch_page(
    url: str,
    *,
    policy: AddressPolicy,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> FetchedPage:
    final_url, body, content_type = fetch_raw(
        url, policy=policy, max_bytes=max_bytes, timeout=timeout
    )
    text = decode(body, content_type)
    if "html" in content_type.lower() or text.lstrip()[:100].lower().startswith(
        ("<!doctype", "<html")
    ):
        title, text = html_to_text(text)
    else:
        title = ""
    return FetchedPage(final_url, title, text, content_type)
