"""When a page is rendered in Chromium (crawler.render)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.render import PLAYWRIGHT_HANDLER, RenderPolicy

POLICY = RenderPolicy(enabled=True, min_text=80)
LINKS = [{"url": f"http://a.cn/{n}"} for n in range(3)]


@pytest.mark.parametrize(
    ("text", "links", "html", "render"),
    [
        ("", [], "<div id=app></div><script src=app.js></script>", True),
        ("短", [], "<SCRIPT>load()</SCRIPT>", True),
        ("", [], "<div>nothing to run</div>", False),  # no scripts: nothing to wait for
        ("字" * 80, [], "<script></script>", False),  # text enough
        ("", LINKS, "<script></script>", False),  # a list page: links are its content
    ],
)
def test_needs_render(text, links, html, render):
    assert POLICY.needs_render({"text": text, "links": links}, html) is render
    assert RenderPolicy(enabled=False, min_text=80).needs_render({"text": text}, html) is False


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
