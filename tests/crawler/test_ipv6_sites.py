"""Drill (issue 14, item 6): a site registered by an IPv6 literal (http://[::1]:PORT/ in a CSV
registry) is crawled like any other — fetched where the operator allows its network, refused
with the address guard's reason (never a parsing or DNS reason, never a connection) where not."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler

import pytest

from tests.crawler.helpers import connections, read_jsonl, run_wuzha, send_html, serving

PAGE = (
    "<html><head><meta charset='utf-8'><title>六号站</title></head><body><p>"
    + "这是一个只用 IPv6 地址登记的站点，爬虫要像浏览器一样打开它。" * 5
    + "</p></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        send_html(self, PAGE)

    def log_message(self, *args):
        pass


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def ipv6_site():
    if not _has_ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    with serving(_Handler, "::1") as server:
        yield server


def _crawl(server, tmp_path, *allow: str):
    port = server.server_address[1]
    registry = tmp_path / "registry.csv"
    registry.write_text(f"网站名称,网址\n六号站,http://[::1]:{port}/\n", "utf-8")
    log, out = tmp_path / "connects.jsonl", tmp_path / "out"
    args = ["--no-render", "--no-robots", "--quiet", *allow]
    proc = run_wuzha(["crawl", "--sites", str(registry), "--out", str(out), *args], log)
    return proc, log, out


def test_an_allowed_ipv6_literal_site_is_crawled(ipv6_site, tmp_path):
    proc, _log, out = _crawl(ipv6_site, tmp_path, "--allow-private", "::1/128")
    assert proc.returncode == 0, proc.stderr
    port = ipv6_site.server_address[1]
    pages = read_jsonl(out / "pages.jsonl")
    assert [p["url"] for p in pages] == [f"http://[::1]:{port}/"], proc.stdout[-2000:]
    assert set(ipv6_site.hits) == {"/"}  # the sweep and the site-check variants of the home page
    assert "DNS lookup failed" not in proc.stdout


def test_a_refused_ipv6_literal_site_gets_the_guards_reason(ipv6_site, tmp_path):
    proc, log, out = _crawl(ipv6_site, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert read_jsonl(out / "pages.jsonl") == []
    assert ipv6_site.hits == []
    assert not [c for c in connections(log) if c[0] == "::1"]
    stdout = " ".join(proc.stdout.split())
    assert "blocked: loopback address" in stdout, stdout[-2000:]
    for wrong in ("has no host", "not a valid web address", "DNS lookup failed"):
        assert wrong not in stdout
