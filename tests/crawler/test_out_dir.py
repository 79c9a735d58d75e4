"""`--out` never destroys a previous sweep: a results folder that holds a sweep's results is
refused unless --resume or --overwrite says what to do with it; `wuzha demo` replaces only its
own earlier output."""

from __future__ import annotations

import json

import pytest

from farm import build_farm
from farm.runner import free_base_port, running
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, sites_from_truth
from tests.crawler.helpers import read_jsonl, run_wuzha, write_sites

REFUSED = (
    "already holds a sweep's results (pages.jsonl, summary.json); add --resume to continue "
    "that sweep, --overwrite to replace it, or give another --out folder"
)


def _said(proc) -> str:
    return " ".join((proc.stdout + proc.stderr).split())


@pytest.fixture
def sites(tmp_path):
    return write_sites(
        tmp_path / "sites.jsonl", [{"id": "s1", "name": "一", "url": "http://a.test/"}]
    )


def _earlier_sweep(out):
    out.mkdir()
    (out / "pages.jsonl").write_text('{"url": "http://a.test/"}\n', "utf-8")
    (out / "summary.json").write_text('{"pages": 145}', "utf-8")


def test_a_crawl_refuses_a_folder_holding_a_sweep(tmp_path, sites):
    out = tmp_path / "out"
    _earlier_sweep(out)
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), *CRAWL_ARGS], tmp_path / "c.jsonl"
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"{out} {REFUSED}" in _said(proc)
    assert "Traceback" not in proc.stderr
    assert json.loads((out / "summary.json").read_text("utf-8")) == {"pages": 145}
    assert (out / "pages.jsonl").read_text("utf-8") == '{"url": "http://a.test/"}\n'


def test_resume_and_overwrite_together_are_refused(tmp_path, sites):
    args = ["crawl", "--sites", str(sites), "--out", str(tmp_path / "out"), *CRAWL_ARGS]
    proc = run_wuzha([*args, "--resume", "--overwrite"], tmp_path / "c.jsonl")
    assert proc.returncode == 2
    assert (
        "--resume continues the sweep in --out and --overwrite replaces it: give one of them"
        in _said(proc)
    )


def test_the_demo_refuses_a_folder_holding_a_real_sweep(tmp_path):
    out = tmp_path / "out"
    _earlier_sweep(out)
    proc = run_wuzha(["demo", "--out", str(out), "--quiet"], tmp_path / "c.jsonl")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert (
        f"{out} holds the results of a sweep that is not the demo's; give `wuzha demo` "
        "another --out folder" in _said(proc)
    )
    assert sorted(p.name for p in out.iterdir()) == ["pages.jsonl", "summary.json"]


def test_the_demo_may_replace_its_own_output(tmp_path):
    from wuzha.cli.demo import is_demo_output

    out = tmp_path / "demo-out"
    assert is_demo_output(out)  # nothing there yet
    _earlier_sweep(out)
    assert not is_demo_output(out)
    (out / "truth.json").write_text("{}", "utf-8")  # the farm's ground truth: the demo's own
    assert is_demo_output(out)


@pytest.mark.slow
def test_overwrite_replaces_the_previous_sweep(tmp_path):
    farm = build_farm(8, base_port=free_base_port(8))
    with running(farm, control=False):
        sites = sites_from_truth(
            farm.truth(), tmp_path / "sites.jsonl", only=lambda s: s["kind"] == "company"
        )
        out = tmp_path / "out"
        _earlier_sweep(out)
        (out / "report.html").write_text("old report", "utf-8")
        args = ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS]
        proc = run_wuzha([*args, "--overwrite"], tmp_path / "c.jsonl", env=CRAWL_ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = read_jsonl(out / "pages.jsonl")
    assert pages and "http://a.test/" not in {p["url"] for p in pages}
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["pages"] == len(pages)
    assert "old report" not in (out / "report.html").read_text("utf-8")
