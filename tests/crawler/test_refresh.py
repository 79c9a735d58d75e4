"""refresh_target: the HTTP Refresh header value → (delay, absolute URL), as browsers read it."""

from __future__ import annotations

import pytest

from crawler.middlewares.refresh import refresh_target

BASE = "http://a.test/dir/page"


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("0; url=http://b.test/x", (0.0, "http://b.test/x")),
        (b"0;URL='http://b.test/x'", (0.0, "http://b.test/x")),
        ('3 , url = "/other"', (3.0, "http://a.test/other")),
        ("0; next.html", (0.0, "http://a.test/dir/next.html")),
        ("1.5;url=next", (1.0, "http://a.test/dir/next")),
        ("0; url=http://[::1]:8080/", (0.0, "http://[::1]:8080/")),
        ("0; url=/中文".encode().decode("latin-1"), (0.0, "http://a.test/%E4%B8%AD%E6%96%87")),
        ("5", None),  # reloads the page itself: not a redirect
        ("0;", None),
        ("soon; url=/x", None),
        ("", None),
    ],
)
def test_refresh_target(value, target):
    assert refresh_target(value, BASE) == target


def test_a_refresh_to_the_page_itself_is_a_reload_and_the_page_is_kept():
    """`Refresh: 5; url=<same page>` (auto-reloading news and score pages) is not a redirect:
    followed, the duplicate filter would drop it and the page would be lost as a redirect loop."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings

    from crawler import settings as crawl_settings
    from crawler.middlewares.refresh import RefreshHeaderMiddleware

    middleware = RefreshHeaderMiddleware(Settings(vars(crawl_settings)))
    request = Request("http://a.test/live?utm_source=x")
    for value in ("5; url=http://a.test/live", "0; url=/live#top"):
        response = HtmlResponse(request.url, headers={"Refresh": value}, body=b"", request=request)
        assert middleware.process_response(request, response) is response
