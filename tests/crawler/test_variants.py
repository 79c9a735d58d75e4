"""The site checks' extra requests: how they are asked for, and what their answers settle."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler.crawlstate import CrawlState
from crawler.scope import TrapLimits
from crawler.sitestate import Budget, SiteState
from crawler.variants import SiteVariants, VariantConfig
from pagemodel import worker
from pagemodel.model import page_from_html

HOME = "http://www.hx-machinery.com.cn/"
ABOUT = HOME + "about.html"
COMPANY = """<html><head><title>华信机械制造有限公司</title>
<script src="/static/js/tj.js"></script></head><body><h1>公司简介</h1>
<p>华信机械制造有限公司成立于2003年，专业生产数控机床、液压设备和自动化生产线。</p></body></html>"""


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


class Spider:
    def parse_variant(self, response: Any) -> None: ...

    def on_variant_error(self, failure: Any) -> None: ...


@pytest.fixture
def setup():
    stats = Stats()
    budget = Budget(max_pages=50, max_depth=3, wall_time=60.0, max_consecutive_errors=5)
    crawl_state = CrawlState(stats=stats, signals=None, budget=budget, limits=TrapLimits())
    config = VariantConfig(
        extra=4,
        agents=("Mozilla/5.0 (compatible; Baiduspider/2.0)",),
        mobile_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148",
        referer="https://www.baidu.com/s?wd={name}",
    )
    variants = SiteVariants(config, crawl_state, render=True, stats=stats)
    site = {"id": "hx", "name": "华信机械", "url": HOME}
    state = SiteState.create(site, budget, TrapLimits())
    return variants, state, stats


def ask(variants, state, url: str, depth: int):
    return variants.after_page(Spider(), state, url, page_from_html(COMPANY, url), COMPANY, depth)


def answer(request, body: str = COMPANY, url: str | None = None, status: int = 200):
    return HtmlResponse(
        url or request.url,
        status=status,
        body=body.encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )


def respond(variants, state, response) -> None:
    """A variant's answer, read in this process as the page workers would read it."""

    async def read(body, url, content_type):
        return worker.read(body, url, content_type)

    asyncio.run(variants.on_response(state, response, read))


def test_mobile_render_is_a_chinese_phone(setup):
    variants, state, _ = setup
    mobile = next(r for r in ask(variants, state, HOME, 0) if r.meta.get("playwright"))
    context = mobile.meta["playwright_context_kwargs"]
    assert context["locale"] == "zh-CN" and context["timezone_id"] == "Asia/Shanghai"


def test_variants_are_not_retried_and_follow_two_redirects(setup):
    variants, state, stats = setup
    requests = ask(variants, state, HOME, 0)
    for request in requests:
        assert request.meta["dont_retry"] is True
        assert request.meta["redirect_ttl"] == 2
    assert stats.values["sitecheck/extra_requests"] == 2
    crawler = next(r for r in requests if not r.meta.get("playwright"))
    crawler.meta["redirect_urls"] = [HOME, HOME + "index.html"]  # two hops, then the page
    respond(variants, state, answer(crawler, url=HOME + "index.php"))
    assert stats.values["sitecheck/extra_requests"] == 4  # the hops are requests too


def test_only_the_home_page_answer_settles_the_home_checks(setup):
    variants, state, _ = setup
    home = next(r for r in ask(variants, state, HOME, 0) if not r.meta.get("playwright"))
    (found,) = ask(variants, state, ABOUT, 1)
    respond(variants, state, answer(found))  # the home page's answer has not come (failed)
    assert state.checked == set()  # last week's home verdict is not "repaired" by about.html
    respond(variants, state, answer(home))
    assert state.checked == {"cloaking"}


def test_redirect_hops_use_up_the_sites_allowance(setup):
    variants, state, _ = setup
    crawler = next(r for r in ask(variants, state, HOME, 0) if not r.meta.get("playwright"))
    crawler.meta["redirect_urls"] = [HOME, HOME + "index.html"]
    respond(variants, state, answer(crawler, url=HOME + "index.php"))
    assert ask(variants, state, ABOUT, 1) == []  # 2 variants + 2 hops: the 4 are spent
