"""Retro-scan over pages stored in the real Elasticsearch, with small temporary rule packs."""

from __future__ import annotations

import textwrap
from datetime import UTC

import pytest
from click.testing import CliRunner

from ground import urls
from indexer import review
from indexer.rescan import rescan
from indexer.templates import alias_name
from rules import load_engine
from tests.review.conftest import page_item, refresh, site, write

pytestmark = pytest.mark.elasticsearch

RULE = """\
  - id: {id}
    version: {version}
    title: {title}
    category: {category}
    level: high
    description: 测试规则。
    false_positives: [无]
    match: {{any: [{words}]}}
    examples:
      match: [{m1}, {m2}, {m3}]
      no_match: [今天天气很好, 欢迎访问本站, 联系我们]
"""
KEEP = {
    "id": "gambling.rv_keep",
    "version": 1,
    "title": "赌博推广",
    "category": "gambling",
    "words": "百家乐, 时时彩",
    "m1": "百家乐首充",
    "m2": "时时彩下注",
    "m3": "玩百家乐",
}
REMOVED = {
    "id": "task_scam.rv_removed",
    "version": 1,
    "title": "刷单返利",
    "category": "task_scam",
    "words": "刷单返利",
    "m1": "刷单返利日结",
    "m2": "兼职刷单返利",
    "m3": "刷单返利佣金",
}
ADDED = {
    "id": "card_trading.rv_added",
    "version": 1,
    "title": "收购银行卡",
    "category": "card_trading",
    "words": "收购银行卡",
    "m1": "高价收购银行卡",
    "m2": "收购银行卡四件套",
    "m3": "长期收购银行卡",
}


def pack(path, *rules):
    body = "schema_version: 2\npack: rvtest\nrules:\n" + "".join(RULE.format(**r) for r in rules)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


TEXTS = {
    "/p1.html": "百家乐首充送彩金，另有刷单返利日结。",
    "/p2.html": "高价收购银行卡，四件套优先。",
    "/p3.html": "招人刷单返利，日结佣金。",
    "/p4.html": "今天天气很好，欢迎访问本站。",
}


def scanned(engine, row, path):
    text = TEXTS[path]
    res = engine.scan(text, title="页面", url=row["url"] + path.lstrip("/"))
    item = page_item(
        row,
        path,
        fetched_at="2026-11-24T02:00:00Z",
        text=text,
        title="页面",
        level=res.level,
        score=res.score,
    )
    item["scan"] = dict(res.to_dict(), rule_fingerprint=engine.fingerprint)
    return item


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    d = tmp_path_factory.mktemp("packs")
    # the rules alone: what a rescan does with a changed pack, not what the text model adds
    old = load_engine(paths=[pack(d / "old.yaml", KEEP, REMOVED)], model=False)
    new = load_engine(paths=[pack(d / "new.yaml", KEEP, ADDED)], model=False)
    return old, new


def hit_doc(es, settings, path, rule):
    page = urls.page_id("http://rescan.example.test" + path)
    return es.get(index=alias_name(settings.index_prefix, "hits"), id=urls.hit_id(page, rule))[
        "_source"
    ]


def test_rescan_adds_new_rule_hits_and_clears_removed_ones(es, rv_settings, engines):
    old, new = engines
    row = site("重扫测试站", "rescan.example.test")
    other = site("其他站", "other.example.test")
    write(
        rv_settings,
        es,
        items=[scanned(old, row, p) for p in TEXTS] + [scanned(old, other, "/p2.html")],
        sites=[(row, None), (other, None)],
    )
    p3_old = urls.hit_id(urls.page_id("http://rescan.example.test/p3.html"), "task_scam.rv_removed")
    review.mark_hit(es, rv_settings, p3_old, "confirmed", "何审核", "确认刷单")
    refresh(es, rv_settings)

    seen = []
    report = rescan(
        es,
        rv_settings,
        engine=new,
        site_ids=[urls.site_id(row["url"])],
        batch_size=2,
        progress=seen.append,
    )
    refresh(es, rv_settings)
    assert report.pages == 4 and sum(seen) == 4  # the other site is not in scope
    assert report.new_hits == 1 and report.new_examples == [
        ("card_trading.rv_added", "http://rescan.example.test/p2.html")
    ]
    assert report.cleared_hits == 2
    assert sorted(report.cleared_examples) == [
        ("task_scam.rv_removed", "http://rescan.example.test/p1.html"),
        ("task_scam.rv_removed", "http://rescan.example.test/p3.html"),
    ]
    # levels as the engines themselves score these texts (scoring is the rules package's job)
    expected_levels = sorted(
        (
            "http://rescan.example.test" + p,
            old.scan(t, title="页面").level,
            new.scan(t, title="页面").level,
        )
        for p, t in TEXTS.items()
    )
    expected_levels = [e for e in expected_levels if e[1] != e[2]]
    assert {e[0].rsplit("/", 1)[1] for e in expected_levels} >= {"p2.html", "p3.html"}
    assert sorted(report.level_examples) == expected_levels
    assert report.level_changes == len(expected_levels)
    assert report.rule_fingerprint == new.fingerprint

    added = hit_doc(es, rv_settings, "/p2.html", "card_trading.rv_added")
    assert added["hit"]["active"] is True and added["review"]["status"] == "new"
    assert added["rule"]["category"] == "card_trading" and "收购银行卡" in added["hit"]["snippet"]
    cleared = hit_doc(es, rv_settings, "/p3.html", "task_scam.rv_removed")
    assert cleared["hit"]["active"] is False and cleared["hit"]["retired_by"] == "rescan"
    assert cleared["review"] == {
        **cleared["review"],
        "status": "confirmed",
        "by": "何审核",
        "note": "确认刷单",
    }
    assert hit_doc(es, rv_settings, "/p1.html", "task_scam.rv_removed")["hit"]["active"] is False
    assert hit_doc(es, rv_settings, "/p1.html", "gambling.rv_keep")["hit"]["active"] is True

    page = es.get(
        index=alias_name(rv_settings.index_prefix, "pages"),
        id=urls.page_id("http://rescan.example.test/p3.html"),
    )["_source"]
    assert page["scan"]["level"] == "none" and page["scan"]["rule_ids"] == []
    assert page["scan"]["rule_fingerprint"] == new.fingerprint
    assert page["review"]["status"] == "new" and page["page"]["text"] == TEXTS["/p3.html"]
    untouched = es.get(
        index=alias_name(rv_settings.index_prefix, "pages"),
        id=urls.page_id("http://other.example.test/p2.html"),
    )["_source"]
    assert untouched["scan"]["rule_fingerprint"] == old.fingerprint

    run = es.get(index=alias_name(rv_settings.index_prefix, "crawls"), id=report.run_id)["_source"]
    assert run["crawl"]["options"]["rule_versions"] == {
        "gambling.rv_keep": 1,
        "card_trading.rv_added": 1,
    }
    assert run["crawl"]["stats"]["rescan/cleared_hits"] == 2

    # the old rules again: the cleared hit comes back active, its decision intact
    again = rescan(es, rv_settings, engine=old, site_ids=[urls.site_id(row["url"])])
    refresh(es, rv_settings)
    assert again.new_hits == 2 and again.cleared_hits == 1
    back = hit_doc(es, rv_settings, "/p3.html", "task_scam.rv_removed")
    assert back["hit"]["active"] is True and back["review"]["status"] == "confirmed"
    assert back["hit"]["retired_by"] is None


def test_rescan_since_filters_by_fetch_time(es, rv_settings, engines):
    from datetime import datetime

    _old, new = engines
    report = rescan(es, rv_settings, engine=new, since=datetime(2030, 1, 1, tzinfo=UTC))
    assert report.pages == 0 and report.new_hits == 0


def test_cli_rescan(es, rv_settings, monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.setenv("WUZHA_INDEX_PREFIX", rv_settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", rv_settings.elasticsearch_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli, ["rescan", "--site", "rescan.example.test", "--since", "2026-11-01"]
        )
        missing = CliRunner().invoke(cli, ["rescan", "--site", "nowhere.example.test"])
        bad_date = CliRunner().invoke(cli, ["rescan", "--since", "next tuesday"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "4 page(s) rescanned" in result.output
    assert "No registered site matches" in str(missing.exception)
    assert bad_date.exit_code != 0
