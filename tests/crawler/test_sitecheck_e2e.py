"""End to end: a sweep of the farm's cloaking, hijacking and look-alike sites gets each its
verdict (or none), with at most 4 extra requests per site."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from farm.kinds import CYCLE
from tests.crawler.farmsites import (
    CRAWL_ARGS,
    CRAWL_ENV,
    crawl_into_sites_index,
    serve_farm,
    sites_from_truth,
)
from tests.crawler.helpers import read_jsonl, run_wuzha

pytestmark = pytest.mark.slow

CHECKED = ("cloaked_portal", "search_hijack", "mobile_layout")
CLEAN = ("company", "news_portal", "mobile_layout")
EXTRA = 4


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("farm")
    n = max(CYCLE.index(kind) for kind in CHECKED) + 1  # wherever the cycle puts them
    with serve_farm(n, tmp / "truth.json") as handle:
        truth = json.loads((tmp / "truth.json").read_text("utf-8"))
        yield handle, truth, tmp


def crawl(farm, name: str, *extra: str) -> dict:
    handle, truth, tmp = farm
    kinds = {*CHECKED, *CLEAN}
    sites = sites_from_truth(truth, tmp / f"sites-{name}.jsonl", only=lambda s: s["kind"] in kinds)
    out, job = tmp / f"out-{name}", tmp / f"job-{name}"
    handle.clear_requests()
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), "--job-dir", str(job), *extra]
        + CRAWL_ARGS,
        tmp / f"connects-{name}.jsonl",
        env=CRAWL_ENV,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    by_url = {s["registry_url"]: s for s in truth["sites"]}
    verdicts = {}
    for record in read_jsonl(job / "sites.jsonl"):
        site = by_url[record["url"]]
        verdicts[site["kind"]] = [v["kind"] for v in record.get("compromise") or []]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    return {
        "verdicts": verdicts,
        "records": read_jsonl(job / "sites.jsonl"),
        "stats": summary["stats"],
        "requests": handle.requests(),
        "truth": truth,
        "n_sites": len(verdicts),
    }


def home_requests(result) -> Counter:
    return Counter(r["site"] for r in result["requests"] if r["path"] == "/")


@pytest.fixture(scope="module")
def plain(farm):
    return crawl(farm, "plain", "--no-render")


@pytest.fixture(scope="module")
def rendered(farm):
    if not shutil.which("chromium") and not shutil.os.path.exists("/usr/bin/chromium"):
        pytest.skip("no Chromium")
    return crawl(farm, "rendered")


def hijack_inline(truth) -> bool:
    site = next(s for s in truth["sites"] if s["kind"] == "search_hijack")
    return site["hijack"]["inline_script"]


def test_cloaking_site_found_without_rendering(plain):
    assert plain["verdicts"]["cloaked_portal"] == ["cloaking"]
    record = next(r for r in plain["records"] if "cloaking" in str(r.get("compromise")))
    evidence = record["compromise"][0]["evidence"]
    assert "Baiduspider" in evidence["agent"] and "gambling" in evidence["categories"]


def test_clean_sites_get_no_verdict_without_rendering(plain):
    for kind in CLEAN:
        assert plain["verdicts"][kind] == [], kind
    expected = ["hijack_redirect"] if hijack_inline(plain["truth"]) else []
    assert plain["verdicts"]["search_hijack"] == expected


def test_at_most_four_extra_requests_per_site(plain):
    extra = plain["stats"].get("sitecheck/extra_requests", 0)
    assert 0 < extra <= EXTRA * plain["n_sites"]
    # the home page: once by the sweep, once as a crawler, once as a phone from a search
    assert max(home_requests(plain).values()) <= 3


@pytest.mark.chromium
def test_rendered_sweep_finds_the_hijack_and_flags_no_clean_site(rendered):
    assert rendered["verdicts"]["search_hijack"] == ["hijack_redirect"]
    assert rendered["verdicts"]["cloaked_portal"] == ["cloaking"]
    for kind in CLEAN:
        assert rendered["verdicts"][kind] == [], kind
    record = next(r for r in rendered["records"] if "hijack_redirect" in str(r.get("compromise")))
    evidence = record["compromise"][0]["evidence"]
    target = next(s for s in rendered["truth"]["sites"] if s["kind"] == "search_hijack")
    assert target["hijack"]["target"] in [evidence["final_url"], *evidence["chain"]]
    assert evidence["variant"] == "mobile_search" and evidence["rendered"] is True
    assert rendered["stats"].get("sitecheck/extra_requests", 0) <= EXTRA * rendered["n_sites"]


@pytest.mark.elasticsearch
def test_verdicts_reach_the_sites_index(farm, es_isolated_settings, tmp_path):
    from ground.urls import site_id
    from indexer.setup import setup

    settings = es_isolated_settings
    setup(settings)
    _, truth, _ = farm
    kinds = ("cloaked_portal", "mobile_layout")
    sites = sites_from_truth(truth, tmp_path / "sites.jsonl", only=lambda s: s["kind"] in kinds)
    indexed = crawl_into_sites_index(settings, sites, tmp_path)
    for site in truth["sites"]:
        if site["kind"] not in kinds:
            continue
        compromise = indexed[site_id(site["registry_url"])]
        if site["kind"] == "cloaked_portal":
            assert compromise["cloaking"]["state"] == "open"
            assert "gambling" in compromise["cloaking"]["evidence"]["categories"]
        else:
            assert compromise == {}
