"""Whose words the hits are (rules.voice): quoted speech in a narration, a page's own summary."""

from __future__ import annotations

from ground.blocks import Block, BlockKind
from rules import load_engine
from rules.voice import echoes, quoted_spans, reported_speech

REPORTED = "之前群里也有个说“租你的支付宝一天100”，我没理他"
PITCH = "租你的支付宝一天100，日结，加微信zfb888"


def _blocks(*parts: tuple[BlockKind, str]) -> list[Block]:
    blocks, position = [], 0
    for kind, text in parts:
        blocks.append(Block(kind, text, position, position + len(text)))
        position += len(text) + 1
    return blocks


def test_quoted_spans_take_the_outermost_quotation() -> None:
    text = "“你好，请你下载一个“110”的软件。”他说「对」"
    assert quoted_spans(text, 0, len(text)) == [(0, 20), (22, 25)]


def test_quoted_spans_skip_unclosed_and_overlong_quotations() -> None:
    text = "他说“先别挂\n后来" + "“" + "很" * 200 + "”"
    assert quoted_spans(text, 0, len(text)) == []


def test_reported_speech_needs_all_evidence_quoted_and_narration_around_it() -> None:
    text = REPORTED
    inside = text.index("租")
    assert reported_speech(text, 0, len(text), [[("租", inside, inside + 1)]])
    outside = text.index("没理")
    assert not reported_speech(text, 0, len(text), [[("没理", outside, outside + 2)]])
    transcript = "“你好，我是公安局的，你涉嫌洗钱，请配合调查。”"
    assert not reported_speech(transcript, 0, len(transcript), [[("洗钱", 14, 16)]])
    # a script that opens with the quoted line and carries on in the caller's voice
    script = "“您好，我是快手客服，您被开通了代理商。”如果不取消，每月将扣费，请提供您的银行卡信息办理退费。"
    start = script.index("代理商")
    assert not reported_speech(script, 0, len(script), [[("代理商", start, start + 3)]])


def test_echoes_compares_a_summary_with_the_main_text() -> None:
    main = "2023年5月，在校大学生小张在网上看到跑分广告，遂联系对方，后被判刑。"
    assert echoes("2023年5月，在校大学生小张在网上看到跑分广告", main)
    assert not echoes("支付宝跑分日入三百加微信", main)


def test_a_victims_quote_of_the_pitch_is_not_flagged() -> None:
    engine = load_engine(model=False)
    assert engine.scan(PITCH).level == "high"
    result = engine.scan(REPORTED)
    assert result.level in ("none", "low")
    assert any("引号" in line for line in result.reasons)


def test_a_pitch_with_scare_quotes_is_still_flagged() -> None:
    engine = load_engine(model=False)
    assert (
        engine.scan("“高佣任务”招募点赞员，垫付后返还本金和佣金，日结，加微信 lw8866").level
        == "high"
    )


def test_a_reports_meta_description_speaks_with_the_report() -> None:
    engine = load_engine(model=False)
    story = (
        "2023年5月，在校大学生小张在网上看到“支付宝跑分，手机挂机，日入两三百”的广告，"
        "遂联系对方并下载了一款跑分软件，按对方要求用自己的支付宝收款后转出，赚取佣金。"
    )
    article = story + "检察院提醒：出租、出借收款码帮人跑分，涉嫌帮助信息网络犯罪，小张一审被判刑。"
    title = "以案说法：帮人“跑分”赚佣金，大学生小张被判刑"
    page = _blocks(
        (BlockKind.TITLE, title),
        (BlockKind.META_DESCRIPTION, story.replace("“", "").replace("”", "")),
        (BlockKind.PARAGRAPH, article),
    )
    assert engine.scan_blocks(page).level in ("none", "low")
    # planted spam in the meta description, unlike the page, keeps its own stance
    spam = "支付宝跑分，手机挂机，日入两三百，招跑分车队，押金500，加微信pf8866"
    planted = _blocks(
        (BlockKind.TITLE, title),
        (BlockKind.META_DESCRIPTION, spam),
        (BlockKind.PARAGRAPH, article),
    )
    assert engine.scan_blocks(planted).level == "high"
