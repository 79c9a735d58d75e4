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
