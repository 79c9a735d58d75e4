"""report.html: self-contained, escaped, and it renders in Chromium."""

from __future__ import annotations

import re

import pytest

from crawler.chromium import CHROMIUM_ARGS
from crawler.report import render_report, write_report
from crawler.tally import SweepTally

HOSTILE = '<script>window.__pwned = 1; alert(1)</script><img src=x onerror="window.__pwned=2">'


def sample(hostile: str = HOSTILE):
    tally = SweepTally()
    site = {
        "id": "s1",
        "name": "论坛</title><script>alert(3)</script>",
        "url": "http://bbs.test/",
        "domain": "bbs.test",
    }
    other = {"id": "s2", "name": "同城信息网", "url": "http://tc.test/", "domain": "tc.test"}
    for n in range(3):
        tally.add_page(
            {
                "url": f"http://bbs.test/{n}",
                "site": site,
                "status": 200,
                "charset": "gb18030",
                "level": "high",
            }
        )
    tally.add_page(
        {
            "url": "http://tc.test/1",
            "site": other,
            "status": 200,
            "charset": "utf-8",
            "level": "medium",
        }
    )
    tally.add_finding(
        {
            "url": "http://bbs.test/0?a=<b>",
            "site": site,
            "title": "刷单<b>标题</b>",
            "score": 92.5,
            "level": "high",
            "categories": ["task_scam"],
            "entities": [{"type": "qq", "value": "2789451230"}],
            "hits": [
                {
                    "rule_id": "task_scam.advance_payment",
                    "category": "task_scam",
                    "title": "刷单返利：先垫付",
                    "level": "high",
                    "matched": ["刷单", "垫付"],
                    "snippet": f"兼职刷单日结 {hostile}",
                    "post_index": 1,
                    "post_author": "小妹",
                }
            ],
        }
    )
    tally.add_finding(
        {
            "url": "http://tc.test/1",
            "site": other,
            "title": "收卡",
            "score": 55.0,
            "level": "medium",
            "categories": ["card_trading"],
            "entities": [],
            "hits": [
                {
                    "rule_id": "card_trading.buy_cards",
                    "category": "card_trading",
                    "title": "两卡买卖",
                    "level": "medium",
                    "matched": ["收卡"],
                    "snippet": "高价收卡",
                    "post_index": None,
                    "post_author": None,
                }
            ],
        }
    )
    states = {
        "s1": {
            "name": site["name"],
            "url": site["url"],
            "pages": 3,
            "errors": 0,
            "status": "done",
            "reason": None,
        },
        "s2": {
            "name": "同城信息网",
            "url": "http://tc.test/",
            "pages": 1,
            "errors": 0,
            "status": "done",
            "reason": None,
        },
        "s3": {
            "name": "坏站",
            "url": "http://bad.test/",
            "pages": 0,
            "errors": 4,
            "status": "failed",
            "reason": f"HTTP 500 {hostile}",
        },
    }
    summary = tally.summary(
        run_id="run-42",
        started="2024-03-11T08:00:00+00:00",
        ended="2024-03-11T08:42:10+00:00",
        finish_reason="finished",
        site_states=states,
        stats={"sweep/errors/timeout": 2},
        taxonomy={"task_scam": "刷单返利", "card_trading": "两卡买卖"},
    )
    return summary, tally.top_findings()


def test_report_escapes_everything_crawled():
    html = render_report(*sample())
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in html
    assert "论坛&lt;/title&gt;" in html


def test_report_is_self_contained():
    html = render_report(*sample())
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_report_shows_figures_charts_and_chinese_labels():
    html = render_report(*sample())
    for text in (
        "网站巡查报告",
        "run-42",
        "刷单返利",
        "两卡买卖",
        "42 分 10 秒",
        "坏站",
        "高",
        "92.5 分",
    ):
        assert text in html
    assert html.count('<rect x="220"') == 4  # two categories + two sites


def test_report_without_findings():
    tally = SweepTally()
    summary = tally.summary(
        run_id="r", started=None, ended=None, finish_reason="finished", site_states={}, stats={}
    )
    html = render_report(summary, [])
    assert "本次巡查未发现诈骗内容" in html


@pytest.mark.chromium
def test_report_renders_in_chromium(tmp_path, chromium_path):
    from playwright.sync_api import sync_playwright

    path = write_report(tmp_path / "report.html", *sample())
    dialogs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=CHROMIUM_ARGS,
        )
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            assert page.locator("#report-title").is_visible()
            assert page.locator("#report-title").inner_text() == "无诈 · 网站巡查报告"
            assert page.locator("#chart-categories svg rect").count() == 2
            assert page.locator("#chart-sites svg rect").count() == 2
            assert page.locator("#chart-categories svg rect").first.bounding_box()["width"] > 100
            snippet = page.locator("#findings .snippet").first.inner_text()
            assert "<script>window.__pwned = 1; alert(1)</script>" in snippet
            assert page.evaluate("window.__pwned === undefined")
            assert page.locator("#findings tr.finding").count() == 2
            assert "HTTP 500 <script>" in page.locator("#problems").inner_text()
        finally:
            browser.close()
    assert dialogs == []
    assert all(url.startswith("file://") for url in requests)  # nothing fetched from anywhere


def test_each_distinct_snippet_is_shown_once_per_finding():
    """Several rules hitting the page title quote the same snippet: shown once, with every rule
    that quotes it under it."""
    from crawler.report import evidence

    title = "真人视讯百家乐，首充送彩金 - 石泉生活网"
    hits = [
        {
            "rule_id": "gambling.casino_promo",
            "title": "赌场推广",
            "matched": ["百家乐"],
            "snippet": title,
            "field": "title",
        },
        {
            "rule_id": "gambling.bonus_offer",
            "title": "彩金优惠",
            "matched": ["首充送彩金"],
            "snippet": title,
            "field": "title",
        },
        {
            "rule_id": "gambling.other",
            "title": "其他",
            "matched": ["下注"],
            "snippet": "正文里的下注说明",
        },
    ]
    finding = {
        "url": "http://bbs.test/t",
        "site": {"name": "石泉生活网"},
        "title": title,
        "score": 90.0,
        "level": "high",
        "categories": ["gambling"],
        "entities": [],
        "hits": hits,
    }
    groups = evidence(finding)
    assert [g["snippet"] for g in groups] == [title, "正文里的下注说明"]
    assert [h["rule_id"] for h in groups[0]["hits"]] == [
        "gambling.casino_promo",
        "gambling.bonus_offer",
    ]
    summary, _ = sample()
    html = render_report(summary, [finding])
    assert html.count(f'<div class="snippet">{title}</div>') == 1
    assert "赌场推广" in html and "彩金优惠" in html and "正文里的下注说明" in html


def test_report_counts_only_real_findings():
    """The figure 有发现的页面 counts hits and contact/money entities, never ICP/URL-only pages."""
    tally = SweepTally()
    site = {"id": "s1", "name": "站", "url": "http://a.test/", "domain": "a.test"}
    for n in range(3):
        tally.add_page({"url": f"http://a.test/{n}", "site": site, "status": 200, "level": "none"})
        tally.add_finding(
            {
                "url": f"http://a.test/{n}",
                "site": site,
                "level": "none",
                "hits": [],
                "entities": [
                    {"type": "icp", "value": "浙ICP备05012345号"},
                    {"type": "url", "value": "http://a.test/x"},
                ],
            }
        )
    summary = tally.summary(
        run_id="r", started=None, ended=None, finish_reason="finished", site_states={}, stats={}
    )
    assert summary["findings"]["pages"] == 0
    html = render_report(summary, [])
    assert '<div class="value">0</div><div class="label">有发现的页面</div>' in html


def _compromised_summary(detail: str, name: str) -> dict:
    tally = SweepTally()
    verdict = {
        "kind": "spam_injected",
        "evidence": {"urls": ["http://gov.test/qzv/1.html?<b>"], "detail": detail},
    }
    takeover = {
        "kind": "takeover_suspected",
        "evidence": {"urls": ["http://co.test/"], "detail": "ICP"},
    }
    states = {
        "gov": {
            "name": name,
            "url": "http://gov.test/",
            "pages": 9,
            "status": "done",
            "compromise": [verdict],
        },
        "co": {
            "name": "宏达贸易",
            "url": "http://co.test/",
            "pages": 4,
            "status": "done",
            "compromise": [takeover],
        },
        "clean": {
            "name": "清白站",
            "url": "http://ok.test/",
            "pages": 2,
            "status": "done",
            "compromise": [],
        },
    }
    return tally.summary(
        run_id="r", started=None, ended=None, finish_reason="finished", site_states=states, stats={}
    )


def test_report_has_a_section_for_compromised_sites():
    html = render_report(_compromised_summary("40 parasitic pages", "临江市人民政府"), [])
    section = html.split('<section id="compromised">', 1)[1].split("</section>", 1)[0]
    assert "受损网站（2）" in section
    assert "临江市人民政府" in section and "宏达贸易" in section and "清白站" not in section
    assert "被植入推广内容" in section and "通知整改" in section
    assert "疑似域名易主" in section and "关停" in section
    assert "40 parasitic pages" in section


def test_compromised_sites_section_escapes_the_evidence():
    evil = "<script>alert(1)</script>"
    html = render_report(_compromised_summary(evil, f"站{evil}"), [])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "?&lt;b&gt;" in html


def test_report_without_compromised_sites_says_so():
    tally = SweepTally()
    summary = tally.summary(
        run_id="r", started=None, ended=None, finish_reason="finished", site_states={}, stats={}
    )
    assert "没有发现被黑、被劫持或域名易主的网站" in render_report(summary, [])
