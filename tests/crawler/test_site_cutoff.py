"""Drill: the per-site wall-time budget holds against a site that stalls after its headers.

A local site whose start page links to many pages that send their headers and then one byte
a second (or nothing at all) used to keep the sweep busy long after ``--site-timeout``: the
requests already queued in the site's download slot still went out, each to the full download
timeout. Now its queued requests are dropped and its downloads stopped when the budget ends;
measured from the server's side (first request to last connection closed) the site costs its
budget plus a few seconds, and the summary says it timed out without inventing errors.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.extensions.sitecutoff import MIN_TIMEOUT, capped_timeout
from tests.crawler.helpers import run_wuzha, write_sites

pytestmark = pytest.mark.slow

BUDGET = 10  # --site-timeout
SLACK = 4  # seconds past the budget the site may still cost
LINKS = 30


class StallingSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode  # "trickle": a byte a second; "hang": nothing after the headers
        self.lock = threading.Lock()
        self.first: float | None = None
        self.last_end: float | None = None
        self.requests = 0

    def opened(self) -> None:
        with self.lock:
            self.requests += 1
            if self.first is None:
                self.first = time.monotonic()

    def closed(self) -> None:
        with self.lock:
            self.last_end = time.monotonic()

    @property
    def busy_seconds(self) -> float:
        return (self.last_end or 0) - (self.first or 0)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: StallingSite

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.opened()
        try:
            if self.path == "/":
                links = "".join(f'<a href="/p/{n}.html">第{n}页</a>\n' for n in range(LINKS))
                body = (
                    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>首页</title></head>"
                    f"<body><p>{'公司简介。' * 40}</p>{links}</body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if not self.path.startswith("/p/"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE html><html><head><title>slow</title></head><body>")
            self.wfile.flush()
            self._stall()
        finally:
            self.server.closed()

    def _stall(self) -> None:
        """Until the crawler hangs up (at most five minutes)."""
        sock = self.connection
        for _ in range(300):
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        return
                except OSError:
                    return
            if self.server.mode == "trickle":
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return


def _crawl(tmp_path, mode: str, *, resume: bool = False):
    """Crawl the stalling site (then, with `resume`, run the same command with --resume)."""
    server = StallingSite(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        sites = write_sites(
            tmp_path / "sites.jsonl",
            [{"id": f"stall-{mode}", "name": "慢站", "url": f"http://127.0.0.1:{port}/"}],
        )
        out = tmp_path / "out"
        args = ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", "--no-robots"]
        args += ["--allow-private", "127.0.0.0/8", "--site-timeout", str(BUDGET), "--quiet"]
        env = {"WUZHA_CRAWL_DOWNLOAD_TIMEOUT": "20"}
        started = time.monotonic()
        proc = run_wuzha(args, tmp_path / "connects.jsonl", env=env, timeout=400)
        took = time.monotonic() - started
        time.sleep(1.5)  # the server notices the last hang-up within a second
        if resume:
            server.requests = 0
            proc = run_wuzha([*args, "--resume"], tmp_path / "resumed.jsonl", env=env)
    finally:
        server.shutdown()
        server.server_close()
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    return proc, summary, server, took


@pytest.mark.parametrize("mode", ["trickle", "hang"])
def test_a_stalling_site_costs_its_budget_and_no_more(tmp_path, mode):
    proc, summary, server, took = _crawl(tmp_path, mode)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert server.requests > 2  # it did fetch the start page and some slow pages
    assert server.busy_seconds <= BUDGET + SLACK, (mode, server.busy_seconds, took)
    (problem,) = summary["sites"]["problems"]
    assert problem["status"] == "timeout"
    assert problem["reason"] == f"wall-time budget of {BUDGET} s used up"
    # What the budget cut off is not the site's failure, nor an error of the sweep.
    assert problem["errors"] == 0
    assert summary["errors"]["total"] == 0
    assert summary["stats"].get("sweep/cut/requests", 0) > 0
    assert summary["pages"] == 1


def test_a_site_cut_off_by_its_budget_stays_finished_on_resume(tmp_path):
    """What the budget dropped is not journalled as done, but the site is journalled as timed
    out: --resume neither fetches it again nor changes what the summary says of it."""
    proc, summary, server, _ = _crawl(tmp_path, "hang", resume=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert server.requests == 0
    (problem,) = summary["sites"]["problems"]
    assert (problem["status"], problem["errors"], summary["pages"]) == ("timeout", 0, 1)


@pytest.mark.parametrize(
    ("current", "remaining", "expected"),
    [
        (20.0, 7.5, 7.5),  # the budget is shorter than the download timeout: cut to it
        (5.0, 7.5, None),  # already shorter: left alone
        (20.0, -3.0, MIN_TIMEOUT),  # overdue: the shortest timeout there is
        (20.0, None, None),  # site not started: nothing to cap to
        (None, 4.0, 4.0),
    ],
)
def test_capped_timeout(current, remaining, expected):
    assert capped_timeout(current, remaining) == expected


def test_a_rendered_request_is_capped_in_its_page_too():
    """scrapy-playwright ignores download_timeout: the navigation's timeout and the idle wait
    after it get the site's budget instead (the other goto arguments are kept)."""
    from scrapy import Request

    from crawler.crawlstate import SITE_ID, CrawlState
    from crawler.extensions.sitecutoff import SiteCutoff
    from crawler.render import NETWORK_IDLE_MS, render_meta, settle
    from tests.pipeline_items import make_crawler

    crawler, _ = make_crawler({})
    ext = SiteCutoff(crawler)
    ext.crawl_state = crawler.get_extension(CrawlState)
    site = ext.crawl_state.site("site-bbs")
    now = time.monotonic()
    site.start(now - (site.budget.wall_time - 3.0))  # three seconds of its budget left
    request = Request(
        "http://bbs.binjiang.test/",
        meta={**render_meta(), SITE_ID: "site-bbs", "download_timeout": 60.0},
    )
    ext.request_reached_downloader(request)
    goto = request.meta["playwright_page_goto_kwargs"]
    assert goto["wait_until"] == "load"
    assert 2_000 < goto["timeout"] <= 3_000
    (method,) = request.meta["playwright_page_methods"]
    assert method.method is settle
    assert now + 2.0 < method.kwargs["deadline"] <= now + 3.0 + 0.5

    waited: list[float] = []

    class Page:  # what settle asks of the page: how long it waits for network idle
        main_frame = None

        async def wait_for_load_state(self, state, timeout):
            waited.append(timeout)

        def on(self, event, handler):  # settle listens for failed navigations meanwhile
            pass

        remove_listener = on

        async def evaluate(self, expression):  # the document is the page, not an error page
            return "http://bbs.binjiang.test/"

    import asyncio

    asyncio.run(settle(Page(), **method.kwargs))
    asyncio.run(settle(Page(), deadline=time.monotonic() - 1))  # budget gone: no wait at all
    asyncio.run(settle(Page()))
    assert len(waited) == 2
    assert 1_000 < waited[0] <= 3_000
    assert waited[1] == NETWORK_IDLE_MS


def test_an_error_in_a_round_is_logged_and_the_rounds_go_on(caplog):
    from crawler.crawlstate import CrawlState
    from crawler.extensions.sitecutoff import SiteCutoff
    from tests.pipeline_items import make_crawler

    crawler, _ = make_crawler({})
    ext = SiteCutoff(crawler)
    ext.crawl_state = crawler.get_extension(CrawlState)

    class Slots:  # a downloader whose slots cannot be listed
        def items(self):
            raise RuntimeError("slots went away")

    class Downloader:
        slots = Slots()

    class Engine:
        downloader = Downloader()

    crawler.engine = Engine()
    ext.tick()  # no raise: a raise would stop the LoopingCall for good
    ext.tick()
    failed = [r for r in caplog.records if "round over the download slots failed" in r.message]
    assert len(failed) == 2 and failed[0].exc_info
