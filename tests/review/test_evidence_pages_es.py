"""The export's evidence columns of a site with many fraud pages: three distinct pages,
confirmed hits first, then by level and score, however many hits one page carries."""

from __future__ import annotations

from datetime import datetime

import pytest

from ground import urls
from indexer import review
from indexer.takedown_candidates import takedown_rows
from indexer.weeks import parse_week, report_zone
from tests.review.conftest import hit, page_item, refresh, site, write

pytestmark = pytest.mark.elasticsearch
PREFIX_GROUP = "evidence"  # rows are read by site: only this module's sites are seeded here

NOW = datetime.fromisoformat("2026-12-01T09:00:00+08:00")
WEEK = "2026-W48"
AT = "2026-11-24T02:00:00Z"

SEVEN = site("七页站", "seven.evidence.test")
LEVELS = site("等级站", "levels.evidence.test")
SAME = site("同文站", "same.evidence.test")
CHROME = "首页 关于我们 联系我们"  # the same harmless text matched on every page


def home_with_many_hits(row):
    # more hits on the home page than the evidence candidates fetched per site
    return page_item(
        row,
        "/",
        fetched_at=AT,
        score=95.0,
        hits=[
            hit(f"task_scam.r{i:02d}", "task_scam", "high", f"首页命中{i:02d}", 40.0 - i)
            for i in range(12)
        ],
    )


def page(row, path, level, score, snippet, rule="gambling.casino"):
    return page_item(
        row,
        path,
        fetched_at=AT,
        level=level,
        score=score,
        hits=[hit(rule, rule.split(".")[0], level, snippet)],
    )


@pytest.fixture(scope="module")
def rows(rv_settings, es):
    s = rv_settings
    items = [
        home_with_many_hits(SEVEN),
        page(SEVEN, "/p1.html", "high", 90.0, "百家乐首充送彩金"),
        page(SEVEN, "/p2.html", "high", 85.0, "真人视讯代理招募"),
        page(SEVEN, "/p3.html", "medium", 50.0, "免征信秒下款", rule="fake_loan.no_credit"),
        page(SEVEN, "/p4.html", "high", 60.0, "时时彩下注"),
        page(SEVEN, "/p5.html", "medium", 65.0, "黑户可贷", rule="fake_loan.fees"),
        page(SEVEN, "/p6.html", "medium", 45.0, "先交手续费", rule="fake_loan.fees"),
        # a medium page may score above a high one (context, entities): level comes first
        page(LEVELS, "/m1.html", "medium", 80.0, "中等一", rule="fake_loan.fees"),
        page(LEVELS, "/m2.html", "medium", 79.0, "中等二", rule="fake_loan.fees"),
        page(LEVELS, "/h1.html", "high", 60.0, "高一"),
        page(LEVELS, "/h2.html", "high", 50.0, "高二"),
        # every page matches the same chrome text; each also has its own, weaker hit
        *[
            page_item(
                SAME,
                f"/s{i}.html",
                fetched_at=AT,
                score=90.0 - i,
                hits=[
                    hit("task_scam.chrome", "task_scam", "high", CHROME, 50.0),
                    hit("gambling.casino", "gambling", "high", f"各自的命中{i}", 10.0, start=30),
                ],
            )
            for i in range(1, 4)
        ],
    ]
    write(s, es, items=items, sites=[(row, None) for row in (SEVEN, LEVELS, SAME)])
    review.mark_hit(
        es,
        s,
        urls.hit_id(urls.page_id("http://seven.evidence.test/p3.html"), "fake_loan.no_credit"),
        "confirmed",
        "周审核",
    )
    refresh(es, s)
    return {
        r["site_name"]: r for r in takedown_rows(es, s, parse_week(WEEK, report_zone(s)), now=NOW)
    }


def evidence(row):
    return [(row.get(f"evidence_{i}_url"), row.get(f"evidence_{i}")) for i in (1, 2, 3)]


def test_three_distinct_pages_confirmed_first_then_level_and_score(rows):
    assert evidence(rows["七页站"]) == [
        ("http://seven.evidence.test/p3.html", "免征信秒下款"),  # confirmed
        ("http://seven.evidence.test/", "首页命中00"),  # high 95, its strongest hit
        ("http://seven.evidence.test/p1.html", "百家乐首充送彩金"),  # high 90
    ]


def test_level_before_score(rows):
    assert [url for url, _ in evidence(rows["等级站"])] == [
        "http://levels.evidence.test/h1.html",
        "http://levels.evidence.test/h2.html",
        "http://levels.evidence.test/m1.html",
    ]


def test_the_same_text_on_several_pages_is_shown_once(rows):
    assert evidence(rows["同文站"]) == [
        ("http://same.evidence.test/s1.html", CHROME),
        ("http://same.evidence.test/s2.html", "各自的命中2"),
        ("http://same.evidence.test/s3.html", "各自的命中3"),
    ]
