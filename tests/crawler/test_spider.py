"""The sweep spider through its two front doors: `scrapy crawl sweep` and `wuzha crawl`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.crawler.helpers import REPO, run_wuzha, write_sites

ITEM_KEYS = {
    "url",
    "original_url",
    "run_id",
    "site",
    "status",
    "fetched_at",
    "depth",
    "rendered",
    "charset",
    "charset_source",
    "title",
    "text",
    "description",
    "keywords",
    "icp",
    "links",
    "apk_links",
    "qr_images",
    "forum",
    "posts",
    "content_hash",
}

PAGES = {
    "/": '<a href="/a.html?utm_source=wx&sid=9">a</a> <a href="/a.html">a again</a> '
    '<a href="/forum-2-1.html">board</a> <a href="http://other.example/">elsewhere</a>',
    "/a.html": '<a href="/">home</a>',
    "/forum-2-1.html": '<a href="/forum-2-2.html">next</a>',
    "/forum-2-2.html": "<p>第二页</p>",
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path not in PAGES:
            self.send_error(404)
            return
        body = (
            f"<html><head><title>测试 {path}</title><meta charset='gbk'></head><body><p>"
            + "本站是一个测试站点，正文足够长。" * 8
            + f"</p>{PAGES[path]}</body></html>"
        ).encode("gbk")
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_scrapy_crawl_sweep_emits_the_page_item_contract(site, tmp_path):
    sites = write_sites(tmp_path / "sites.jsonl", [{"url": site, "name": "测试站"}])
    feed = tmp_path / "items.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "sweep",
            "-a",
            f"sites={sites}",
            "-s",
            "WUZHA_ALLOW_PRIVATE=127.0.0.0/8",
            "-s",
            "WUZHA_RENDER=0",
            "-s",
            "DOWNLOAD_HANDLERS={}",
            "-s",
            "ITEM_PIPELINES={}",
            "-s",
            "ROBOTSTXT_OBEY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            f"WUZHA_JOB_DIR={tmp_path / 'job'}",
            "-O",
            str(feed),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    items = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    urls = sorted(i["url"] for i in items)
    # tracking/session parameters stripped: /a.html once; the board's page 2 keeps depth 1
    assert urls == sorted(site + p for p in ("", "a.html", "forum-2-1.html", "forum-2-2.html"))
    for item in items:
        assert ITEM_KEYS <= item.keys()
        assert item["site"]["name"] == "测试站"
        assert item["charset"] == "gb18030" and item["charset_source"] == "meta"
        assert "测试站点" in item["text"]
    depths = {i["url"].rsplit("/", 1)[1]: i["depth"] for i in items}
    assert depths == {"": 0, "a.html": 1, "forum-2-1.html": 1, "forum-2-2.html": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sites", "/no/such/file.csv"], "does not exist"),
        ([], "--sites FILE or --from-index"),
        (["--sites", "SITES", "--site", "nosuch.example"], "no registered site matches"),
        (["--sites", "SITES", "--allow-private", "10.0.0.0/33"], "CIDR"),
        (["--sites", "SITES", "--max-pages", "0"], "--max-pages"),
    ],
)
def test_crawl_refuses_to_start_with_a_sentence(args, message, tmp_path):
    sites = write_sites(tmp_path / "sites.jsonl", [{"url": "http://127.0.0.1:9/", "name": "x"}])
    args = [str(sites) if a == "SITES" else a for a in args]
    proc = run_wuzha(["crawl", *args, "--quiet"], tmp_path / "connects.jsonl")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
