"""Drill: a page built to be slow to read cannot freeze the sweep.

100,000 nested ``<div>``s cost the page model tens of seconds (the cost grows with the square
of the nesting depth). Read on the thread that drives the downloads, that froze the whole
sweep: the downloads of other sites in flight at that moment timed out and were retried. Now
pages are read and scanned in worker processes under ``crawl_page_time_limit``: the slow page
is recorded as such, its site goes on, and the other site's downloads never notice.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.extensions.pageworkers import PageTooSlow, PageWorkers
from tests.crawler.helpers import run_wuzha, write_sites

pytestmark = pytest.mark.slow

NESTING = 100_000
LIMIT = 3  # crawl_page_time_limit of the drill, seconds
STEADY_PAGES = 24
STEADY_DELAY = 0.4  # seconds each page of the steady site takes to answer


def nested_divs(depth: int = NESTING) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>资料</title></head><body>"
        + "<div>" * depth
        + "深"
        + "</div>" * depth
        + "</body></html>"
    ).encode()


def _page(title: str, links: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{'本社区开展邻里互助活动，欢迎居民报名参加。' * 6}</p>"
        f"{links}</body></html>"
    ).encode()


class DrillSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: dict[str, bytes], delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.delay = delay
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: DrillSite

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        body = self.server.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _sites() -> tuple[DrillSite, DrillSite]:
    deep_links = '<a href="/deep.html">资料汇编</a>' + "".join(
        f'<a href="/p/{n}.html">通知{n}</a>' for n in range(4)
    )
    deep = {"/": _page("社区首页", deep_links), "/deep.html": nested_divs()}
    deep.update({f"/p/{n}.html": _page(f"通知{n}") for n in range(4)})
    steady_links = "".join(f'<a href="/s/{n}.html">新闻{n}</a>' for n in range(STEADY_PAGES))
    steady = {"/": _page("街道首页", steady_links)}
    steady.update({f"/s/{n}.html": _page(f"新闻{n}") for n in range(STEADY_PAGES)})
    return DrillSite(deep), DrillSite(steady, delay=STEADY_DELAY)


def test_a_page_slow_to_read_costs_its_time_limit_and_stalls_nothing(tmp_path):
    deep, steady = _sites()
    for server in (deep, steady):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sites = write_sites(
            tmp_path / "sites.jsonl",
            [
                {"id": "deep", "name": "深站", "url": deep.url},
                {"id": "steady", "name": "稳站", "url": steady.url},
            ],
        )
        out = tmp_path / "out"
        args = ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", "--no-robots"]
        args += ["--allow-private", "127.0.0.0/8", "--quiet"]
        env = {
            # a frozen sweep shows as downloads timing out: give them little room
            "WUZHA_CRAWL_DOWNLOAD_TIMEOUT": "4",
            "WUZHA_CRAWL_PAGE_TIME_LIMIT": str(LIMIT),
            "WUZHA_SITECHECK_EXTRA_REQUESTS": "0",
        }
        proc = run_wuzha(args, tmp_path / "connects.jsonl", env=env, timeout=400)
    finally:
        for server in (deep, steady):
            server.shutdown()
            server.server_close()
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    stats = summary["stats"]
    # The slow page is recorded as such; the rest of its site is read.
    assert stats["sweep/errors/page_too_slow"] == 1
    assert summary["errors"]["by_reason"]["sweep/errors/page_too_slow"] == 1
    assert summary["pages"] == 1 + 4 + 1 + STEADY_PAGES
    # No download of the other site waited on it: nothing timed out, nothing was retried.
    assert [k for k in stats if k.startswith("retry/")] == []
    assert sorted(steady.requests) == sorted(["/", *(f"/s/{n}.html" for n in range(STEADY_PAGES))])
    pages = [json.loads(line) for line in (out / "pages.jsonl").read_text("utf-8").splitlines()]
    assert not any(p["url"].endswith("/deep.html") for p in pages)


def test_the_worker_of_a_slow_page_is_replaced_and_the_next_page_is_read():
    async def drill() -> tuple[float, str]:
        workers = PageWorkers(1, LIMIT, model=False)
        try:
            await workers.read(_page("首页"), "http://deep.test/", None)  # the worker is up
            started = time.monotonic()
            with pytest.raises(PageTooSlow):
                await workers.read(nested_divs(), "http://deep.test/", "text/html")
            took = time.monotonic() - started
            read = await workers.read(_page("通知"), "http://deep.test/p.html", None)
            return took, read.page.title
        finally:
            workers.close()

    took, title = asyncio.run(drill())
    # the limit and the kill, not the page's own 20 s and more
    assert took < LIMIT + 3
    assert title == "通知"


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _worker_pids() -> list[int]:
    """The page workers: children of this process's fork server."""
    from pathlib import Path

    servers = [
        pid
        for pid in _children(os.getpid())
        if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    return [child for server in servers for child in _children(server)]


def test_a_worker_killed_while_idle_is_replaced_and_the_next_page_is_read():
    """pebble breaks the whole pool when a worker dies between tasks (the out-of-memory killer,
    an operator's kill): the pool is replaced and the page read in the new one."""

    async def drill() -> str:
        workers = PageWorkers(1, LIMIT, model=False)
        try:
            await workers.read(_page("首页"), "http://idle.test/", None)
            pids = _worker_pids()
            assert pids
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            read = await workers.read(_page("通知"), "http://idle.test/p.html", None)
            return read.page.title
        finally:
            workers.close()

    assert asyncio.run(drill()) == "通知"


def test_what_the_page_model_raises_in_a_worker_reaches_the_crawler_as_words():
    """Exceptions of C libraries (lxml's) do not pickle: the crawler still learns what failed."""
    from pagemodel.worker import WorkFailed

    async def drill() -> WorkFailed:
        workers = PageWorkers(1, LIMIT, model=False)
        try:
            with pytest.raises(WorkFailed) as failed:
                await workers.read(b"<p>x</p>", "http://a.test/", None, served=("not bytes", None))
            return failed.value
        finally:
            workers.close()

    failed = asyncio.run(drill())
    assert failed.kind and failed.message
