"""End to end: `wuzha crawl` over a farm of 30 sites of every kind, checked against its truth."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from ground.urls import canonical_url, site_id
from tests.crawler.farmsites import (
    CRAWL_ARGS,
    CRAWL_ENV,
    expected_fraud_pages,
    page_urls,
    serve_farm,
    sites_from_truth,
)
from tests.crawler.helpers import connections, explain_like_the_crawl, read_jsonl, run_wuzha

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("farm")
    with serve_farm(30, tmp / "truth.json") as handle:
        truth = json.loads((tmp / "truth.json").read_text("utf-8"))
        yield handle, truth, tmp


@pytest.fixture(scope="module")
def sweep(farm):
    handle, truth, tmp = farm
    sites = sites_from_truth(truth, tmp / "sites.jsonl")
    out = tmp / "out"
    handle.clear_requests()
    started = time.monotonic()
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS],
        tmp / "connects.jsonl",
        env=CRAWL_ENV,
    )
    seconds = time.monotonic() - started
    return {
        "proc": proc,
        "out": out,
        "seconds": seconds,
        "truth": truth,
        "requests": handle.requests(),
        "connects": connections(tmp / "connects.jsonl"),
    }


def test_sweep_completes_despite_hostile_sites(sweep):
    assert sweep["proc"].returncode == 0, sweep["proc"].stderr[-3000:]
    assert "completed" in sweep["proc"].stdout + sweep["proc"].stderr
    # slow, dripping, 5xx and bombing sites cost their own budget (40 s), not the sweep's
    assert sweep["seconds"] < 180


def test_no_connection_outside_the_farm(sweep):
    assert sweep["connects"], "the audit hook saw no connection at all"
    assert {host for host, _ in sweep["connects"]} == {"127.0.0.1"}


def test_every_fraud_page_is_crawled(sweep):
    emitted = {p["url"] for p in read_jsonl(sweep["out"] / "pages.jsonl")}
    missing = [
        p["url"]
        for p in expected_fraud_pages(sweep["truth"], rendered=False)
        if not page_urls(p) & emitted
    ]
    assert not missing


def test_no_page_is_emitted_twice(sweep):
    urls = Counter(p["url"] for p in read_jsonl(sweep["out"] / "pages.jsonl"))
    assert [u for u, n in urls.items() if n > 1] == []


def test_traps_are_bounded(sweep):
    trap_ports = {
        s["port"]: s["kind"]
        for s in sweep["truth"]["sites"]
        if s["hostile"] in ("calendar_trap", "facet_trap", "long_urls", "redirect_loops")
    }
    per_site = Counter(r.get("port") for r in sweep["requests"] if r.get("port") in trap_ports)
    real_pages = {
        s["port"]: len(s["benign_pages"]) + len(s["fraud_pages"]) for s in sweep["truth"]["sites"]
    }
    # the site's real pages, plus at most the trap rules' allowance (12 sort/filter variants,
    # 30 pages of a list), plus robots.txt and redirect hops
    for port, kind in trap_ports.items():
        assert 0 < per_site[port] <= real_pages[port] + 12 + 30 + 10, (kind, per_site[port])


def test_pages_carry_site_and_fetch_facts(sweep):
    pages = read_jsonl(sweep["out"] / "pages.jsonl")
    assert pages
    ids = {site_id(s["registry_url"]) for s in sweep["truth"]["sites"]}
    for page in pages:
        assert page["site"]["id"] in ids
        assert page["url"] == canonical_url(page["url"])


def test_rules_scan_of_each_fraud_page_says_what_the_crawl_stored(sweep):
    fraud = {u for p in expected_fraud_pages(sweep["truth"], rendered=False) for u in page_urls(p)}
    assert explain_like_the_crawl(sweep["out"] / "findings.jsonl", fraud) == []
