"""What belongs to a registered site, and which of its URLs are worth a request.

* :class:`SiteScope` – the hosts (the registered host, ``www.``, subdomains), port and path of one
  registry row. Two rows may share a host and differ by port or path: :class:`ScopeMap` gives each
  URL to the most specific row, so two sites never crawl each other's pages.
* :class:`TrapGuard` – per-site limits that keep endless URL spaces (calendars, sort/filter
  combinations, deep paging, looping relative links) from eating a site's budget.
* :func:`find_sites` – the sites an operator means by ``--site`` (registry URL, host[:port] or name).

Canonical URLs come from :func:`ground.urls.canonical_url`, the same function the indexer uses
for document ids, so "the same page" means one thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.errors import CrawlError
from ground.urls import canonical_url, site_key

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Links to these are not pages (APK links are recorded by the extractor, not fetched).
SKIPPED_EXTENSIONS = frozenset(
    [
        "7z",
        "apk",
        "avi",
        "bin",
        "bmp",
        "css",
        "csv",
        "dmg",
        "doc",
        "docx",
        "exe",
        "flv",
        "gif",
        "gz",
        "ico",
        "iso",
        "jar",
        "jpeg",
        "jpg",
        "js",
        "json",
        "m4a",
        "mov",
        "mp3",
        "mp4",
        "mpeg",
        "ogg",
        "pdf",
        "png",
        "ppt",
        "pptx",
        "rar",
        "rss",
        "svg",
        "swf",
        "tar",
        "tgz",
        "tif",
        "tiff",
        "ttf",
        "wav",
        "webm",
        "webp",
        "wmv",
        "woff",
        "woff2",
        "xls",
        "xlsx",
        "xml",
        "zip",
    ]
)


def _effective_port(scheme: str, port: int | None) -> int:
    return port if port is not None else _DEFAULT_PORTS.get(scheme, 0)


def _strip_www(host: str) -> str:
    return host.removeprefix("www.")


def _is_ip_literal(host: str) -> bool:
    return ":" in host or bool(re.fullmatch(r"[\d.]+", host))


@dataclass(frozen=True)
class SiteScope:
    """The URL space of one registered site."""

    site_id: str
    start_url: str  # canonical
    scheme: str
    base_host: str  # lower case, without a leading "www."
    port: int  # effective port (80/443 when the URL has none)
    path_prefix: str  # "/" or the registered directory, ending in "/"

    @classmethod
    def from_site(cls, site: dict[str, Any]) -> SiteScope:
        start = canonical_url(site["url"])
        parts = urlsplit(start)
        path = parts.path or "/"
        prefix = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        host = (parts.hostname or "").lower()
        return cls(
            site_id=str(site["id"]),
            start_url=start,
            scheme=parts.scheme,
            base_host=host if _is_ip_literal(host) else _strip_www(host),
            port=_effective_port(parts.scheme, parts.port),
            path_prefix=prefix,
        )

    def host_matches(self, host: str) -> bool:
        if _is_ip_literal(self.base_host):
            return host == self.base_host
        return host == self.base_host or host.endswith("." + self.base_host)

    def port_matches(self, scheme: str, port: int | None) -> bool:
        if port is None and self.port == _DEFAULT_PORTS.get(self.scheme):
            return True  # http <-> https on default ports is the same site
        return _effective_port(scheme, port) == self.port

    def contains(self, url: str) -> bool:
        """Host and port match (path ownership between co-hosted sites is ScopeMap's job)."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS:
            return False
        try:
            port = parts.port
        except ValueError:
            return False
        return self.host_matches((parts.hostname or "").lower()) and self.port_matches(
            parts.scheme, port
        )


class ScopeMap:
    """Which registered site owns a URL: the most specific host, then the longest path prefix."""

    def __init__(self, scopes: Iterable[SiteScope]):
        self._by_host: dict[str, list[SiteScope]] = defaultdict(list)
        for scope in scopes:
            self._by_host[scope.base_host].append(scope)
        for entries in self._by_host.values():
            entries.sort(key=lambda s: len(s.path_prefix), reverse=True)

    def owner(self, url: str, finder: str | None = None) -> str | None:
        """Site id owning `url`. `finder` (the site whose page linked here) keeps URLs that are in
        its scope but under no registered path prefix."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        try:
            port = parts.port
        except ValueError:
            return None
        labels = host.split(".")
        candidates = (
            [host]
            if _is_ip_literal(host)
            else [".".join(labels[i:]) for i in range(len(labels) - 1)]
        )
        path = parts.path or "/"
        for name in candidates:  # most specific host first
            entries = [s for s in self._by_host.get(name, ()) if s.port_matches(parts.scheme, port)]
            if not entries:
                continue
            for scope in entries:  # longest prefix first
                if path.startswith(scope.path_prefix):
                    return scope.site_id
            ids = {s.site_id for s in entries}
            return finder if finder in ids else entries[-1].site_id
        return None


# --- trap avoidance ------------------------------------------------------------------------

# Parameters that say *which* page (a board, a thread, an article), as opposed to how to show it.
IDENTITY_PARAMS = frozenset(
    [
        "a",
        "ac",
        "act",
        "action",
        "aid",
        "article",
        "articleid",
        "bid",
        "board",
        "c",
        "cat",
        "catid",
        "category",
        "cid",
        "do",
        "f",
        "fid",
        "forum",
        "gid",
        "id",
        "itemid",
        "item",
        "m",
        "mod",
        "nid",
        "newsid",
        "op",
        "pid",
        "t",
        "tid",
        "topic",
        "thread",
        "uid",
    ]
)
PAGING_PARAMS = frozenset(
    ["page", "p", "pg", "pn", "pageno", "pagenum", "pageindex", "currentpage"]
)
OFFSET_PARAMS = frozenset(["start", "offset", "from_index", "begin"])
DATE_PARAMS = frozenset(
    ["date", "day", "month", "year", "ym", "ymd", "d", "time", "dt", "cal", "calendar", "week"]
)

_DATE_VALUE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})(?:[-/.]?(\d{1,2}))?$")
_PATH_DATE = re.compile(r"/(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?/?$")
# Page numbers written in the path: Discuz! forum-F-P.html / thread-T-P-1.html, /page/N,
# list_N.html, index_N.html.
_PATH_PAGE = (
    re.compile(r"/forum-\w+-(\d+)\.html$"),
    re.compile(r"/thread-\w+-(\d+)-\d+\.html$"),
    re.compile(r"/page/(\d+)/?$"),
    re.compile(r"/(?:list|index)[_-](\d+)\.s?html?$"),
)


@dataclass
class TrapLimits:
    max_query_variants: int = 12  # distinct sort/filter combinations per page
    max_page_number: int = 30  # deepest page of a paged list or thread
    max_offsets: int = 30  # distinct start=/offset= values per list
    date_window_past_days: int = 366
    date_window_future_days: int = 31
    max_path_segments: int = 12
    max_repeated_segment: int = 2  # /a/b/a/b/a/b: a relative-link loop


def _parse_date(value: str) -> dt.date | None:
    m = _DATE_VALUE.match(value.strip())
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
    if not (1900 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        return dt.date(year, month, min(day, 28) if day > 28 else day)
    except ValueError:
        return None


@dataclass
class TrapGuard:
    """Per-site memory of the URL shapes seen so far; :meth:`check` says why a URL is a trap."""

    limits: TrapLimits = field(default_factory=TrapLimits)
    today: dt.date = field(default_factory=dt.date.today)
    _variants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _offsets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def _date_outside_window(self, date: dt.date) -> bool:
        delta = (date - self.today).days
        return (
            delta > self.limits.date_window_future_days
            or -delta > self.limits.date_window_past_days
        )

    def check(self, url: str) -> str | None:
        """None when `url` may be requested, else the trap rule it breaks. Records the URL."""
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.limits.max_path_segments:
            return "path too deep"
        counts: dict[str, int] = defaultdict(int)
        for seg in segments:
            counts[seg] += 1
            if counts[seg] > self.limits.max_repeated_segment:
                return "repeated path segment"
        m = _PATH_DATE.search(parts.path)
        if m:
            date = _parse_date(f"{m[1]}-{m[2]}-{m[3] or 1}")
            if date and self._date_outside_window(date):
                return "calendar date outside window"
        for pattern in _PATH_PAGE:
            m = pattern.search(parts.path)
            if m and int(m[1]) > self.limits.max_page_number:
                return "page number too deep"

        params = parse_qsl(parts.query, keep_blank_values=True)
        identity, variant, offsets, paging = [], [], [], []
        year = month = None
        for name, value in params:
            key = name.lower()
            if key in IDENTITY_PARAMS:
                identity.append((key, value))
                continue
            if key in PAGING_PARAMS:
                if value.isdigit() and int(value) > self.limits.max_page_number:
                    return "page number too deep"
                paging.append((key, value))
                continue
            if key in OFFSET_PARAMS and value.isdigit():
                offsets.append(value)
                continue
            if key == "year" and value.isdigit():
                year = int(value)
            elif key == "month" and value.isdigit():
                month = int(value)
            if key in DATE_PARAMS or _DATE_VALUE.match(value):
                date = _parse_date(value)
                if date and self._date_outside_window(date):
                    return "calendar date outside window"
            variant.append((key, value))
        if year is not None:
            date = _parse_date(f"{year}-{month or 1}")
            if date and self._date_outside_window(date):
                return "calendar date outside window"

        page_key = parts.path + "?" + urlencode(sorted(identity))
        if variant:
            # Each sort/filter combination, and each page of one, is a variant of the page:
            # a facet trap pages through every combination, so they share one cap.
            seen = self._variants[page_key]
            shape = urlencode(
                sorted(variant + paging + [(k, v) for k, v in params if k.lower() in OFFSET_PARAMS])
            )
            if shape not in seen:
                if len(seen) >= self.limits.max_query_variants:
                    return "too many sort/filter variants"
                seen.add(shape)
        if offsets and not variant:
            seen = self._offsets[page_key]
            value = ",".join(offsets)
            if value not in seen:
                if len(seen) >= self.limits.max_offsets:
                    return "paging offset too deep"
                seen.add(value)
        return None


def is_page_link(url: str) -> bool:
    """False for links to images, scripts, archives… (by extension) and non-http(s) schemes."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        return False
    last = parts.path.rsplit("/", 1)[-1]
    return not ("." in last and last.rsplit(".", 1)[-1].lower() in SKIPPED_EXTENSIONS)


def canonical_or_none(url: str) -> str | None:
    try:
        return canonical_url(url)
    except ValueError:
        return None


# --- choosing sites on the command line ----------------------------------------------------


def _netloc_forms(url: str) -> set[str]:
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    forms = {host, _strip_www(host)}
    if port is not None:
        forms |= {f"{h}:{port}" for h in list(forms)}
    return forms


def find_sites(sites: Sequence[dict[str, Any]], specs: Iterable[str]) -> list[dict[str, Any]]:
    """The sites meant by `specs`, each a registry URL, host[:port] or site name.

    A URL picks its registry row; a host[:port] picks every row on that host (and port);
    a name picks rows with that name. Raises CrawlError naming any spec that matches nothing.
    """
    chosen: dict[str, dict[str, Any]] = {}
    missing = []
    for spec in specs:
        text = spec.strip()
        if not text:
            continue
        matches = [s for s in sites if str(s.get("name", "")).strip() == text]
        if not matches:
            try:
                key = site_key(text)
            except ValueError:
                key = None
            matches = [s for s in sites if key and _site_key_or_none(s) == key]
        if not matches and "/" not in text.split("://", 1)[-1].rstrip("/"):
            # host[:port]: every row on that host (a bare host matches any port)
            wanted = text.split("://", 1)[-1].rstrip("/").lower()
            matches = [
                s for s in sites if {wanted, _strip_www(wanted)} & _netloc_forms(str(s["url"]))
            ]
        if not matches:
            missing.append(text)
        for s in matches:
            chosen[str(s["id"])] = s
    if missing:
        raise CrawlError(
            f"no registered site matches {', '.join(repr(m) for m in missing)}; give the site's "
            "registry URL, its host[:port] or its name as listed in the registry"
        )
    return [s for s in sites if str(s["id"]) in chosen]


def _site_key_or_none(site: dict[str, Any]) -> str | None:
    try:
        return site_key(str(site["url"]))
    except ValueError:
        return None
