"""Drill (issue 14, item 5): evasion by a byte. A page with one NUL byte in its first 8 KB is a
page to a browser, so the sweep must read and scan it; a real binary file served as HTML is
skipped, counted by its reason. `wuzha rules scan` takes the same decision on the same bytes
(one function decides: pagemodel.encoding.decode_html), and Chromium shows the page."""

from __future__ import annotations

import gzip
import json
import random
from http.server import BaseHTTPRequestHandler

import pytest

from tests.crawler.helpers import read_jsonl, run_wuzha, send_html, serving, write_sites

FRAUD = "日赚千元，稳赚不赔，加微信 abc12345 投资虚拟币，保本保息，月收益百分之三十。" * 5


def _page(title: str, text: str, links: str = "", charset: str = "utf-8") -> bytes:
    html = (
        f"<html><head><meta charset='{charset}'><title>{title}</title></head>"
        f"<body><p>{text}</p>{links}</body></html>"
    )
    return html.encode(charset)


def _with_nul(body: bytes, at: int = 120) -> bytes:
    return body[:at] + b"\x00" + body[at:]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + random.Random(5).randbytes(3000)
BODIES = {
    "/": _with_nul(
        _page(
            "高额返利",
            FRAUD,
            '<a href="/gbk.html">gbk</a> <a href="/padded.html">padded</a> '
            '<a href="/behind-gif.html">gif</a> '
            '<a href="/logo">logo</a> <a href="/data">data</a>',
        )
    ),
    "/gbk.html": _with_nul(_page("投资理财", FRAUD, charset="gbk"), at=60),
    # control bytes padded into a comment: a share no page has, yet a page to a browser
    "/padded.html": _page("稳赚", "<!--" + "\x01\x02\x03" * 500 + "-->" + FRAUD),
    # a GIF header and binary bytes in front of a page: still a page to a browser
    "/behind-gif.html": b"GIF89a\x01\x00\x01\x00" + _page("返利", FRAUD),
    "/logo": PNG,
    "/data": gzip.compress(_page("压缩", FRAUD), mtime=0),
}
TEXT_PAGES = ("/", "/gbk.html", "/padded.html", "/behind-gif.html")
BINARY = {"/logo": "png", "/data": "gzip"}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = BODIES.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        send_html(self, body)  # everything claims to be HTML

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_site():
    with serving(_Handler) as server:
        yield server


def test_the_sweep_reads_pages_with_a_nul_byte_and_skips_real_binaries(odd_site, tmp_path):
    port = odd_site.server_address[1]
    base = f"http://127.0.0.1:{port}"
    sites = write_sites(tmp_path / "sites.jsonl", [{"url": f"{base}/", "name": "空字节"}])
    out = tmp_path / "out"
    args = ["--allow-private", "127.0.0.1/32", "--no-render", "--no-robots", "--quiet"]
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), *args], tmp_path / "c.jsonl"
    )
    assert proc.returncode == 0, proc.stderr
    pages = {p["url"] for p in read_jsonl(out / "pages.jsonl")}
    assert pages == {base + path for path in TEXT_PAGES}, proc.stdout[-2000:]
    findings = {f["url"]: f for f in read_jsonl(out / "findings.jsonl")}
    for path in TEXT_PAGES:
        assert "fake_investment" in {h["category"] for h in findings[base + path]["hits"]}, path
    errors = json.loads((out / "summary.json").read_text())["errors"]["by_reason"]
    for reason in BINARY.values():
        assert errors.get(f"sweep/skipped/binary/{reason}") == 1, errors
    assert not any("control_chars" in key or "nul" in key for key in errors), errors


def test_rules_scan_decides_as_the_sweep_does(tmp_path):
    from click.testing import CliRunner

    from ground.errors import WuzhaError
    from wuzha.cli import cli

    for path, body in BODIES.items():
        file = tmp_path / (path.strip("/").replace(".", "_") or "index")
        file.write_bytes(body)
        result = CliRunner().invoke(cli, ["rules", "scan", str(file)])
        if path in BINARY:  # the sentence the command line prints, from its error
            assert isinstance(result.exception, WuzhaError), (path, result.output)
            assert f"{file} is a binary file ({BINARY[path]})" in str(result.exception)
        else:
            assert result.exit_code == 0, (path, result.output)
            assert "fake_investment" in result.output, (path, result.output)


@pytest.mark.chromium
def test_chromium_shows_the_pages_the_sweep_reads(odd_site, chromium_path):
    from playwright.sync_api import sync_playwright

    from crawler.chromium import CHROMIUM_ARGS

    port = odd_site.server_address[1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for path, title in (
                ("/", "高额返利"),
                ("/padded.html", "稳赚"),
                ("/behind-gif.html", "返利"),
            ):
                page.goto(f"http://127.0.0.1:{port}{path}")
                assert page.title() == title
                assert "稳赚不赔" in page.locator("p").inner_text()
        finally:
            browser.close()
