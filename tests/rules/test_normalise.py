"""Normalisation: (page text, expected normalised text) and the map back to the original."""

from __future__ import annotations

import pytest

from rules.normalise import normalise, normalise_term

CASES = [
    # full-width → half-width, Latin lower-cased
    ("ＱＱ１２３４５６", "qq123456"),
    ("Ｔｅｌｅｇｒａｍ＠ＡＢＣ", "telegram@abc"),
    # traditional → simplified
    ("刷單返利，詳情私聊", "刷单返利，详情私聊"),
    # Chinese, circled and full-width digits
    ("电话一三八一二三四五六七八", "电话13812345678"),
    ("电话一三八 一二三四 五六七八", "电话13812345678"),
    ("①②③④⑤", "12345"),
    ("１３８００１３８０００", "13800138000"),
    # short runs of Chinese digits are words, not numbers
    ("一二三木头人", "一二三木头人"),
    ("统一价格", "统一价格"),
    # separators, emoji and zero-width characters between Chinese characters
    ("刷-单", "刷单"),
    ("刷 单", "刷单"),
    ("刷❤单", "刷单"),
    ("刷.单", "刷单"),
    ("刷😀单", "刷单"),
    ("刷\u200b单", "刷单"),
    ("刷\u200b 单", "刷单"),
    # ...but ordinary Latin text and numbers keep their spaces and dots
    ("New York 3.14", "new york 3.14"),
    ("2023-01-05", "2023-01-05"),
    # homophones of contact words
    ("加薇信", "加微信"),
    ("威信号", "微信号"),
    ("加 VX：abc123", "加微信：abc123"),
    ("v信", "微信"),
    ("扣扣 2837461920", "qq 2837461920"),
    ("企鹅号123456", "qq号123456"),
    ("微❤信", "微信"),
    # ...but not inside words or URLs
    ("wx.qq.com", "wx.qq.com"),
    ("vxlan", "vxlan"),
    # small capitals and IPA letters that read as Latin ones (data/lookalikes.yaml)
    ("ʐx修复 ʏq消除", "zx修复yq消除"),
    ("加ᴠx：abc", "加微信：abc"),
    ("ǫǫ群", "qq群"),
    # ...but Cyrillic and Greek words stay as they are
    ("Москва", "москва"),
    ("αβγ", "αβγ"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text).text == expected


@pytest.mark.parametrize(("text", "_expected"), CASES)
def test_every_character_maps_back_into_the_original(text: str, _expected: str) -> None:
    nt = normalise(text)
    positions = [nt.to_original(i) for i in range(len(nt.text))]
    assert positions == sorted(positions)
    assert all(0 <= p < len(text) for p in positions)


def test_offsets_skip_deleted_separators() -> None:
    text = "兼职刷 ❤ 单，日结"
    nt = normalise(text)
    start = nt.text.index("刷单")
    a, b = nt.span(start, start + 2)
    assert text[a:b] == "刷 ❤ 单"
    after = nt.text.index("日结")
    assert text[slice(*nt.span(after, after + 2))] == "日结"


def test_terms_are_normalised_like_pages() -> None:
    assert normalise_term(" 刷單 ") == "刷单"
    assert normalise_term("USDT") == "usdt"
    assert normalise_term("薇信") == "微信"
