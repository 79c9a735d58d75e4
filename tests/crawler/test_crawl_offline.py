"""A sweep while Elasticsearch is down: it completes (exit 0), and the closing summary,
summary.json (``"spooled": N``) and report.html say how many documents wait in the spool and
what to run; `wuzha es status` shows the spool's size."""

from __future__ import annotations

import json

import pytest

from farm import build_farm
from farm.runner import free_base_port, running
from indexer.spool import Spool
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, sites_from_truth
from tests.crawler.helpers import run_wuzha

pytestmark = pytest.mark.slow

DOWN = "http://127.0.0.1:9"  # nothing listens on the discard port here


@pytest.fixture(scope="module")
def farm_sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("offline-farm")
    farm = build_farm(8, base_port=free_base_port(8))
    with running(farm, control=False):
        sites = sites_from_truth(
            farm.truth(), tmp / "sites.jsonl", only=lambda s: s["kind"] in ("company", "bom_site")
        )
        yield sites, tmp


def _crawl(farm_sites, name: str, es_url: str):
    sites, tmp = farm_sites
    out, spool = tmp / name, tmp / f"{name}-spool"
    env = {**CRAWL_ENV, "ELASTICSEARCH_URL": es_url, "WUZHA_SPOOL_DIR": str(spool)}
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS],
        tmp / f"{name}-connects.jsonl",
        env={**env, "COLUMNS": "200"},
    )
    return proc, out, spool, env


def test_a_sweep_with_elasticsearch_down_says_what_waits_in_the_spool(farm_sites):
    proc, out, spool, env = _crawl(farm_sites, "down", DOWN)
    assert proc.returncode == 0, proc.stderr[-3000:]
    waiting = Spool(spool).pending()
    assert waiting > 0
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["spooled"] == waiting
    said = " ".join((proc.stdout + proc.stderr).split())
    assert f"{waiting} document(s) of this sweep wait in the spool" in said
    assert "`wuzha es replay`" in said
    report = (out / "report.html").read_text("utf-8")
    assert 'id="spooled"' in report and f"{waiting} 份" in report and "wuzha es replay" in report

    status = run_wuzha(["es", "status"], farm_sites[1] / "status.jsonl", env=env)
    assert status.returncode == 1  # Elasticsearch is unreachable
    assert f"Spool: {waiting} document(s)" in status.stdout
    as_json = run_wuzha(["es", "status", "--json"], farm_sites[1] / "status.jsonl", env=env)
    assert json.loads(as_json.stdout)["spool"]["documents"] == waiting


def test_a_sweep_without_elasticsearch_spools_nothing(farm_sites):
    proc, out, _, _ = _crawl(farm_sites, "files-only", "")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["spooled"] == 0
    assert "spool" not in proc.stdout + proc.stderr
    assert 'id="spooled"' not in (out / "report.html").read_text("utf-8")
