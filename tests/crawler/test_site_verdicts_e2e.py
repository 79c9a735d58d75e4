"""End to end: `wuzha crawl` over the farm's compromised sites and their clean look-alikes
(plus ordinary company, government and news sites): every compromised site gets its verdict in
sites.jsonl and report.html, no clean site gets one, and sites.jsonl keeps its contract."""

from __future__ import annotations

import html
import json

import pytest

from farm.kinds import CYCLE
from ground.urls import site_id
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, serve_farm
from tests.crawler.helpers import read_jsonl, run_wuzha

pytestmark = pytest.mark.slow

COMPROMISED = {"hacked_gov": "spam_injected", "expired_takeover": "takeover_suspected"}
CLEAN = ("icp_renumbered", "sports_news", "company", "bom_site", "news_portal")
SITE_KEYS = {"id", "url", "name", "level", "categories", "compromise"}


def _site_list(truth, path):
    """The registry rows (with ICP number, type and owner) of the sites under test."""
    with path.open("w", encoding="utf-8") as out:
        for site in truth["sites"]:
            if site["kind"] in COMPROMISED or site["kind"] in CLEAN:
                row = {
                    "name": site["name"],
                    "url": site["registry_url"],
                    "icp": site["icp"],
                    "type": site["type"],
                    "owner": site["owner"],
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verdicts")
    # the cycle puts every kind in the first len(CYCLE) sites, however long it grows
    with serve_farm(len(CYCLE), tmp / "truth.json"):
        truth = json.loads((tmp / "truth.json").read_text("utf-8"))
        out = tmp / "out"
        proc = run_wuzha(
            [
                "crawl",
                "--sites",
                str(_site_list(truth, tmp / "sites.jsonl")),
                "--out",
                str(out),
                "--no-render",
                *CRAWL_ARGS,
            ],
            tmp / "connects.jsonl",
            env=CRAWL_ENV,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    by_id = {site_id(s["registry_url"]): s for s in truth["sites"]}
    lines = read_jsonl(out / "sites.jsonl")
    return {"out": out, "truth": by_id, "lines": lines}


def _line_of_kind(sweep, kind):
    found = [line for line in sweep["lines"] if sweep["truth"][line["id"]]["kind"] == kind]
    assert found, f"no sites.jsonl line for a {kind} site"
    return found


def test_sites_jsonl_has_one_line_per_site_with_the_contract_keys(sweep):
    ids = [line["id"] for line in sweep["lines"]]
    assert len(ids) == len(set(ids))
    tested = [s for s in sweep["truth"].values() if s["kind"] in COMPROMISED or s["kind"] in CLEAN]
    assert set(ids) == {site_id(s["registry_url"]) for s in tested}
    pages = {p["site"]["id"] for p in read_jsonl(sweep["out"] / "pages.jsonl")}
    assert set(ids) == pages  # the same site key as pages.jsonl
    for line in sweep["lines"]:
        assert set(line) == SITE_KEYS
        for verdict in line["compromise"]:
            assert set(verdict) == {"kind", "evidence"}
            assert verdict["evidence"]["urls"] and verdict["evidence"]["detail"]


@pytest.mark.parametrize("kind", sorted(COMPROMISED))
def test_each_compromised_site_gets_its_verdict(sweep, kind):
    for line in _line_of_kind(sweep, kind):
        assert [v["kind"] for v in line["compromise"]] == [COMPROMISED[kind]], line


@pytest.mark.parametrize("kind", CLEAN)
def test_clean_look_alikes_get_no_verdict(sweep, kind):
    for line in _line_of_kind(sweep, kind):
        assert line["compromise"] == [], line


def test_hacked_site_evidence_counts_parasitic_pages_and_planted_titles(sweep):
    for line in _line_of_kind(sweep, "hacked_gov"):
        truth = sweep["truth"][line["id"]]
        evidence = line["compromise"][0]["evidence"]
        assert evidence["parasitic_dirs"] == [truth["parasitic_dir"]]
        assert evidence["parasitic_pages"] >= truth["parasitic_pages"] // 2
        assert evidence["planted_titles"] >= 1
        assert evidence["hidden_link_pages"] >= 1


def test_takeover_evidence_names_the_icp_numbers(sweep):
    for line in _line_of_kind(sweep, "expired_takeover"):
        truth = sweep["truth"][line["id"]]
        evidence = line["compromise"][0]["evidence"]
        assert evidence["registered"]["icp"] == truth["icp"]
        assert evidence["shown"]["icp"] == truth["shown_icp"]


def test_report_has_the_compromised_sites_section(sweep):
    report = (sweep["out"] / "report.html").read_text("utf-8")
    section = report.split('<section id="compromised">', 1)[1].split("</section>", 1)[0]
    for kind in COMPROMISED:
        for line in _line_of_kind(sweep, kind):
            assert html.escape(line["name"]) in section
    assert "疑似域名易主" in section and "被植入推广内容" in section
    assert "关停" in section and "通知整改" in section
