"""canonical_url / page_id / site_id: tables of input → expected output."""

from __future__ import annotations

import pytest

from ground.urls import (
    PAGE_ID_LENGTH,
    canonical_url,
    hit_id,
    is_tracking_param,
    page_id,
    site_id,
    site_key,
)

CANONICAL = [
    # case of scheme and host, default port, fragment
    ("HTTP://Example.COM:80/a/b#top", "http://example.com/a/b"),
    ("https://example.com:443/", "https://example.com/"),
    ("http://example.com:8080/", "http://example.com:8080/"),
    # empty path, empty query
    ("http://example.com", "http://example.com/"),
    ("http://example.com/?", "http://example.com/"),
    # sorted query, blank values kept, path case kept
    ("http://example.com/A?b=2&a=1&c=", "http://example.com/A?a=1&b=2&c="),
    # tracking and session parameters, any case
    (
        "http://example.com/p?id=7&utm_source=wx&utm_medium=qr&spm=a.b.c",
        "http://example.com/p?id=7",
    ),
    (
        "http://example.com/p?from=timeline&sid=abc&PHPSESSID=x&jsessionid=y&sessionid=z&id=1",
        "http://example.com/p?id=1",
    ),
    ("http://example.com/p?UTM_Campaign=x", "http://example.com/p"),
    # session id as a path parameter
    ("http://example.com/a.jsp;jsessionid=0A1B2C?x=1", "http://example.com/a.jsp?x=1"),
    # credentials and a trailing dot in the host
    ("http://user:secret@example.com./x", "http://example.com/x"),
    # dot segments
    ("http://example.com/a/./b/../c", "http://example.com/a/c"),
    # Chinese host and path: IDNA host, UTF-8 percent-encoding
    (
        "https://例子.中国/帖子?q=刷单",
        "https://xn--fsqu00a.xn--fiqs8s/%E5%B8%96%E5%AD%90?q=%E5%88%B7%E5%8D%95",
    ),
    # GBK percent-encoded query bytes stay as they are (only the case of %xx is normalised)
    ("http://example.com/s?kw=%c8%d5%bd%e1", "http://example.com/s?kw=%C8%D5%BD%E1"),
    # Discuz! URLs keep their meaningful parameters, not the board page they came from
    (
        "http://bbs.example.com/forum.php?tid=9&mod=viewthread&page=2&extra=page%3D1",
        "http://bbs.example.com/forum.php?mod=viewthread&page=2&tid=9",
    ),
    # … while `extra` elsewhere is an ordinary parameter
    ("http://example.com/list.php?extra=1", "http://example.com/list.php?extra=1"),
    # IPv6 literal with its default port
    ("http://[::1]:80/x", "http://[::1]/x"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("url", "_"), CANONICAL)
def test_canonical_url_is_idempotent(url, _):
    once = canonical_url(url)
    assert canonical_url(once) == once


SAME_PAGE = [
    ("http://example.com/a?x=1&y=2", "HTTP://EXAMPLE.COM:80/a?y=2&x=1&utm_source=feed#comments"),
    ("http://example.com/", "http://example.com"),
    ("http://example.com/t?id=3", "http://example.com/t?spm=1&id=3&sid=deadbeef"),
]


@pytest.mark.parametrize(("a", "b"), SAME_PAGE)
def test_spellings_of_one_page_share_an_id(a, b):
    assert page_id(a) == page_id(b)


DIFFERENT_PAGES = [
    ("http://example.com/a", "https://example.com/a"),  # scheme matters for pages
    ("http://example.com/a", "http://example.com:8080/a"),
    ("http://example.com/a", "http://example.com/A"),
    ("http://example.com/t?id=3", "http://example.com/t?id=4"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PAGES)
def test_different_pages_get_different_ids(a, b):
    assert page_id(a) != page_id(b)


def test_page_id_shape():
    pid = page_id("http://example.com/")
    assert len(pid) == PAGE_ID_LENGTH
    assert int(pid, 16) >= 0


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "mailto:a@b.c",
        "http:///nohost",
        "http://h:99999/",
        "",
    ],
)
def test_non_http_urls_are_refused(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_TERM", True),
        ("spm", True),
        ("from", True),
        ("sid", True),
        ("PHPSESSID", True),
        ("tid", False),
        ("page", False),
        ("mod", False),
        ("fid", False),
    ],
)
def test_tracking_params(name, tracking):
    assert is_tracking_param(name) is tracking


SITE_KEYS = [
    ("example.com", "example.com"),
    ("http://example.com", "example.com"),
    ("https://www.example.com/", "example.com"),
    ("EXAMPLE.com:80", "example.com"),
    ("http://example.com:8080/bbs/", "example.com:8080/bbs"),
    ("http://example.com/bbs/index.php", "example.com/bbs/index.php"),
    ("http://www.例子.中国", "xn--fsqu00a.xn--fiqs8s"),
]


@pytest.mark.parametrize(("url", "key"), SITE_KEYS)
def test_site_key(url, key):
    assert site_key(url) == key


def test_sites_on_one_host_differ_by_port_and_path():
    ids = {
        site_id(u) for u in ("http://a.example", "http://a.example:8080", "http://a.example/bbs")
    }
    assert len(ids) == 3
    assert site_id("a.example") == site_id("https://www.a.example/")


def test_hit_id_is_readable_and_safe():
    pid = page_id("http://example.com/")
    assert hit_id(pid, "task_scam.rebate") == f"{pid}:task_scam.rebate"
    odd = hit_id(pid, "规则/with spaces")
    assert odd.startswith(pid + ":") and len(odd) == len(pid) + 17
    assert hit_id(pid, "规则/with spaces") == odd
