"""Drills: a rendered page cannot reach a refused address in any way a page can, and a
navigation the guard stops is never stored as the page.

Each page of tests/crawler/browsertraps.py is rendered from 127.0.0.2 (allowed) and aims at
127.0.0.1 / [::1] on a tripwire port (refused: loopback outside the allowed network). The
tripwire records every TCP connection it accepts; a drill passes with none.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import pytest
from scrapy.exceptions import NotSupported
from scrapy.settings import Settings
from scrapy_playwright.handler import Config

from crawler import renderpage
from crawler.browserprovider import GuardedBrowserProvider
from crawler.errors import CrawlError
from crawler.guardproxy import GuardProxy, is_browser_service
from crawler.renderpage import render
from ground.addresses import AddressPolicy
from tests.crawler.browsertraps import ALLOW_SITE, hostile_site, trap_pages, tripwire
from tests.crawler.farmsites import CRAWL_ENV
from tests.crawler.helpers import read_jsonl, run_wuzha, write_sites

pytestmark = [pytest.mark.chromium]

POLICY = AddressPolicy.from_cidrs([ALLOW_SITE])
TRAPS = [
    "websocket",
    "popup",
    "worker",
    "serviceworker",
    "iframe",
    "form",
    "localname",
    "mapped",
    "redirect",
    "webrtc",
]


def _record_proxies(monkeypatch) -> list[GuardProxy]:
    """The guard proxies renderpage starts from now on, in order."""
    proxies: list[GuardProxy] = []

    class Recorded(GuardProxy):
        async def start(self) -> int:
            proxies.append(self)
            return await super().start()

    monkeypatch.setattr(renderpage, "GuardProxy", Recorded)
    return proxies


@pytest.mark.parametrize("trap", TRAPS)
def test_a_rendered_page_cannot_connect_to_a_refused_address(trap, chromium_path, caplog):
    with tripwire() as wire, hostile_site(trap_pages(wire.port)) as site:
        caplog.set_level(logging.INFO)
        try:
            render(f"{site}/{trap}", policy=POLICY, chromium=chromium_path, timeout=10)
        except CrawlError:
            pass  # a page whose own document is replaced by a refused one is not read
        time.sleep(0.5)  # anything still on its way
        assert wire.accepted == []
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any(f":{wire.port}" in message for message in refused), refused


def test_the_browser_connects_to_nothing_but_the_pages_it_renders(chromium_path, monkeypatch):
    """Chromium's own traffic (updates, safe browsing, DNS-over-HTTPS, sync, metrics) is off:
    the proxy, its only way out, sees the site and nothing else."""
    proxies = _record_proxies(monkeypatch)
    with tripwire() as wire, hostile_site(trap_pages(wire.port)) as site:
        render(f"{site}/", policy=POLICY, chromium=chromium_path, timeout=10)
        time.sleep(1.0)
    [proxy] = proxies
    host = site.removeprefix("http://")
    assert proxy.connected and set(proxy.connected) == {host}
    pages_asked = {host, f"127.0.0.1:{wire.port}", f"[::1]:{wire.port}"}
    others = {where.rsplit(":", 1)[0] for where in proxy.asked} - {
        h.rsplit(":", 1)[0] for h in pages_asked
    }
    assert all(is_browser_service(other) for other in others), others
    assert wire.accepted == []


def test_a_navigation_the_guard_stops_is_not_read_as_the_page(chromium_path):
    with tripwire() as wire, hostile_site(trap_pages(wire.port)) as site:
        with pytest.raises(CrawlError, match="refused|ERR_"):
            rendered = render(f"{site}/navigation", policy=POLICY, chromium=chromium_path)
            # what main did: Chromium's error page, titled with the target host, as the page
            print(rendered.url, rendered.html[:300])
        assert wire.accepted == []


@pytest.mark.slow
def test_a_crawl_renders_hostile_pages_without_reaching_refused_addresses(tmp_path):
    with tripwire() as wire, hostile_site(trap_pages(wire.port)) as site:
        sites = write_sites(
            tmp_path / "sites.jsonl",
            [{"id": "hostile", "name": "滨江便民", "url": site + "/", "render_js": True}],
        )
        out = tmp_path / "out"
        args = ["crawl", "--sites", str(sites), "--out", str(out), "--quiet"]
        args += ["--allow-private", ALLOW_SITE, "--max-pages", "20", "--site-timeout", "60"]
        proc = run_wuzha(args, tmp_path / "connects.jsonl", env=CRAWL_ENV)
        time.sleep(0.5)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert wire.accepted == []
    pages = read_jsonl(out / "pages.jsonl")
    stored = {p["url"].rsplit("/", 1)[-1]: p for p in pages}
    assert {"websocket", "popup", "worker", "iframe"} <= set(stored), sorted(stored)
    # the page a script navigated to a refused address: failed with the reason, not stored
    titles = [p.get("title") for p in pages]
    assert "127.0.0.1" not in titles, titles
    assert all("chrome-error" not in p["url"] for p in pages)
    assert "navigation" not in stored
    log = (out / "crawl.log").read_text()
    assert f"127.0.0.1:{wire.port}" in log and "loopback address" in log
    assert f"navigation to http://127.0.0.1:{wire.port}/nav failed" in log
    summary = json.loads((out / "summary.json").read_text())
    assert summary["errors"]["by_reason"].get("sweep/errors/browser", 0) >= 1, summary["errors"]


def test_the_proxy_stops_when_chromium_does_not_start(monkeypatch):
    proxies = _record_proxies(monkeypatch)
    with pytest.raises(CrawlError):
        render("http://127.0.0.2/", policy=POLICY, chromium=Path("/bin/false"), timeout=10)
    [proxy] = proxies
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=2).close()


@pytest.mark.parametrize("setting", ["PLAYWRIGHT_CDP_URL", "PLAYWRIGHT_CONNECT_URL"])
def test_a_remote_browser_is_refused_not_left_unguarded(setting):
    config = Config.from_settings(Settings({setting: "ws://127.0.0.1:9222"}))
    with pytest.raises(NotSupported, match="guard proxy"):
        GuardedBrowserProvider(config)
