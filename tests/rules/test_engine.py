"""Scanning: scores, levels, context, explanations and offsets."""

from __future__ import annotations

from rules import Engine, Entity, Hit, ScanResult, load_engine
from tests.rules.conftest import rule

LURE = {"all": ["刷单", "佣金"]}


def test_public_api_is_exported() -> None:
    assert {Engine, Entity, Hit, ScanResult}
    engine = load_engine()
    assert engine is load_engine()  # cached
    assert engine.rule_versions and all(isinstance(v, int) for v in engine.rule_versions.values())
    assert len(engine.fingerprint) == 12


def test_result_shape(make_engine) -> None:
    result = make_engine(rule(match=LURE)).scan("招聘刷单员，佣金日结，加微信 abc123")
    data = result.to_dict()
    assert set(data) == {"score", "level", "categories", "hits", "entities", "context", "reasons"}
    hit = data["hits"][0]
    assert set(hit) == {
        "rule_id",
        "rule_version",
        "category",
        "title",
        "level",
        "weight",
        "matched",
        "start",
        "end",
        "snippet",
        "field",
    }
    assert hit["field"] == "paragraph"
    assert data["entities"] == [
        {"type": "wechat", "value": "abc123", "start": 15, "end": 21, "field": "paragraph"}
    ]


def test_offsets_point_into_the_original_text(make_engine) -> None:
    text = "【招聘】兼职刷 ❤ 单，佣金日结"
    hit = make_engine(rule(match=LURE)).scan(text).hits[0]
    assert hit.matched == ["刷单", "佣金"]
    assert text[hit.start : hit.end] == "刷 ❤ 单，佣金"
    assert "刷 ❤ 单，佣金" in hit.snippet


def test_snippet_is_short_and_collapses_whitespace(make_engine) -> None:
    text = "前文" * 100 + "刷单\n\n\n   佣金" + "后文" * 100
    hit = make_engine(rule(match=LURE)).scan(text).hits[0]
    assert "刷单 佣金" in hit.snippet
    assert len(hit.snippet) < 110 and hit.snippet.startswith("…") and hit.snippet.endswith("…")


def test_contact_and_money_weigh_more_than_wording(make_engine) -> None:
    engine = make_engine(rule(match=LURE))
    words = engine.scan("刷单有佣金")
    contact = engine.scan("刷单有佣金，加微信 abc123")
    both = engine.scan("刷单有佣金，加微信 abc123，先转账")
    assert words.score < contact.score < both.score
    assert words.level == "medium" and contact.level == "high"
    assert any("联系方式" in r for r in contact.reasons)


def test_levels_and_categories(make_engine) -> None:
    engine = make_engine(
        rule("task_scam.a", match={"any": ["刷单"]}, level="low"),
        rule("gambling.b", match={"any": ["百家乐"]}, level="high"),
    )
    assert engine.scan("没有相关内容").level == "none"
    assert engine.scan("刷单").level == "low"
    result = engine.scan("刷单 百家乐")
    assert result.categories == ["gambling", "task_scam"]
    assert result.reasons[-1].startswith("总分")


def test_anti_fraud_publicity_is_lowered_not_flagged(make_engine) -> None:
    engine = make_engine(rule(match=LURE))
    scam = engine.scan("刷单有佣金，加微信 abc123")
    news = engine.scan(
        "警方提醒：近日民警破获一起刷单诈骗案，犯罪嫌疑人以刷单有佣金为诱饵，受害人被骗。"
        "国家反诈中心提醒，切勿轻信，如遇诈骗请拨打96110。"
    )
    assert scam.level == "high"
    assert news.hits and news.level not in ("high", "medium")
    assert news.context == ["anti_fraud_publicity"]
    assert any("反诈" in r for r in news.reasons)


def test_title_hits_carry_their_field(make_engine) -> None:
    result = make_engine(rule(match={"any": ["刷单"]})).scan("正文没有", title="刷单兼职")
    assert result.hits[0].field == "title"
    assert result.hits[0].to_dict()["field"] == "title"
    assert (result.hits[0].start, result.hits[0].end) == (0, 2)


def test_hostile_input(make_engine) -> None:
    engine = make_engine(rule(match={"any": ["刷单"]}))
    assert engine.scan("").level == "none"
    assert engine.scan("\x00\ud800刷单").hits  # lone surrogates and NULs do not crash
    engine.max_chars = 1000
    result = engine.scan("无关" * 1000 + "刷单")
    assert not result.hits
    assert any("过长" in r for r in result.reasons)


def test_rules_skip_the_sites_chrome_unless_they_name_it(make_engine) -> None:
    from ground.blocks import Block, BlockKind

    ad = "热门推荐：手机兼职刷单，日结佣金三百元"
    news = "本市召开安全生产工作会议，部署春季安全工作。"
    blocks = [
        Block(BlockKind.PARAGRAPH, news, 0, len(news)),
        Block(BlockKind.BOILERPLATE, ad, len(news) + 1, len(news) + 1 + len(ad)),
    ]
    content_only = make_engine(rule(match=LURE))
    assert content_only.scan_blocks(blocks).hits == []  # a sidebar repeated on every page
    assert content_only.scan(ad).hits  # the same words as the page's own text
    chrome = make_engine(rule(match=LURE, blocks=["boilerplate"]))
    (hit,) = chrome.scan_blocks(blocks).hits
    assert hit.field == "boilerplate"
