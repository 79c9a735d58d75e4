"""When a page is rendered in Chromium (crawler.render)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.failures import describe_failure
from crawler.render import PLAYWRIGHT_HANDLER, NavigationFailed, RenderPolicy, check_document
from pagemodel.model import page_from_html

POLICY = RenderPolicy(enabled=True, min_text=80)
NAV = "<nav>" + "".join(f"<a href=/c{n}>栏目{n}新闻中心</a>" for n in range(12)) + "</nav>"
FOOTER = "<footer><p>版权所有 滨江区人民政府办公室 地址：滨江区江南大道1号 联系电话：0571-88888888</p></footer>"
ENTRIES = (
    "<ul>"
    + "".join(
        f"<li><a href=/t/{n}.html>滨江区第{n}期社区便民服务信息公告发布</a></li>" for n in range(8)
    )
    + "</ul>"
)


@pytest.mark.parametrize(
    ("body", "render"),
    [
        ("<div id=app></div><script src=app.js></script>", True),
        ("<p>短</p><SCRIPT>load()</SCRIPT>", True),
        # the common real shell: a menu and a footer full of words, an empty app container
        (NAV + "<div id=app></div>" + FOOTER + "<script src=/js/app.js></script>", True),
        ("<div>nothing to run</div>", False),  # no scripts: nothing to wait for
        ("<p>" + "字" * 80 + "</p><script></script>", False),  # text enough
        (NAV + ENTRIES + FOOTER + "<script></script>", False),  # a list page: entries are content
    ],
)
def test_needs_render(body, render):
    html = f"<html><head><title>滨江</title></head><body>{body}</body></html>"
    page = page_from_html(html, "http://www.binjiang.gov.cn/")
    assert POLICY.needs_render(page, html) is render
    assert RenderPolicy(enabled=False, min_text=80).needs_render(page, html) is False


@pytest.mark.parametrize(
    ("render", "handlers", "enabled"),
    [
        (True, {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, True),
        (True, {}, False),  # nothing could render it
        (False, {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, False),
    ],
)
def test_rendering_needs_the_setting_and_the_playwright_handler(render, handlers, enabled):
    settings = Settings(
        {"WUZHA_RENDER": render, "DOWNLOAD_HANDLERS": handlers, "WUZHA_RENDER_MIN_TEXT": 80}
    )
    policy = RenderPolicy.from_settings(settings)
    assert policy.enabled is enabled
    assert policy.for_site({"render_js": True}) is enabled
    assert policy.for_site({"render_js": False}) is False


class _ErrorPage:
    """A page whose document is Chromium's error page, as check_document reads it."""

    async def evaluate(self, _script: str) -> str:
        return "chrome-error://chromewebdata/"


@pytest.mark.parametrize(
    ("failed", "reason"),
    [
        (
            [("http://127.0.0.1:9/nav", "net::ERR_SOCKS_CONNECTION_FAILED")],
            (
                "browser: navigation to http://127.0.0.1:9/nav failed "
                "(net::ERR_SOCKS_CONNECTION_FAILED): not read"
            ),
        ),
        ([], "browser: navigation ended on Chromium's error page: not read"),
    ],
)
def test_a_failed_navigation_reason_says_browser_once(failed, reason):
    with pytest.raises(NavigationFailed) as caught:
        asyncio.run(check_document(_ErrorPage(), failed))
    assert describe_failure(Failure(caught.value)) == reason
