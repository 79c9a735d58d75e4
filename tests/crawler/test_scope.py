"""Site scope, site selection and trap rules, as tables."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.forumlinks import classify, link_priority, same_listing, utility_page
from crawler.scope import ScopeMap, SiteScope, TrapGuard, TrapLimits, find_sites, is_page_link
from ground.errors import WuzhaError

SITE = {"id": "s1", "url": "http://www.example.cn/"}


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("http://www.example.cn/a.html", True),
        ("http://example.cn/a.html", True),
        ("https://example.cn/a.html", True),  # http <-> https on default ports
        ("http://bbs.example.cn/forum-2-1.html", True),  # subdomain
        ("http://example.cn:8080/", False),  # other port, other service
        ("http://notexample.cn/", False),
        ("http://example.cn.evil.com/", False),
        ("ftp://example.cn/", False),
        ("http://127.0.0.1/", False),
    ],
)
def test_scope_hosts_and_ports(url, inside):
    assert SiteScope.from_site(SITE).contains(url) is inside


def test_scope_with_port_matches_only_that_port():
    scope = SiteScope.from_site({"id": "f", "url": "http://127.0.0.1:8001/"})
    assert scope.contains("http://127.0.0.1:8001/x")
    assert not scope.contains("http://127.0.0.1:8002/x")
    assert not scope.contains("http://127.0.0.2:8001/x")


def test_scope_map_gives_urls_to_the_most_specific_site():
    sites = [
        {"id": "portal", "url": "http://example.cn/"},
        {"id": "bbs", "url": "http://example.cn/bbs/"},
        {"id": "sub", "url": "http://news.example.cn/"},
        {"id": "p2", "url": "http://127.0.0.1:9001/"},
        {"id": "p3", "url": "http://127.0.0.1:9002/"},
    ]
    scopes = ScopeMap(SiteScope.from_site(s) for s in sites)
    table = [
        ("http://example.cn/about.html", "portal"),
        ("http://www.example.cn/bbs/forum-1-1.html", "bbs"),
        ("http://example.cn/bbsx", "portal"),
        ("http://news.example.cn/a/1.html", "sub"),
        ("http://x.news.example.cn/", "sub"),
        ("http://img.example.cn/", "portal"),
        ("http://127.0.0.1:9001/a", "p2"),
        ("http://127.0.0.1:9002/a", "p3"),
        ("http://127.0.0.1:9003/a", None),
        ("http://other.cn/", None),
    ]
    for url, owner in table:
        assert scopes.owner(url) == owner, url


@pytest.mark.parametrize(
    ("spec", "ids"),
    [
        ("http://127.0.0.1:9001/", ["a"]),
        ("127.0.0.1:9001", ["a"]),
        ("127.0.0.1", ["a", "b"]),  # a host without port: every site on it
        ("论坛", ["b"]),
        ("www.example.cn", ["c"]),
        ("example.cn", ["c"]),
        ("https://www.example.cn", ["c"]),
    ],
)
def test_find_sites_by_url_host_or_name(spec, ids):
    sites = [
        {"id": "a", "name": "门户", "url": "http://127.0.0.1:9001/"},
        {"id": "b", "name": "论坛", "url": "http://127.0.0.1:9002/"},
        {"id": "c", "name": "示例", "url": "http://www.example.cn/"},
    ]
    assert [s["id"] for s in find_sites(sites, [spec])] == ids


def test_find_sites_names_what_did_not_match():
    with pytest.raises(WuzhaError, match="nosuch.cn"):
        find_sites([{"id": "a", "name": "x", "url": "http://a.cn/"}], ["nosuch.cn"])


TODAY = dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://a.cn/news/2025/06/01/story.html", None),
        ("http://a.cn/calendar/2025/05/", None),
        ("http://a.cn/calendar/2019/01/", "calendar date outside window"),
        ("http://a.cn/calendar/2031/01/", "calendar date outside window"),
        ("http://a.cn/cal?date=2025-06-01", None),
        ("http://a.cn/cal?date=1999-12-01", "calendar date outside window"),
        ("http://a.cn/cal?year=2012&month=3", "calendar date outside window"),
        ("http://a.cn/cal?ym=202801", "calendar date outside window"),
        ("http://a.cn/list?page=3", None),
        ("http://a.cn/list?page=31", "page number too deep"),
        ("http://a.cn/forum-2-31.html", "page number too deep"),
        ("http://a.cn/thread-9-31-1.html", "page number too deep"),
        ("http://a.cn/thread-9-30-1.html", None),
        ("http://a.cn/news/page/99/", "page number too deep"),
        ("http://a.cn/a/b/a/b/a/b/a/", "repeated path segment"),
        ("http://a.cn/" + "x/" * 13, "path too deep"),
    ],
)
def test_trap_rules(url, trap):
    assert TrapGuard(TrapLimits(), today=TODAY).check(url) == trap


def test_sort_filter_combinations_are_capped_per_page():
    guard = TrapGuard(TrapLimits(max_query_variants=5), today=TODAY)
    verdicts = [
        guard.check(f"http://a.cn/list.php?cat=2&sort={s}&order={o}")
        for s in ("a", "b", "c")
        for o in ("asc", "desc")
    ]
    assert verdicts.count(None) == 5
    assert verdicts[-1] == "too many sort/filter variants"
    # identity parameters (a different category, a thread) are different pages, not variants
    assert guard.check("http://a.cn/list.php?cat=3&sort=a&order=asc") is None
    for tid in range(50):
        assert guard.check(f"http://a.cn/forum.php?mod=viewthread&tid={tid}") is None


def test_paging_offsets_are_capped():
    guard = TrapGuard(TrapLimits(max_offsets=3), today=TODAY)
    verdicts = [guard.check(f"http://a.cn/viewforum.php?f=2&start={n * 25}") for n in range(5)]
    assert verdicts == [None, None, None, "paging offset too deep", "paging offset too deep"]


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("http://a.cn/x.html", True),
        ("http://a.cn/x.php?id=1", True),
        ("http://a.cn/app.apk", False),
        ("http://a.cn/logo.PNG", False),
        ("mailto:a@a.cn", False),
        ("javascript:void(0)", False),
    ],
)
def test_page_links(url, page):
    assert is_page_link(url) is page


@pytest.mark.parametrize(
    ("url", "priority"),
    [
        ("http://a.cn/thread-12-2-1.html", 20),
        ("http://a.cn/forum-3-1.html", 10),
        ("http://a.cn/forum.php?mod=viewthread&tid=5&page=2", 20),
        ("http://a.cn/viewforum.php?f=2", 10),
        ("http://a.cn/viewtopic.php?t=5&start=15", 20),
        ("http://a.cn/read.php?tid=7", 20),
        ("http://a.cn/news/1.html", 0),
    ],
)
def test_forum_links_first(url, priority):
    assert link_priority(classify(url)) == priority


@pytest.mark.parametrize(
    ("here", "there", "same"),
    [
        ("http://a.cn/forum-3-1.html", "http://a.cn/forum-3-2.html", True),
        ("http://a.cn/forum-3-1.html", "http://a.cn/forum-4-2.html", False),
        ("http://a.cn/thread-9-1-1.html", "http://a.cn/thread-9-5-1.html", True),
        ("http://a.cn/forum-3-1.html", "http://a.cn/thread-9-1-1.html", False),
        ("http://a.cn/viewtopic.php?t=5", "http://a.cn/viewtopic.php?t=5&start=15", True),
        ("http://a.cn/news/1.html", "http://a.cn/news/2.html", False),
    ],
)
def test_paging_of_the_same_board_or_thread(here, there, same):
    assert same_listing(classify(here), classify(there)) is same


@pytest.mark.parametrize(
    ("url", "utility"),
    [
        ("http://a.cn/forum.php?mod=redirect&goto=findpost&pid=5&ptid=2", True),
        ("http://a.cn/forum.php?mod=post&action=newthread&fid=2", True),
        ("http://a.cn/member.php?mod=register", True),
        ("http://a.cn/space-uid-77.html", True),
        ("http://a.cn/viewtopic.php?p=123", True),
        ("http://a.cn/ucp.php?mode=login", True),
        ("http://a.cn/forum.php?mod=viewthread&tid=5", False),
        ("http://a.cn/viewtopic.php?t=5&p=123", False),
        ("http://a.cn/thread-5-1-1.html", False),
        ("http://a.cn/news/login-tips.html", False),
    ],
)
def test_forum_utility_pages_are_not_followed(url, utility):
    assert utility_page(url) is utility
