"""The weekly export's site-verdict side, against the real Elasticsearch: a site with an active
verdict gets a row even without a qualifying hit, dismissed and long-repaired verdicts do not,
and 处置建议 says 通知整改 for a hacked site and 关停 for a taken-over one or a site listed for its
own fraud content.

Week 2026-W48 runs 2026-11-22T16:00Z to 2026-11-29T16:00Z; W47 is the week before.
"""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from ground import urls
from indexer.export import TAKEDOWN_COLUMNS, write_csv
from indexer.site_verdicts import SiteSweep, record_sweep
from indexer.takedown_candidates import takedown_rows
from indexer.verdict_review import mark_verdict
from indexer.weeks import parse_week, report_zone
from sitecheck.verdict import Verdict
from tests.review.conftest import hit, page_item, refresh, site, write

pytestmark = pytest.mark.elasticsearch
PREFIX_GROUP = "verdict-export"  # rows are checked exactly: nothing else may be seeded here

NOW = datetime.fromisoformat("2026-12-01T09:00:00+08:00")

HACKED = site("甲街道办", "hacked.vx.test", owner="甲街道办事处")
TAKEN = site("乙科技", "taken.vx.test", owner="乙科技有限公司")
DISMISSED = site("丙体育", "dismissed.vx.test")
REDIRECTS = site("丁论坛", "redirects.vx.test")
OLDER = site("戊学校", "older.vx.test")
LONG_FIXED = site("己医院", "long-fixed.vx.test")
FIXED = site("庚协会", "fixed.vx.test")
OWN_FRAUD = site("辛网贷", "own-fraud.vx.test")


def verdict(kind: str, row: dict, detail: str, url: str | None = None) -> dict:
    return Verdict(kind, (url or row["url"] + "x/1.html",), detail).to_record()


def sweep(es, settings, at: str, found: dict[str, list[dict]], ok_sites: list[dict]) -> None:
    """One sweep of `ok_sites` (all ran normally) finding `found` (host -> verdicts)."""
    record_sweep(
        es,
        settings,
        {urls.site_id(r["url"]): SiteSweep(found.get(r["domain"], []), True) for r in ok_sites},
        run_id=f"run-{at[:10]}",
        at=at,
    )


@pytest.fixture(scope="module")
def rows(rv_settings, es):
    s = rv_settings
    everyone = [HACKED, TAKEN, DISMISSED, REDIRECTS, OLDER, LONG_FIXED, FIXED, OWN_FRAUD]
    casino = hit("gambling.casino", "gambling", "high", "真人百家乐 注册送彩金", 80.0)
    items = [
        page_item(row, "/p.html", fetched_at="2026-11-25T02:00:00Z", hits=[casino])
        for row in (TAKEN, REDIRECTS, OWN_FRAUD)
    ]
    write(s, es, items=items, sites=[(row, None) for row in everyone])
    # W46: long-fixed is found hacked; W47: it is repaired, older and fixed are hacked
    sweep(
        es,
        s,
        "2026-11-10T02:00:00Z",
        {LONG_FIXED["domain"]: [verdict("spam_injected", LONG_FIXED, "旧的植入")]},
        everyone,
    )
    sweep(
        es,
        s,
        "2026-11-17T02:00:00Z",
        {
            OLDER["domain"]: [verdict("cloaking", OLDER, "Baiduspider 看到赌场首页")],
            FIXED["domain"]: [verdict("hijack_redirect", FIXED, "手机搜索访客跳转到赌场")],
        },
        everyone,
    )
    # W48: the week's sweep
    sweep(
        es,
        s,
        "2026-11-24T02:00:00Z",
        {
            HACKED["domain"]: [
                verdict(
                    "spam_injected",
                    HACKED,
                    "120 个寄生页面，标题为博彩推广",
                    url='=HYPERLINK("http://evil.test","点我")',
                )
            ],
            TAKEN["domain"]: [
                verdict("takeover_suspected", TAKEN, "页脚备案号与登记不符，内容为赌场")
            ],
            DISMISSED["domain"]: [verdict("cloaking", DISMISSED, "移动版与桌面版不同")],
            REDIRECTS["domain"]: [verdict("hijack_redirect", REDIRECTS, "脚本跳转到赌场")],
            OLDER["domain"]: [verdict("cloaking", OLDER, "Baiduspider 看到赌场首页")],
        },
        everyone,
    )
    mark_verdict(es, s, TAKEN["url"], "takeover_suspected", "confirmed", "王审核")
    mark_verdict(es, s, DISMISSED["url"], "cloaking", "false_positive", "王审核")
    refresh(es, s)
    return takedown_rows(es, s, parse_week("2026-W48", report_zone(s)), now=NOW)


def test_rows_and_their_disposal(rows):
    got = {r["domain"]: (r["change"], r["disposal"], r["verdicts"], r["verdict_url"]) for r in rows}
    assert got == {
        # verdict only, no hit at all: still a row
        "hacked.vx.test": (
            "新增",
            "通知整改",
            "被植入推广内容（待审核）：120 个寄生页面，标题为博彩推广",
            '=HYPERLINK("http://evil.test","点我")',
        ),
        "taken.vx.test": (
            "新增",
            "关停",
            "疑似域名易主（已确认）：页脚备案号与登记不符，内容为赌场",
            "http://taken.vx.test/x/1.html",
        ),
        # its casino hits are the hijacker's: the owner is told to fix the site
        "redirects.vx.test": (
            "新增",
            "通知整改",
            "劫持跳转（待审核）：脚本跳转到赌场",
            "http://redirects.vx.test/x/1.html",
        ),
        "own-fraud.vx.test": ("新增", "关停", None, None),
        "older.vx.test": (
            "仍未处理",
            "通知整改",
            "对搜索引擎伪装（待审核）：Baiduspider 看到赌场首页",
            "http://older.vx.test/x/1.html",
        ),
        # on last week's list for its verdict, repaired by this week's sweep
        "fixed.vx.test": (
            "已关闭",
            "通知整改",
            "劫持跳转（已修复）：手机搜索访客跳转到赌场",
            "http://fixed.vx.test/x/1.html",
        ),
    }
    # dismissed.vx.test (a false positive) and long-fixed.vx.test (repaired in W47) are not listed


def test_a_verdict_only_row_carries_the_verdict_dates_and_no_hit_evidence(rows):
    (hacked,) = [r for r in rows if r["domain"] == "hacked.vx.test"]
    assert hacked.get("evidence_1") is None and hacked["fraud_pages"] == 0
    assert hacked["first_seen"].isoformat() == "2026-11-24T10:00:00+08:00"
    assert hacked["last_seen"] == hacked["first_seen"]


def test_the_csv_neutralises_verdict_evidence(rows, tmp_path):
    out = tmp_path / "w48.csv"
    write_csv(rows, out)
    got = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    header = got[0]
    assert "处置建议" in header and "站点判定" in header
    by_domain = {line[header.index("域名")]: line for line in got[1:]}
    hacked = by_domain["hacked.vx.test"]
    assert hacked[header.index("判定证据链接")] == '\'=HYPERLINK("http://evil.test","点我")'
    assert hacked[header.index("处置建议")] == "通知整改"
    assert [c.header for c in TAKEDOWN_COLUMNS].count("处置建议") == 1


def test_the_command_counts_the_disposals(rows, rv_settings, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WUZHA_INDEX_PREFIX", rv_settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", rv_settings.elasticsearch_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["export", "takedown", "--week", "2026-W48"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "6 site(s) for 2026-W48" in result.output
    assert result.output.rstrip().endswith("处置建议: 通知整改 4, 关停 2")
