"""Links with anchor text, APK downloads, QR-code images, and the anchor texts of off-site links."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ground.settings import MAX_URL_CHARS
from pagemodel.textutil import squash

MAX_LINKS = 2000
MAX_ANCHOR_CHARS = 200
MAX_IMAGES = 200

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:", "file:", "ftp:")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_APK_RE = re.compile(r"\.apk(?:$|[?#&/])", re.IGNORECASE)
# 二维码 "QR code"; erweima/ewm are its pinyin, common in Chinese file names.
_QR_RE = re.compile(
    r"二维码|二維碼|扫码|掃碼|qr[-_ ]?code|erweima|(?:^|[^a-z])(?:qr|ewm)(?:[^a-z]|$)",
    re.IGNORECASE,
)
# Every match of _QR_RE holds one of these, lower-cased (its letters have no other case folds).
_QR_WORDS = ("二维码", "二維碼", "扫码", "掃碼", "qr", "erwe", "ewm")
_CLUE_ATTRS = ("src", "data-original", "data-src", "alt", "title", "class", "id")
_LAZY_SRC_ATTRS = ("data-original", "data-src", "data-lazy-src", "src")


def base_url(tree: LexborHTMLParser, page_url: str, bases: list[LexborNode] | None = None) -> str:
    """The URL relative links resolve against: ``<base href>`` when present and absolute.

    ``bases``: the tree's ``<base>`` elements in document order, when already known (those
    since detached from the tree are passed over, as the query would)."""
    if bases is None:
        base = tree.css_first("base[href]")
    else:
        base = next((node for node in bases if "href" in node.attrs and _attached(node)), None)
    if base is not None:
        href = (base.attributes.get("href") or "").strip()
        if href.lower().startswith(("http://", "https://")):
            return href
        if href:
            return urljoin(page_url, href)
    return page_url


def _attached(node: LexborNode) -> bool:
    """Whether the node is in its document (not inside a detached subtree)."""
    while node.parent is not None:
        node = node.parent
    return node.is_document_node


def host_port(url: str) -> tuple[str, int | None]:
    """``(host, port)`` with the scheme's default port filled in; ``("", None)`` if unparsable."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "", None
    host = (parts.hostname or "").lower().rstrip(".")
    return host, port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower())


class LinkResolver:
    """Resolves the hrefs of ONE page. Root-relative and plain relative hrefs (the bulk of a
    page's links) are joined by string concatenation; anything unusual goes through urljoin."""

    def __init__(self, base: str, page_url: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.scheme = parts.scheme.lower() or "http"
        self.origin = f"{self.scheme}://{parts.netloc}"
        path = parts.path or "/"
        self.directory = self.origin + path[: path.rfind("/") + 1]
        self.own = host_port(page_url)
        self.base_is_own = host_port(base) == self.own
        self._hosts: dict[str, tuple[str, int | None]] = {}

    def resolve(self, href: str | None) -> str | None:
        """Absolute http(s) URL without fragment, or None for non-web links and garbage."""
        if not href:
            return None
        href = href.strip()
        if not href or href[0] == "#" or len(href) > MAX_URL_CHARS:
            return None
        if "\t" in href or "\n" in href or "\r" in href:
            href = href.replace("\t", "").replace("\n", "").replace("\r", "")  # as browsers do
        head = href[:11].lower()
        if head.startswith(_SKIP_SCHEMES):
            return None
        if "#" in href:
            href = href.split("#", 1)[0]
        if head.startswith(("http://", "https://")):
            return self._checked_absolute(href)
        if href.startswith("//"):
            return self._checked_absolute(f"{self.scheme}:{href}")
        if ":" in href.split("/", 1)[0] or "./" in href or href.startswith(("?", ".")):
            return self._joined(href)  # other schemes, dot segments, query-only: the slow path
        if href.startswith("/"):
            return self.origin + href
        return self.directory + href

    def is_internal(self, url: str) -> bool:
        netloc = url.split("/", 3)[2]
        known = self._hosts.get(netloc)
        if known is None:
            known = self._hosts[netloc] = host_port(url)
        return known == self.own

    def _checked_absolute(self, url: str) -> str | None:
        scheme, _, rest = url.partition("://")
        netloc = rest.split("/", 1)[0].split("?", 1)[0]
        if not netloc or " " in netloc:
            return None
        lowered = scheme.lower()
        return url if scheme == lowered else lowered + url[len(scheme) :]

    def _joined(self, href: str) -> str | None:
        try:
            url = urljoin(self.base, href)
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def absolute_url(href: str | None, base: str) -> str | None:
    """Resolve one href against ``base`` (see :class:`LinkResolver`)."""
    return LinkResolver(base, base).resolve(href)


def extract_links(
    anchors: list[LexborNode], texts: list[str], resolver: LinkResolver
) -> list[dict]:
    """Every distinct http(s) link: ``{"url", "text", "internal"}``; internal = same host:port.

    ``anchors`` are the page's ``<a>`` nodes, ``texts`` their ``.text()`` (shared with the
    main-text filter so each anchor is read once).
    """
    links: dict[str, dict] = {}
    resolved: dict[str, str | None] = {}  # menus repeat their hrefs
    for anchor, raw_text in zip(anchors, texts, strict=True):
        href = anchor.attrs.get("href")  # attrs looks one up; .attributes builds a dict
        if not href:
            continue
        url = resolved.get(href, "")
        if url == "":
            url = resolved[href] = resolver.resolve(href)
        if url is None:
            continue
        known = links.get(url)
        if known is not None:
            if not known["text"]:
                known["text"] = _anchor_text(anchor, raw_text)
            continue
        links[url] = {
            "url": url,
            "text": _anchor_text(anchor, raw_text),
            "internal": resolver.is_internal(url),
        }
        if len(links) >= MAX_LINKS:
            break
    return list(links.values())


def _anchor_text(anchor: LexborNode, raw_text: str) -> str:
    text = squash(raw_text, MAX_ANCHOR_CHARS)
    if not text:
        # Image links: the alt or title says what the link is.
        image = anchor.css_first("img[alt]")
        text = squash(
            (image.attributes.get("alt") if image is not None else None)
            or anchor.attributes.get("title"),
            MAX_ANCHOR_CHARS,
        )
    return text


def apk_links(links: list[dict]) -> list[str]:
    """Links that download an Android package (``….apk``, also with a query string)."""
    return [link["url"] for link in links if _APK_RE.search(link["url"])]


def qr_images(tree: LexborHTMLParser, resolver: LinkResolver) -> list[str]:
    """Image URLs whose src, alt, title, class or id suggests a QR code (二维码, qrcode, ewm…)."""
    found: dict[str, None] = {}
    images = [image.attributes for image in tree.css("img")]
    clues = [
        " ".join(value for key in _CLUE_ATTRS if (value := attrs.get(key))) for attrs in images
    ]
    # Most pages show no QR code: one look at all the clues spares the regex on each image.
    lowered = "\n".join(clues).lower()
    if not any(word in lowered for word in _QR_WORDS):
        return []
    for attrs, clue in zip(images, clues, strict=True):
        if not _QR_RE.search(clue):
            continue
        url = None
        for name in _LAZY_SRC_ATTRS:
            url = resolver.resolve(attrs.get(name))
            if url:
                break
        if url:
            found[url] = None
            if len(found) >= MAX_IMAGES:
                break
    return list(found)


# Link spam is a block of a few dozen anchors; these caps bound a hostile page's cost (each
# anchor is looked up in the text once) without cutting a real spam block.
MAX_EXTERNAL_ANCHORS = 300
MAX_LINK_TEXT_CHARS = 4_000


def external_link_text(links: Iterable[dict[str, Any]] | None, text: str) -> str:
    """The anchor texts of off-site links, one per line, each once, none already in `text`."""
    seen: set[str] = set()
    lines: list[str] = []
    size = 0
    external = 0
    for link in links or ():
        if link.get("internal", True):
            continue
        external += 1
        if external > MAX_EXTERNAL_ANCHORS:
            break
        anchor = (link.get("text") or "").strip()
        if not anchor or anchor in seen or anchor in text:
            continue
        size += len(anchor) + 1
        if size > MAX_LINK_TEXT_CHARS:
            break
        seen.add(anchor)
        lines.append(anchor)
    return "\n".join(lines)
