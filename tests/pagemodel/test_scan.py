"""pagemodel/scan.py: off-site anchor texts are scanned after the text (hidden link spam,
暗链), and every hit and entity keeps offsets into the part it was found in."""

from __future__ import annotations

import pytest

from pagemodel.scan import LINK_SEPARATOR, MAX_LINK_TEXT_CHARS, external_link_text, scan_page
from rules import load_engine

NEWS = "滨江区召开安全生产工作会议，部署春季安全工作。详见滨江区人民政府网站。"
SPAM = [
    {"url": "http://casino.example/", "text": "澳门赌场", "internal": False},
    {"url": "http://casino.example/b", "text": "百家乐在线开户", "internal": False},
    {"url": "http://casino.example/c", "text": "时时彩计划网 注册送88元彩金", "internal": False},
    {
        "url": "http://casino.example/d",
        "text": "真人棋牌 提现秒到账 加QQ 2789451230",
        "internal": False,
    },
]


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


def test_link_spam_hits_point_into_the_link_text():
    engine = load_engine()
    link_text = external_link_text(SPAM, NEWS)
    assert engine.scan(NEWS, title="滨江新闻").level == "none"  # the text alone is clean

    scan = scan_page(
        engine, NEWS, title="滨江新闻", url="http://news.test/a.html", link_text=link_text
    )

    assert scan["level"] in ("high", "medium") and "gambling" in scan["categories"]
    assert scan["rule_fingerprint"] == engine.fingerprint
    assert scan["hits"] and all(hit["field"] == "links" for hit in scan["hits"])
    for hit in scan["hits"]:
        assert 0 <= hit["start"] < hit["end"] <= len(link_text)
        assert any(word in link_text[hit["start"] : hit["end"]] for word in hit["matched"])
        assert "安全生产" not in hit["snippet"]  # the snippet is cut from the links only
    (qq,) = [e for e in scan["entities"] if e["type"] == "qq"]
    assert qq["field"] == "links" and link_text[qq["start"] : qq["end"]] == "2789451230"


def test_text_hits_and_posts_are_unchanged_by_links():
    engine = load_engine()
    fraud = "手机兼职刷单，在家可做，日结佣金，先垫付后返利，有意者加QQ 2789451230 详聊。"
    text = "想找个周末的兼职？" + LINK_SEPARATOR + fraud
    posts = [{"index": 0, "start": 0, "end": 9}, {"index": 1, "start": 11, "end": len(text)}]
    link_text = external_link_text(SPAM, text)

    plain = scan_page(engine, text, posts=posts)
    both = scan_page(engine, text, link_text=link_text, posts=posts)

    in_text = [h for h in both["hits"] if h.get("field", "text") == "text"]
    # Same rules at the same places (a rule may draw more evidence from the links, e.g. a
    # contact, so its span can differ), and nothing of the links in a text hit.
    assert [(h["rule_id"], h["start"], h.get("post_index")) for h in in_text] == [
        (h["rule_id"], h["start"], h.get("post_index")) for h in plain["hits"]
    ]
    assert all(h["end"] <= len(text) and "澳门" not in h["snippet"] for h in in_text)
    assert 1 in {h.get("post_index") for h in in_text}
    assert all("post_index" not in h for h in both["hits"] if h.get("field") == "links")
    qq_in_text = [e for e in both["entities"] if e["type"] == "qq" and "field" not in e]
    assert [text[e["start"] : e["end"]] for e in qq_in_text] == ["2789451230"]
