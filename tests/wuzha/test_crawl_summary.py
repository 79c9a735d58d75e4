"""The closing summary of `wuzha crawl`: after --resume it counts the whole sweep, not only
what the resuming process fetched (summary.json has the whole sweep)."""

from __future__ import annotations

import json

from rich.console import Console

from crawler.run import CrawlResult
from wuzha.cli.crawlview import print_summary


def _result(out_dir):
    return CrawlResult(
        run_id="r1",
        finish_reason="finished",
        site_states={
            "s1": {
                "name": "论坛",
                "url": "http://a.cn/",
                "pages": 3,
                "errors": 0,
                "status": "done",
                "reason": "",
            }
        },
        stats={},
        progress={"pages": 328, "findings": 40, "levels": {"high": 30}},
        out_dir=out_dir,
        job_dir=None,
        seconds=85.0,
    )


def _printed(result) -> str:
    console = Console(record=True, width=120)
    print_summary(console, result)
    return console.export_text()


def test_a_resumed_sweep_counts_the_pages_of_the_interrupted_run_too(tmp_path):
    whole = {"pages": 1659, "findings": {"pages": 308, "by_level": {"high": 152, "medium": 9}}}
    (tmp_path / "summary.json").write_text(json.dumps(whole), "utf-8")
    text = _printed(_result(tmp_path))
    assert "1659 (328 in this run)" in text
    assert "308 pages; high 152, medium 9" in text


def test_a_sweep_in_one_run_prints_its_own_figures(tmp_path):
    text = _printed(_result(None))
    assert "pages" in text and "328" in text and "in this run" not in text
    assert "40 pages; high 30" in text
