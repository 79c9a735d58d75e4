"""The weekly takedown export for a seeded week, row by row, in CSV and XLSX.

Week 2026-W48 runs Mon 2026-11-23 00:00 to Mon 2026-11-30 00:00 Asia/Shanghai
(2026-11-22T16:00Z to 2026-11-29T16:00Z); W47 is the week before.
"""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

from ground import urls
from ground.errors import WuzhaError
from indexer import documents, review
from indexer.export import TAKEDOWN_COLUMNS, write_csv, write_xlsx
from indexer.takedown_candidates import takedown_rows
from indexer.templates import alias_name
from indexer.weeks import parse_week, previous_week
from indexer.writer import BulkWriter
from tests.review.conftest import hit, page_item, refresh, site, write

pytestmark = pytest.mark.elasticsearch
PREFIX_GROUP = "exact"  # rows are checked exactly: nothing else may be seeded here

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.fromisoformat("2026-12-01T09:00:00+08:00")

A = site(
    '=HYPERLINK("http://x","点我")',
    "a.export.test",
    owner="@SUM(1)",
    district="朝阳区",
    icp="京ICP备00000001号",
)
B = site("乙论坛", "b.export.test", icp="京ICP备00000002号", owner="乙公司")
C = site("丙商城", "c.export.test", icp="京ICP备00000003号", owner="丙公司", district="西城区")
D = site("丁贷款", "d.export.test")
E = site("戊网贷", "e.export.test", icp="京ICP备00000005号", owner="戊公司", district="东城区")
F = site("己彩票", "f.export.test")
G = site("庚平台", "g.export.test", icp="京ICP备00000007号", owner="庚公司")
H = site("辛兼职", "h.export.test")
J = site("壬跑分", "j.export.test", icp="京ICP备00000009号", owner="壬公司", district="丰台区")
K = site("癸收卡", "k.export.test", icp="京ICP备00000010号", owner="癸公司", district="西城区")
L = site("子论坛", "l.export.test", icp="京ICP备00000011号", owner="子公司", district="石景山区")
M = site("丑商城", "m.export.test")


def decide(writer: BulkWriter, es, settings, row, steps):
    """Past decisions: review-log entries at the given times, and the last one on the site."""
    previous = "new"
    for at, status, by, note in steps:
        writer.add(
            documents.review_log_document(
                target_type="site",
                target_id=urls.site_id(row["url"]),
                status=status,
                previous_status=previous,
                by=by,
                note=note,
                at=at,
                site=row,
            )
        )
        previous = status
    at, status, by, note = steps[-1]
    writer.flush()
    es.update(
        index=alias_name(settings.index_prefix, "sites"),
        id=urls.site_id(row["url"]),
        doc={"review": {"status": status, "by": by, "note": note, "at": at}},
    )


@pytest.fixture(scope="module")
def seeded(rv_settings, es):
    s = rv_settings
    sites = [(row, None) for row in (A, B, C, D, E, F, G, H, J, K, L, M)]
    first_crawl = [
        page_item(
            B,
            "/b1.html",
            fetched_at="2026-11-17T03:00:00Z",
            score=88.0,
            hits=[
                hit(
                    "task_scam.brushing_recruitment", "task_scam", "high", "刷单兼职日结佣金", 40.0
                ),
                hit("gambling.casino", "gambling", "high", "百家乐首充送彩金", 30.0, start=20),
            ],
        ),
        page_item(
            C,
            "/c1.html",
            fetched_at="2026-11-18T01:00:00Z",
            score=82.0,
            hits=[hit("card_trading.buy_cards", "card_trading", "high", "高价收购银行卡四件套")],
        ),
        page_item(
            L,
            "/l1.html",
            fetched_at="2026-11-19T01:00:00Z",
            score=60.0,
            hits=[hit("gambling.casino", "gambling", "high", "真人视讯代理招募")],
        ),
    ]
    second_crawl = [
        page_item(
            A,
            "/a1.html",
            fetched_at="2026-11-24T02:00:00Z",
            score=95.0,
            hits=[
                hit(
                    "task_scam.advance_payment",
                    "task_scam",
                    "high",
                    "-1+1 先垫付后返佣 加微信 lw8866",
                )
            ],
        ),
        page_item(
            B,
            "/b1.html",
            fetched_at="2026-11-25T03:00:00Z",
            score=88.0,
            hits=[
                hit(
                    "task_scam.brushing_recruitment", "task_scam", "high", "刷单兼职日结佣金", 40.0
                ),
                hit("gambling.casino", "gambling", "high", "百家乐首充送彩金", 30.0, start=20),
            ],
        ),
        page_item(
            B,
            "/b2.html",
            fetched_at="2026-11-26T03:00:00Z",
            score=75.0,
            hits=[hit("fake_investment.guaranteed", "fake_investment", "high", "稳赚不赔带单老师")],
        ),
        page_item(
            D,
            "/d1.html",
            fetched_at="2026-11-24T02:00:00Z",
            level="medium",
            score=45.0,
            hits=[hit("fake_loan.no_credit", "fake_loan", "medium", "免征信秒下款")],
        ),
        page_item(
            E,
            "/e1.html",
            fetched_at="2026-11-25T02:00:00Z",
            level="medium",
            score=55.0,
            hits=[hit("fake_loan.fees", "fake_loan", "medium", "黑户可贷先交手续费")],
        ),
        page_item(
            F,
            "/f1.html",
            fetched_at="2026-11-25T02:00:00Z",
            score=90.0,
            hits=[hit("gambling.lottery", "gambling", "high", "时时彩下注")],
        ),
        page_item(
            H,
            "/h1.html",
            fetched_at="2026-11-24T02:00:00Z",
            score=92.0,
            hits=[hit("task_scam.advance_payment", "task_scam", "high", "垫付返佣")],
        ),
        page_item(
            J,
            "/j1.html",
            fetched_at="2026-11-25T12:00:00Z",
            score=70.0,
            hits=[hit("money_laundering.runner", "money_laundering", "high", "跑分平台招码商")],
        ),
        # the fraud is gone from L's page this week: the writer retires the hit (seen in W47 only)
        page_item(
            L, "/l1.html", fetched_at="2026-11-24T01:00:00Z", level="none", score=0.0, hits=[]
        ),
        page_item(
            M,
            "/m1.html",
            fetched_at="2026-11-24T01:00:00Z",
            score=90.0,
            hits=[hit("task_scam.withdrawn_rule", "task_scam", "high", "被撤回的规则命中")],
        ),
    ]
    write(s, es, items=first_crawl, sites=sites)
    write(s, es, items=second_crawl)
    with BulkWriter(s, es) as writer:
        decide(
            writer,
            es,
            s,
            G,
            [
                ("2026-11-09T02:00:00Z", "confirmed", "吴审核", None),
                ("2026-11-10T02:00:00Z", "takedown_requested", "吴审核", "已发函"),
            ],
        )
        decide(
            writer,
            es,
            s,
            H,
            [
                ("2026-11-24T05:00:00Z", "confirmed", "冯审核", None),
                ("2026-11-24T06:00:00Z", "takedown_requested", "冯审核", None),
                ("2026-11-25T02:00:00Z", "taken_down", "冯审核", "已关停"),
            ],
        )
        decide(
            writer,
            es,
            s,
            J,
            [
                ("2026-11-01T02:00:00Z", "confirmed", "陈审核", None),
                ("2026-11-02T02:00:00Z", "takedown_requested", "陈审核", None),
                ("2026-11-10T00:00:00Z", "taken_down", "陈审核", None),
                ("2026-11-26T01:00:00Z", "recurred", "wuzha", "fraud seen again"),
            ],
        )
        decide(
            writer,
            es,
            s,
            K,
            [
                ("2026-11-16T01:00:00Z", "confirmed", "郑审核", None),
                ("2026-11-17T01:00:00Z", "takedown_requested", "郑审核", None),
                ("2026-11-24T01:00:00Z", "taken_down", "郑审核", "已关停"),
            ],
        )
    # a retro-scan withdrew M's only hit (its rule was removed)
    es.update(
        index=alias_name(s.index_prefix, "hits"),
        id=urls.hit_id(urls.page_id("http://m.export.test/m1.html"), "task_scam.withdrawn_rule"),
        doc={"hit": {"active": False, "retired_by": "rescan"}},
    )
    review.mark_hit(
        es,
        s,
        urls.hit_id(urls.page_id("http://e.export.test/e1.html"), "fake_loan.fees"),
        "confirmed",
        "周审核",
    )
    review.mark_hit(
        es,
        s,
        urls.hit_id(urls.page_id("http://f.export.test/f1.html"), "gambling.lottery"),
        "false_positive",
        "周审核",
        "彩票站官方公告",
    )
    refresh(es, s)
    return s


def blank(**values):
    row = {c.key: None for c in TAKEDOWN_COLUMNS}
    row["disposal"] = "关停"  # no site verdicts here: each site is listed for its own content
    row.update(values)
    return row


EXPECTED = [
    blank(
        change="新增",
        site_name='=HYPERLINK("http://x","点我")',
        domain="a.export.test",
        icp="京ICP备00000001号",
        district="朝阳区",
        owner="@SUM(1)",
        categories="刷单返利",
        max_score=95.0,
        fraud_pages=1,
        evidence_1="-1+1 先垫付后返佣 加微信 lw8866",
        evidence_1_url="http://a.export.test/a1.html",
        first_seen="2026-11-24 10:00",
        last_seen="2026-11-24 10:00",
        review_status="待审核",
    ),
    blank(
        change="新增",
        site_name="壬跑分",
        domain="j.export.test",
        icp="京ICP备00000009号",
        district="丰台区",
        owner="壬公司",
        categories="跑分洗钱",
        max_score=70.0,
        fraud_pages=1,
        evidence_1="跑分平台招码商",
        evidence_1_url="http://j.export.test/j1.html",
        first_seen="2026-11-25 20:00",
        last_seen="2026-11-25 20:00",
        review_status="下线后复发",
        reviewer="wuzha",
        review_note="fraud seen again",
    ),
    blank(
        change="新增",
        site_name="戊网贷",
        domain="e.export.test",
        icp="京ICP备00000005号",
        district="东城区",
        owner="戊公司",
        categories="虚假网络贷款",
        max_score=55.0,
        fraud_pages=1,
        evidence_1="黑户可贷先交手续费",
        evidence_1_url="http://e.export.test/e1.html",
        first_seen="2026-11-25 10:00",
        last_seen="2026-11-25 10:00",
        review_status="待审核",
    ),
    blank(
        change="仍未处理",
        site_name="乙论坛",
        domain="b.export.test",
        icp="京ICP备00000002号",
        district="海淀区",
        owner="乙公司",
        categories="虚假投资理财、网络赌博推广、刷单返利",
        max_score=88.0,
        fraud_pages=2,
        evidence_1="刷单兼职日结佣金",
        evidence_1_url="http://b.export.test/b1.html",
        evidence_2="稳赚不赔带单老师",
        evidence_2_url="http://b.export.test/b2.html",
        evidence_3="百家乐首充送彩金",
        evidence_3_url="http://b.export.test/b1.html",
        first_seen="2026-11-17 11:00",
        last_seen="2026-11-26 11:00",
        review_status="待审核",
    ),
    blank(
        change="仍未处理",
        site_name="庚平台",
        domain="g.export.test",
        icp="京ICP备00000007号",
        district="海淀区",
        owner="庚公司",
        categories="",
        fraud_pages=0,
        review_status="已申请下线",
        reviewer="吴审核",
        review_note="已发函",
    ),
    blank(
        change="已关闭",
        site_name="丙商城",
        domain="c.export.test",
        icp="京ICP备00000003号",
        district="西城区",
        owner="丙公司",
        categories="两卡买卖",
        max_score=82.0,
        fraud_pages=1,
        evidence_1="高价收购银行卡四件套",
        evidence_1_url="http://c.export.test/c1.html",
        first_seen="2026-11-18 09:00",
        last_seen="2026-11-18 09:00",
        review_status="待审核",
    ),
    blank(
        change="已关闭",
        site_name="子论坛",
        domain="l.export.test",
        icp="京ICP备00000011号",
        district="石景山区",
        owner="子公司",
        categories="网络赌博推广",
        max_score=60.0,
        fraud_pages=1,
        evidence_1="真人视讯代理招募",
        evidence_1_url="http://l.export.test/l1.html",
        first_seen="2026-11-19 09:00",
        last_seen="2026-11-19 09:00",
        review_status="待审核",
    ),
    blank(
        change="已关闭",
        site_name="癸收卡",
        domain="k.export.test",
        icp="京ICP备00000010号",
        district="西城区",
        owner="癸公司",
        categories="",
        fraud_pages=0,
        review_status="已下线",
        reviewer="郑审核",
        review_note="已关停",
    ),
]
# times as the office reads them: Beijing wall-clock dates (real dates in the XLSX)
for _row in EXPECTED:
    for _key in ("first_seen", "last_seen"):
        if _row[_key]:
            _row[_key] = datetime.strptime(_row[_key], "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def rows(seeded, es):
    week = parse_week("2026-W48", SHANGHAI)
    return takedown_rows(es, seeded, week, now=NOW)


def test_week_bounds():
    week = parse_week("2026-W48", SHANGHAI)
    assert week.start.isoformat() == "2026-11-22T16:00:00+00:00"
    assert week.end.isoformat() == "2026-11-29T16:00:00+00:00"
    assert previous_week(week, SHANGHAI).label == "2026-W47"
    assert previous_week(parse_week("2027-W01", SHANGHAI), SHANGHAI).label == "2026-W53"
    for bad in ("2026-48", "2025-W53", "W48"):
        with pytest.raises(WuzhaError):
            parse_week(bad, SHANGHAI)


def test_rows_are_exactly_right(rows):
    assert [{c.key: r.get(c.key) for c in TAKEDOWN_COLUMNS} for r in rows] == EXPECTED


def test_not_listed(rows):
    domains = {r["domain"] for r in rows}
    assert "d.export.test" not in domains  # medium and unconfirmed
    assert "f.export.test" not in domains  # dismissed as a false positive
    assert "h.export.test" not in domains  # taken down after the week's findings
    assert "m.export.test" not in domains  # its only hit was withdrawn by a retro-scan


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return str(value)


def test_csv_file(rows, tmp_path):
    out = tmp_path / "w48.csv"
    write_csv(rows, out)
    got = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert got[0] == [c.header for c in TAKEDOWN_COLUMNS]
    assert got[1:] == [[as_text(r[c.key]) for c in TAKEDOWN_COLUMNS] for r in EXPECTED]
    assert got[1][1] == '\'=HYPERLINK("http://x","点我")' and got[1][5] == "'@SUM(1)"


def test_xlsx_file(rows, tmp_path):
    out = tmp_path / "w48.xlsx"
    write_xlsx(rows, out)
    ws = openpyxl.load_workbook(out).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:W{len(EXPECTED) + 1}"
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    want = [
        [
            None
            if r[c.key] in (None, "")
            else (
                r[c.key].replace(tzinfo=None)  # what Excel holds: the wall-clock date
                if isinstance(r[c.key], datetime)
                else r[c.key]
                if isinstance(r[c.key], (int, float))
                else as_text(r[c.key])
            )
            for c in TAKEDOWN_COLUMNS
        ]
        for r in EXPECTED
    ]
    assert got == want
    name, owner, evidence = ws["B2"], ws["F2"], ws["J2"]
    assert name.data_type == owner.data_type == evidence.data_type == "s"
    assert name.value.startswith("'=HYPERLINK") and owner.value == "'@SUM(1)"


def test_cli_writes_the_default_file_name(seeded, tmp_path, monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WUZHA_INDEX_PREFIX", seeded.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", seeded.elasticsearch_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["export", "takedown", "--week", "2026-W48"])
        csv_result = CliRunner().invoke(
            cli, ["export", "takedown", "--week", "2026-W48", "--format", "csv", "--out", "x.xlsx"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "takedown-2026-W48.xlsx").exists()
    assert "8 site(s) for 2026-W48" in result.output
    # the week as the office reads it (Beijing time), not its UTC bounds
    assert "2026-W48 (2026-11-23 00:00 – 2026-11-30 00:00 Asia/Shanghai)" in result.output
    assert isinstance(csv_result.exception, WuzhaError)
