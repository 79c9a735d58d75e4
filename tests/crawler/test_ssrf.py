"""The SSRF guard: address tables, the resolver backstop, and a real crawl whose redirects
point at private and metadata addresses – refused without a connection being attempted."""

from __future__ import annotations

import ipaddress
from http.server import BaseHTTPRequestHandler

import pytest

from ground.addresses import AddressPolicy, forbidden_reason, parse_ip, refusal_for_url
from tests.crawler.helpers import (
    connections,
    read_jsonl,
    run_wuzha,
    send_html,
    serving,
    write_sites,
)

NO_ALLOW = AddressPolicy()
FARM = AddressPolicy.from_cidrs(["127.0.0.0/8"])


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("114.114.114.114", None),
        ("2001:4860:4860::8888", None),
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("192.168.1.1", "private address"),
        ("127.0.0.1", "loopback address"),
        ("127.255.255.254", "loopback address"),
        ("169.254.169.254", "cloud metadata address"),
        ("100.100.100.200", "cloud metadata address"),
        ("169.254.1.1", "link-local address"),
        ("100.64.0.1", "carrier-grade NAT address"),
        ("0.0.0.0", "unspecified address"),
        ("224.0.0.1", "multicast address"),
        ("240.0.0.1", "reserved address"),
        ("255.255.255.255", "reserved address"),
        ("192.0.2.1", "private address"),  # TEST-NET documentation range
        ("::1", "loopback address"),
        ("::", "unspecified address"),
        ("fe80::1", "link-local address"),
        ("fc00::1", "private address"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("ff02::1", "multicast address"),
        ("::ffff:10.0.0.1", "private address (IPv6-embedded 10.0.0.1)"),
        ("::ffff:169.254.169.254", "cloud metadata address (IPv6-embedded 169.254.169.254)"),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::a9fe:a9fe", "cloud metadata address (IPv6-embedded 169.254.169.254)"),
        ("2002:0a00:0001::1", "private address (IPv6-embedded 10.0.0.1)"),
    ],
)
def test_forbidden_addresses(address, reason):
    assert forbidden_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.8.8", True),
        ("::ffff:127.0.0.1", True),  # the mapped form of an allowed address is allowed
        ("::1", False),  # IPv6 loopback is another network
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("8.8.8.8", True),
    ],
)
def test_allow_list(address, allowed):
    assert (FARM.refusal(ipaddress.ip_address(address)) is None) is allowed


@pytest.mark.parametrize(
    ("url", "refused", "host"),
    [
        ("http://10.0.0.1/", True, None),
        ("http://[::ffff:a00:1]/", True, None),
        ("http://[fe80::1%25eth0]/", True, None),
        ("http://169.254.169.254/latest/meta-data/", True, None),
        ("file:///etc/passwd", True, None),
        ("gopher://127.0.0.1:6379/_INFO", True, None),
        ("http://8.8.8.8/", False, None),
        ("http://Example.CN./x", False, "example.cn"),  # a name: resolved, then checked
        ("http://2130706433/", False, "2130706433"),  # decimal IP: left to the resolver
    ],
)
def test_refusal_for_url(url, refused, host):
    reason, to_resolve = refusal_for_url(url, NO_ALLOW)
    assert (reason is not None) is refused
    assert to_resolve == host


@pytest.mark.parametrize("text", ["[::1]", "fe80::1%eth0", " 10.0.0.1 "])
def test_parse_ip_forms(text):
    assert parse_ip(text) is not None


def test_resolver_refuses_names_that_resolve_to_private_addresses():
    """`localhost` and the decimal spelling of 127.0.0.1 resolve locally (no network)."""
    from twisted.internet import defer

    from crawler.resolver import BlockedAddressError, GuardedResolver

    class Reactor:  # ThreadedResolver needs only these two for a cached answer
        def callLater(self, *a, **k):
            raise AssertionError("not reached: answer is cached")

    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.policy = NO_ALLOW
    for name, address in (("localhost", "127.0.0.1"), ("2130706433", "127.0.0.1")):
        failures: list[BaseException] = []
        d = defer.succeed(address).addCallback(resolver._check, name)
        d.addErrback(lambda f, sink=failures: sink.append(f.value))
        assert isinstance(failures[0], BlockedAddressError)
        assert "loopback" in str(failures[0])


# --- integration: a site that redirects to forbidden addresses ---------------------------------

TARGETS = {
    "/to-private": "http://10.1.2.3/admin",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-mapped": "http://[::ffff:10.0.0.1]/",
    "/to-other-loopback": "http://127.0.0.2:{port}/",  # loopback, but not in the allow-list
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        if self.path in TARGETS:
            self.send_response(302)
            self.send_header("Location", TARGETS[self.path].format(port=port))
            self.end_headers()
            return
        links = "".join(f'<a href="{p}">{p}</a> ' for p in TARGETS)
        body = (
            "<html><head><title>跳转测试</title></head><body><p>"
            + "这个站点的链接会跳转到内网地址和云元数据地址，爬虫必须拒绝。" * 5
            + f"</p>{links}</body></html>"
        ).encode()
        send_html(self, body)

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting_site():
    with serving(_Handler) as server:
        yield server.server_address[1]


def crawl_loopback_site(port: int, name: str, tmp_path):
    """`wuzha crawl` of the one site on 127.0.0.1:`port` (allowed), without robots or a
    browser: the process, its connection log and its results folder."""
    sites = write_sites(
        tmp_path / "sites.jsonl", [{"url": f"http://127.0.0.1:{port}/", "name": name}]
    )
    log, out = tmp_path / "connects.jsonl", tmp_path / "out"
    args = ["--allow-private", "127.0.0.1/32", "--no-render", "--no-robots", "--quiet"]
    proc = run_wuzha(["crawl", "--sites", str(sites), "--out", str(out), *args], log)
    return proc, log, out


def test_redirects_to_forbidden_addresses_never_connect(redirecting_site, tmp_path):
    port = redirecting_site
    proc, log, out = crawl_loopback_site(port, "跳转", tmp_path)
    assert proc.returncode == 0, proc.stderr
    attempted = {host for host, _ in connections(log)}
    assert attempted == {"127.0.0.1"}, attempted
    crawl_log = (out / "crawl.log").read_text()
    for target in ("10.1.2.3", "169.254.169.254", "::ffff:10.0.0.1", "127.0.0.2"):
        assert (
            f"refused http://{target}" in crawl_log or f"refused http://[{target}]" in crawl_log
        ), target
    pages = read_jsonl(out / "pages.jsonl")
    assert [p["url"] for p in pages] == [f"http://127.0.0.1:{port}/"]


# --- integration: a site that redirects with an HTTP Refresh header ----------------------------
# `Refresh: 0; url=…` is a redirect every browser follows: it goes through the same guard and the
# same redirect accounting (REDIRECT_MAX_TIMES) as a 302.

REFRESH_TARGETS = {
    "/refresh-private": "0; url=http://10.1.2.3/admin",
    "/refresh-metadata": "0;URL='http://169.254.169.254/latest/meta-data/'",
    "/refresh-mapped": "1, url=http://[::ffff:10.0.0.1]/",
    "/refresh-other-loopback": "0; url=http://127.0.0.2:{port}/",
}
REFRESH_LOOP = "/refresh-loop/"


class _RefreshHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        self.server.hits.append(self.path)
        if self.path == "/":
            self._send(b"<html><body>moved</body></html>", refresh="0; url=/landing")
        elif self.path in REFRESH_TARGETS:
            self._send(b"<html><body>moved</body></html>", refresh=REFRESH_TARGETS[self.path])
        elif self.path.startswith(REFRESH_LOOP):
            step = int(self.path.removeprefix(REFRESH_LOOP)) + 1
            self._send(b"<html><body>again</body></html>", refresh=f"0; url={REFRESH_LOOP}{step}")
        elif self.path == "/landing":
            links = "".join(
                f'<a href="{p}">{p}</a> ' for p in [*REFRESH_TARGETS, REFRESH_LOOP + "0"]
            )
            body = (
                "<html><head><title>刷新跳转</title></head><body><p>"
                + "这个站点用 HTTP Refresh 头跳转，爬虫要像浏览器一样跟随，但必须拒绝内网地址。" * 5
                + f"</p>{links}</body></html>"
            )
            self._send(body.format(port=port).encode())
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes, refresh: str | None = None):
        port = self.server.server_address[1]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if refresh is not None:
            self.send_header("Refresh", refresh.format(port=port))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def refreshing_site():
    with serving(_RefreshHandler) as server:
        yield server


def test_a_refresh_header_is_followed_through_the_guard(refreshing_site, tmp_path):
    from crawler.settings import REDIRECT_MAX_TIMES

    port = refreshing_site.server_address[1]
    proc, log, out = crawl_loopback_site(port, "刷新", tmp_path)
    assert proc.returncode == 0, proc.stderr
    # Followed like a redirect: the site's page is the landing page, not the one that moved.
    pages = read_jsonl(out / "pages.jsonl")
    assert [p["url"] for p in pages] == [f"http://127.0.0.1:{port}/landing"]
    # Refused before any connection, like a 302 to the same places.
    attempted = {host for host, _ in connections(log)}
    assert attempted == {"127.0.0.1"}, attempted
    crawl_log = (out / "crawl.log").read_text()
    for target in ("10.1.2.3", "169.254.169.254", "::ffff:10.0.0.1", "127.0.0.2"):
        assert (
            f"refused http://{target}" in crawl_log or f"refused http://[{target}]" in crawl_log
        ), target
    # Counted like other redirects: an endless chain stops after REDIRECT_MAX_TIMES hops.
    loop = [hit for hit in refreshing_site.hits if hit.startswith(REFRESH_LOOP)]
    assert len(loop) == REDIRECT_MAX_TIMES + 1, loop
