"""Drill (issue 14, item 6): a `Refresh:` header to another host is a redirect like a 302 to it,
in scope too: the page it lands on is kept as the moved page, and that host's links are not
followed (they belong to no registered site), exactly as for the 302."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from tests.crawler.helpers import read_jsonl, run_wuzha, send_html, serving, write_sites

TEXT = "这是一个用跳转把访客送到别的主机的站点，爬虫对两种跳转要一视同仁。" * 5


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        other = self.server.other
        if self.path == "/":
            links = '<a href="/moved-302">a</a> <a href="/moved-refresh">b</a>'
            send_html(self, f"<html><body><p>{TEXT}</p>{links}</body></html>".encode())
        elif self.path == "/moved-302":
            self.send_response(302)
            self.send_header("Location", f"{other}/landing-302")
            self.end_headers()
        elif self.path == "/moved-refresh":
            send_html(self, b"<html><body>moved</body></html>", Refresh=f"0; url={other}/landing")
        else:  # the other host's pages, each with a link further in
            body = f'<html><body><p>{TEXT}</p><a href="{self.path}/more">more</a></body></html>'
            send_html(self, body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def two_hosts():
    with serving(_Handler, "127.0.0.1") as site, serving(_Handler, "127.0.0.2") as other:
        site.other = f"http://127.0.0.2:{other.server_address[1]}"
        other.other = site.other
        yield site, other


def test_a_refresh_to_another_host_is_scoped_like_a_302(two_hosts, tmp_path):
    site, other = two_hosts
    base = f"http://127.0.0.1:{site.server_address[1]}"
    sites = write_sites(tmp_path / "sites.jsonl", [{"url": f"{base}/", "name": "跳转"}])
    out = tmp_path / "out"
    args = ["--allow-private", "127.0.0.0/8", "--no-render", "--no-robots", "--quiet"]
    proc = run_wuzha(["crawl", "--sites", str(sites), "--out", str(out), *args], tmp_path / "c")
    assert proc.returncode == 0, proc.stderr
    pages = {p["url"] for p in read_jsonl(out / "pages.jsonl")}
    assert pages == {f"{base}/", f"{site.other}/landing-302", f"{site.other}/landing"}
    assert set(other.hits) == {
        "/landing",
        "/landing-302",
    }  # no "/…/more" for either (variants fetch the landings again)
