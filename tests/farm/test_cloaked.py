"""The farm's cloaking, hijacking and mobile-layout sites answer as designed."""

from __future__ import annotations

import http.client
import re

import pytest

import farm
from farm.kinds import CYCLE

KINDS = ("cloaked_portal", "search_hijack", "mobile_layout")
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
SPIDER = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
PHONE = (
    "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36"
)


@pytest.fixture(scope="module")
def cloak_farm():
    # as many sites as it takes to hold these kinds, wherever the cycle puts them
    n = max(CYCLE.index(kind) for kind in KINDS) + 1
    built = farm.build_farm(n, seed=7, base_port=farm.free_base_port(n))
    with farm.running(built):
        yield built


def get(site, path="/", agent=BROWSER, referer=""):
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    headers = {"User-Agent": agent, **({"Referer": referer} if referer else {})}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8")
    conn.close()
    return response.status, body


def title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.DOTALL).group(1)


def test_cloaked_portal_shows_casino_to_crawlers_only(cloak_farm):
    site = cloak_farm.sites_of_kind("cloaked_portal")[0]
    _, visitor = get(site)
    _, crawler = get(site, agent=SPIDER)
    assert site.name in title(visitor) and "百家乐" not in visitor
    assert "百家乐" in crawler and site.name not in crawler
    inner = next(p.path for p in site.pages if p.path != "/" and p.status == 200)
    assert "百家乐" in get(site, inner, agent=SPIDER)[1]
    assert "百家乐" not in get(site, inner, agent=PHONE)[1]
    truth = cloak_farm.truth()["sites"][site.index]
    assert truth["compromise"] == ["cloaking"]


def test_search_hijack_sends_phones_from_a_search_to_a_casino_host(cloak_farm):
    site = cloak_farm.sites_of_kind("search_hijack")[0]
    truth = cloak_farm.truth()["sites"][site.index]
    target = truth["hijack"]["target"]
    assert truth["compromise"] == ["hijack_redirect"]
    assert target.startswith(f"http://localhost:{site.port}/")  # another host for a browser
    _, page = get(site)
    script = (
        page
        if truth["hijack"]["inline_script"]
        else get(site, re.search(r'<script src="(/static/js/\w+\.js)"', page).group(1))[1]
    )
    assert target in script and "document.referrer" in script and "Mobile" in script
    path = target.split(str(site.port), 1)[1].split("?")[0]
    status, landing = get(site, path)
    assert status == 200 and "娱乐" in landing and site.name not in landing


def test_search_hijack_paths_and_brands_are_randomised():
    targets = {}
    for seed in (1, 2, 3):
        n = CYCLE.index("search_hijack") + 1
        built = farm.build_farm(n, seed=seed, base_port=20000)
        site = built.sites_of_kind("search_hijack")[0]
        targets[seed] = site.kind_obj.truth_extra(site)["hijack"]["target"].split("/", 3)[3]
    assert len(set(targets.values())) == 3


def test_mobile_layout_serves_the_same_text_in_another_layout(cloak_farm):
    site = cloak_farm.sites_of_kind("mobile_layout")[0]
    _, desk = get(site)
    _, phone = get(site, agent=PHONE, referer="https://www.baidu.com/s?wd=x")
    assert desk != phone and "m-bar" in phone and "m-bar" not in desk
    assert title(desk) == title(phone)
    main = re.search(r'<div id="main">(.*?)<div id="side">', desk, re.DOTALL).group(1)
    assert main in phone
    assert cloak_farm.truth()["sites"][site.index]["compromise"] == []
