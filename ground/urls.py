"""Canonical URLs and the document ids derived from them.

The crawler (request de-duplication) and the indexer (document ids) both call
:func:`canonical_url`, so "the same page" means one thing everywhere: a recrawl updates the
page's document instead of adding a second one.

The heavy lifting (percent-encoding, IDNA hosts, sorted query, dot segments, no fragment) is
w3lib's ``canonicalize_url``, the function Scrapy itself uses; this module adds what w3lib leaves
alone: default ports, credentials, trailing dots in host names, and the tracking and session
parameters that would otherwise give every visit a new URL.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# The public suffix list as tldextract ships it: never fetched at run time.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

PAGE_ID_LENGTH = 20  # hex chars of sha1: 80 bits, no collision in any realistic crawl
SITE_ID_LENGTH = 16

#: Query parameters that identify a visit or a campaign, not a page (compared case-insensitively).
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "sid",
        "phpsessid",
        "jsessionid",
        "sessionid",
        "session_id",
        "aspsessionid",
        "gclid",
        "fbclid",
        "msclkid",
        "yclid",
        "_hsenc",
        "_hsmi",
    }
)
#: Any query parameter starting with one of these is tracking too (utm_source, utm_medium…).
TRACKING_PREFIXES = ("utm_",)
#: Parameters that only carry navigation state on one forum engine's script: Discuz!'s
#: ``extra=page%3D2`` remembers the board page a thread was opened from.
SCRIPT_NAVIGATION_PARAMS = {"forum.php": frozenset({"extra"})}

# Session ids some servers put in the path: /page.jsp;jsessionid=ABC or ;sid=…
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_SAFE_RULE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


def is_tracking_param(name: str) -> bool:
    """True for query parameters that never change what a page shows (utm_*, spm, sid…)."""
    key = unquote(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The one normalised form of `url` that ids and de-duplication are based on.

    Lower-case scheme and host (IDNA-encoded), no default port, no credentials, no fragment,
    sorted query without tracking/session parameters, percent-encoding normalised. Raises
    ``ValueError`` for anything that is not an http(s) URL with a host.
    """
    if not isinstance(url, str):
        raise TypeError(f"URL must be a string, not {type(url).__name__}")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"URL has no host: {url[:200]!r}")
    try:
        port = parts.port
    except ValueError as err:  # port out of range or not a number
        raise ValueError(f"URL has an invalid port: {url[:200]!r}") from err
    if ":" in host:  # IPv6 literal: urlsplit strips the brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _PATH_SESSION.sub("", parts.path)
    navigation = SCRIPT_NAVIGATION_PARAMS.get(path.rsplit("/", 1)[-1].lower(), frozenset())
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair
        and not is_tracking_param(pair.split("=", 1)[0])
        and unquote(pair.split("=", 1)[0]).lower() not in navigation
    )
    return canonicalize_url(urlunsplit((scheme, netloc, path or "/", query, "")))


def page_id(url: str) -> str:
    """Document id of the page at `url`: sha1 of its canonical form (any spelling, same id)."""
    return _sha1(canonical_url(url))[:PAGE_ID_LENGTH]


def hit_id(page_id: str, rule_id: str) -> str:
    """Document id of one rule's hit on one page: readable (``<page_id>:<rule_id>``) when the
    rule id is a plain identifier, hashed otherwise so any id stays a valid, short ``_id``."""
    if _SAFE_RULE_ID.match(rule_id):
        return f"{page_id}:{rule_id}"
    return f"{page_id}:{_sha1(rule_id)[:16]}"


def site_key(url: str) -> str:
    """What identifies a registered site: host[:port][/path], independent of the scheme,
    a leading ``www.``, default ports and a trailing slash. Bare domains are accepted.

    Two registry rows may share a host and differ by port or path; they stay two sites.
    """
    text = url.strip()
    if not _SCHEME.match(text):
        text = "http://" + text
    canonical = canonical_url(text)
    parts = urlsplit(canonical)
    host = parts.netloc
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def site_id(url: str) -> str:
    """Document id of the site registered under `url` (see :func:`site_key`)."""
    return _sha1(site_key(url))[:SITE_ID_LENGTH]


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    """The domain a host belongs to under its public suffix (``news.ifeng.com`` → ``ifeng.com``,
    ``www.bj.gov.cn`` → ``bj.gov.cn``); the host itself when it has none (an IP, ``localhost``)."""
    host = (host or "").lower().rstrip(".")
    return _SUFFIXES(host).top_domain_under_public_suffix or host


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
