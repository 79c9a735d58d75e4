"""JavaScript-only sites rendered in Chromium: their fraud is found, their scripts cannot reach
private addresses, and plain sites never start a browser."""

from __future__ import annotations

import pytest

from farm import FarmOptions, build_farm
from farm.runner import free_base_port, running
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, page_urls, sites_from_truth
from tests.crawler.helpers import connections, explain_like_the_crawl, read_jsonl, run_wuzha

pytestmark = [pytest.mark.chromium, pytest.mark.slow]


@pytest.fixture(scope="module")
def js_farm():
    farm = build_farm(
        12, base_port=free_base_port(12), options=FarmOptions(private_subrequests=True)
    )
    with running(farm, control=True) as handle:
        yield handle, farm.truth()


def test_javascript_only_fraud_is_found_and_browser_requests_are_guarded(js_farm, tmp_path):
    _handle, truth = js_farm
    js_sites = [s for s in truth["sites"] if s["kind"] == "js_app"]
    assert js_sites, "the farm has no JavaScript site"
    # One flagged in the registry, one found by the script-only fallback
    assert {s["registry_render"] for s in js_sites} >= {True} or len(js_sites) == 1
    sites = sites_from_truth(truth, tmp_path / "sites.jsonl", only=lambda s: s["kind"] == "js_app")
    out = tmp_path / "out"
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), *CRAWL_ARGS],
        tmp_path / "connects.jsonl",
        env=CRAWL_ENV,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    emitted = {p["url"] for p in read_jsonl(out / "pages.jsonl")}
    js_fraud = [p for s in js_sites for p in s["fraud_pages"] if p.get("js_only")]
    assert js_fraud
    assert [p["url"] for p in js_fraud if not page_urls(p) & emitted] == []
    log = (out / "crawl.log").read_text()
    assert "browser request refused: http://169.254.169.254/latest/meta-data/" in log
    assert "playwright/page_count/closed" in log
    assert {host for host, _ in connections(tmp_path / "connects.jsonl")} <= {"127.0.0.1", "::1"}
    # `wuzha rules scan URL --render` reads each rendered fraud page as the crawl did
    fraud = {u for p in js_fraud for u in page_urls(p)}
    assert explain_like_the_crawl(out / "findings.jsonl", fraud, "--render") == []


def test_plain_sites_do_not_start_a_browser(js_farm, tmp_path):
    _handle, truth = js_farm
    sites = sites_from_truth(truth, tmp_path / "sites.jsonl", only=lambda s: s["kind"] == "company")
    out = tmp_path / "out"
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), *CRAWL_ARGS],
        tmp_path / "connects.jsonl",
        env=CRAWL_ENV,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = (out / "crawl.log").read_text()
    assert "playwright/browser_count" not in log
