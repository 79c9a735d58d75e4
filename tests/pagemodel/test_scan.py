"""pagemodel/scan.py: a page is scanned block by block; every hit and entity carries its block's
kind and offsets into the page text; hits in a forum post carry its post index. Off-site anchor
texts (pagemodel.links.external_link_text) are a block of their own (hidden link spam, 暗链)."""

from __future__ import annotations

import pytest

from ground.blocks import Block, BlockKind
from pagemodel.links import MAX_LINK_TEXT_CHARS, external_link_text
from pagemodel.model import Page, page_from_html, text_page
from pagemodel.scan import scan_page
from rules import load_engine

NEWS = "滨江区召开安全生产工作会议，部署春季安全工作。详见滨江区人民政府网站。"


@pytest.mark.parametrize(
    "links, expected",
    [
        ([], ""),
        ([{"url": "http://a.test/", "text": "澳门赌场", "internal": True}], ""),  # own site
        ([{"url": "http://gov.test/", "text": "滨江区人民政府", "internal": False}], ""),  # in text
        ([{"url": "http://x.test/", "text": "", "internal": False}], ""),
        (
            [
                {"url": "http://x.test/1", "text": "百家乐", "internal": False},
                {"url": "http://x.test/2", "text": "百家乐", "internal": False},
                {"url": "http://x.test/3", "text": "时时彩", "internal": False},
            ],
            "百家乐\n时时彩",
        ),
    ],
)
def test_external_link_text(links, expected):
    assert external_link_text(links, NEWS) == expected


def test_external_link_text_is_capped():
    links = [
        {"url": f"http://x.test/{i}", "text": f"链接{i:05d}", "internal": False}
        for i in range(5_000)
    ]
    assert len(external_link_text(links, NEWS)) <= MAX_LINK_TEXT_CHARS


def _page_text(page: Page) -> str:
    """The text the block offsets index into (pagemodel.layout)."""
    from pagemodel.layout import page_text

    return page_text(page.text, page.blocks)


def test_hidden_link_spam_is_found_in_its_block_and_points_into_it():
    html = (
        "<html><head><title>滨江新闻</title></head><body><p>" + NEWS + "</p>"
        '<div style="display:none"><a href="http://casino.example/">澳门赌场 百家乐在线开户</a>'
        '<a href="http://casino.example/c">时时彩计划网 注册送88元彩金 真人棋牌 提现秒到账 '
        "加QQ 2789451230</a></div></body></html>"
    )
    engine = load_engine()
    page = page_from_html(html, "http://news.test/a.html")
    assert engine.scan(NEWS, title="滨江新闻").level == "none"  # the article alone is clean

    scan = scan_page(engine, page)

    assert scan["level"] in ("high", "medium") and "gambling" in scan["categories"]
    assert scan["rule_fingerprint"] == engine.fingerprint
    text = _page_text(page)
    (hidden,) = page.blocks_of(BlockKind.HIDDEN)
    for hit in scan["hits"]:
        assert hit["field"] == "hidden"
        assert hidden.start <= hit["start"] < hit["end"] <= hidden.end
        assert any(word in text[hit["start"] : hit["end"]].lower() for word in hit["matched"])
        assert "安全生产" not in hit["snippet"]  # the snippet is cut from its block only
    (qq,) = [e for e in scan["entities"] if e["type"] == "qq"]
    assert qq["field"] == "hidden" and text[qq["start"] : qq["end"]] == "2789451230"


def test_hits_in_posts_carry_the_post_index():
    engine = load_engine()
    question = "想找个周末的兼职，有推荐吗？"
    fraud = "手机兼职刷单，在家可做，日结佣金，先垫付后返利，有意者加QQ 2789451230 详聊。"
    second = len(question) + 2
    posts = [
        {"index": 0, "start": 0, "end": len(question)},
        {"index": 1, "start": second, "end": second + len(fraud)},
    ]
    page = Page(
        url="http://bbs.test/thread-1-1-1.html",
        text=f"{question}\n\n{fraud}",
        blocks=[
            Block(BlockKind.POST, question, 0, len(question)),
            Block(BlockKind.POST, fraud, second, second + len(fraud)),
        ],
        posts=posts,
    )

    scan = scan_page(engine, page)

    assert scan["hits"] and {h["field"] for h in scan["hits"]} == {"post"}
    assert {h.get("post_index") for h in scan["hits"]} == {1}
    assert all(second <= h["start"] for h in scan["hits"])


def test_plain_text_is_one_paragraph_block():
    page = text_page("兼职刷单，日结300，先垫付后返佣金，加微信 abc12345", title="招聘")
    assert [b.kind for b in page.blocks] == [BlockKind.PARAGRAPH, BlockKind.TITLE]
    assert page.to_json()["charset"] is None and page.to_json()["charset_source"] is None
    scan = scan_page(load_engine(), page)
    assert scan["level"] == "high"
    assert {h["field"] for h in scan["hits"]} == {"paragraph"}
