"""extract_page over saved pages (tests/pagemodel/sample_data, written for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagemodel import extract_page, forum_url_info
from pagemodel.encoding import decode_html
from pagemodel.icp import normalise_icp
from pagemodel.links import LinkResolver
from pagemodel.posts import parse_post_time

SAMPLES = Path(__file__).parent / "sample_data"


def load(name: str, url: str) -> dict:
    html, _, _ = decode_html((SAMPLES / name).read_bytes(), "text/html")
    return extract_page(html, url)


@pytest.fixture(scope="module")
def portal():
    return load("portal.html", "http://www.binjiang.test:8000/news/2024/0308/1238.html")


@pytest.fixture(scope="module")
def discuz():
    return load("discuz_thread_gbk.html", "http://bbs.binjiang.test:8001/thread-3456-1-1.html")


@pytest.fixture(scope="module")
def phpbb():
    return load("phpbb_topic.html", "http://games.test:8002/viewtopic.php?t=815&start=10")


@pytest.fixture(scope="module")
def ads():
    return load("ads_icp_apk_qr.html", "http://tongcheng.test:8080/jz/1.html")


# --- portal page: main text without navigation and boilerplate --------------------------------


def test_portal_title_description_keywords(portal):
    assert portal["title"] == "我区开展“全民反诈”宣传进社区活动_滨江区人民政府"
    assert portal["description"].startswith("滨江区公安分局联合街道开展反诈宣传")
    assert portal["keywords"] == ["反诈宣传", "刷单返利", "滨江区", "社区"]


def test_portal_text_keeps_headings_and_paragraphs(portal):
    lines = portal["text"].split("\n")
    assert lines[0] == "我区开展“全民反诈”宣传进社区活动"
    assert "三个“凡是”要记牢" in lines
    assert any(line.startswith("民警结合近期辖区发生的案例") for line in lines)
    # an inline link inside a paragraph stays part of its sentence
    assert "引导 300 余名居民下载国家反诈中心APP。" in portal["text"]


@pytest.mark.parametrize(
    "boilerplate",
    [
        "政务公开",
        "当前位置",
        "登录",
        "热点新闻",
        "我区召开2024年经济工作会议",
        "网站地图",
        "主办单位",
        "统计代码",
        "分享到",
        "上一篇",
        "教育局",
        "请输入关键词",
    ],
)
def test_portal_text_drops_navigation_sidebars_footer_and_scripts(portal, boilerplate):
    assert boilerplate not in portal["text"]


def test_portal_icp_from_footer(portal):
    assert portal["icp"] == "浙ICP备05012345号-1"


def test_portal_links_are_absolute_with_anchor_text_and_internal_flag(portal):
    by_url = {link["url"]: link for link in portal["links"]}
    assert by_url["http://www.binjiang.test:8000/zwgk/"] == {
        "url": "http://www.binjiang.test:8000/zwgk/",
        "text": "政务公开",
        "internal": True,
    }
    assert by_url["https://www.gov.cn/"]["internal"] is False
    assert by_url["http://www.binjiang.test:8000/"]["text"] == "滨江区人民政府"  # image alt
    assert "http://www.binjiang.test:8000/news/2024/0307/1234.html" in by_url  # links survive
    assert all(not url.endswith("#") for url in by_url)
    assert portal["forum"] is None and portal["posts"] == []


# --- Discuz! thread, GBK, 3 posts ----------------------------------------------------------


def test_discuz_forum_info(discuz):
    assert discuz["forum"] == {
        "engine": "discuz",
        "kind": "thread",
        "board_id": "12",
        "thread_id": "3456",
        "page": 1,
    }


def test_discuz_posts_author_time_text(discuz):
    posts = discuz["posts"]
    assert [(p["index"], p["author"], p["time"]) for p in posts] == [
        (0, "江边小李", "2024-03-08T09:15:22"),
        (1, "高薪兼职小妹", "2024-03-08T10:02:11"),  # absolute time from the span's title
        (2, "老王", "2024-03-08T11:30:05"),
    ]
    assert (
        posts[0]["text"]
        == "想找个周末的兼职，离滨江近一点的，有没有人推荐？\n之前在超市做过理货员，能吃苦。"
    )
    assert "有意者加QQ 2789451230 或微信 vx_jz2024 详聊。" in posts[1]["text"]


def test_discuz_post_noise_removed(discuz):
    # anti-copy jammer strings, hidden spans, edit notices and quotes of other posts
    for noise in ("k9Xq2", "Zp4w", "本帖最后由", "发表于 2024-3-8 10:02"):
        assert noise not in discuz["text"]
    assert discuz["posts"][2]["text"].startswith("楼主别信")


def test_discuz_post_ranges_point_into_text(discuz):
    for post in discuz["posts"]:
        assert discuz["text"][post["start"] : post["end"]] == post["text"]
    starts = [p["start"] for p in discuz["posts"]]
    assert starts == sorted(starts)


def test_discuz_links_resolve_against_base_href_and_qr(discuz):
    urls = {link["url"] for link in discuz["links"]}
    assert "http://bbs.binjiang.test:8001/forum-12-1.html" in urls
    assert discuz["qr_images"] == [
        "http://bbs.binjiang.test:8001/data/attachment/forum/202403/08/qrcode_88.png"
    ]
    assert discuz["icp"] == "浙ICP备17012345号-2"


def test_discuz_markup_recognised_under_unfamiliar_url():
    page = load("discuz_thread_gbk.html", "http://bbs.binjiang.test:8001/t/3456")
    assert page["forum"]["engine"] == "discuz" and page["forum"]["thread_id"] == "3456"
    assert len(page["posts"]) == 3


def test_discuz_board_keeps_thread_titles():
    page = load("discuz_board.html", "http://bbs.binjiang.test:8001/forum-12-1.html")
    assert page["forum"] == {
        "engine": "discuz",
        "kind": "board",
        "board_id": "12",
        "thread_id": None,
        "page": 1,
    }
    assert "手机兼职日结300元，加QQ详谈" in page["text"].split("\n")
    assert page["posts"] == []


# --- phpBB and PHPWind ------------------------------------------------------------------------


def test_phpbb_posts(phpbb):
    assert phpbb["forum"] == {
        "engine": "phpbb",
        "kind": "thread",
        "board_id": None,
        "thread_id": "815",
        "page": 2,
    }
    assert [(p["author"], p["time"]) for p in phpbb["posts"]] == [
        ("小林打金", "2024-02-20T08:12:45+00:00"),
        ("金牌代练", "2024-02-20T09:01:00+00:00"),
        ("版主", "2024-02-20T10:30:00+00:00"),
    ]
    assert "加微信 jpdl8888" in phpbb["posts"][1]["text"]
    assert phpbb["posts"][2]["text"] == "私下交易没有保障，请大家走官方平台。楼上广告已举报。"
    assert phpbb["apk_links"] == ["https://dl.jpdl-game.test/jpdl_v2.apk"]
    assert phpbb["icp"] == "陕ICP备2023001234号"


def test_phpwind_posts():
    page = load("phpwind_read.html", "http://bbs.laojie.test:8003/read.php?tid=889&page=1")
    assert page["forum"]["engine"] == "phpwind" and page["forum"]["thread_id"] == "889"
    assert [(p["author"], p["time"]) for p in page["posts"]] == [
        ("卡商老李", "2023-11-02T21:15:00"),
        ("街坊", "2023-11-03T08:01:00"),
    ]
    assert page["posts"][0]["text"].startswith("长期高价收购银行卡")


# --- ICP, APK, QR on an ads page ----------------------------------------------------------


def test_ads_page_icp_apk_qr(ads):
    assert ads["icp"] == "粤ICP备2021098765号-3"  # full-width, spaced in the source
    assert ads["apk_links"] == [
        "http://tongcheng.test:8080/download/jiedan.apk",
        "https://cdn.example-apps.test/app/release.APK?v=3",
    ]
    assert ads["qr_images"] == [
        "http://tongcheng.test:8080/images/wx_qrcode.png",
        "http://tongcheng.test:8080/images/lazy.png",  # lazy-loaded: data-original wins
        "http://tongcheng.test:8080/images/kefu.png",
        "http://tongcheng.test:8080/uploads/ewm.jpg",
    ]
    assert "联系人：王经理 电话：138 0013 8000" in ads["text"]


def test_ads_page_skips_non_web_links(ads):
    urls = [link["url"] for link in ads["links"]]
    assert not any(u.startswith(("javascript", "mailto")) for u in urls)
    assert "http://partner.example.test/x" in urls  # protocol-relative
    internal = {link["url"]: link["internal"] for link in ads["links"]}
    assert internal["http://tongcheng.test:8080/list/2.html"] is True
    assert internal["http://partner.example.test/x"] is False


# --- tables of small cases ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://b.test/forum-7-3.html", ("discuz", "board", "7", None, 3)),
        ("http://b.test/thread-99-2-1.html", ("discuz", "thread", None, "99", 2)),
        ("http://b.test/forum.php?mod=viewthread&tid=5&page=4", ("discuz", "thread", None, "5", 4)),
        ("http://b.test/forum.php?mod=forumdisplay&fid=2", ("discuz", "board", "2", None, 1)),
        ("http://b.test/viewthread.php?tid=8", ("discuz", "thread", None, "8", 1)),
        ("http://b.test/archiver/tid-8.html", ("discuz", "thread", None, "8", 1)),
        ("http://b.test/viewtopic.php?f=1&t=3&start=20", ("phpbb", "thread", "1", "3", 3)),
        ("http://b.test/viewforum.php?f=4&start=50", ("phpbb", "board", "4", None, 3)),
        ("http://b.test/read.php?tid=12&page=2", ("phpwind", "thread", None, "12", 2)),
        ("http://b.test/thread.php?fid=6", ("phpwind", "board", "6", None, 1)),
        ("http://b.test/read-htm-tid-12-page-3.html", ("phpwind", "thread", None, "12", 3)),
        (
            "http://b.test/forum.php?mod=viewthread&tid=5&page=-1",
            ("discuz", "thread", None, "5", 1),
        ),
        ("http://b.test/news/1.html", None),
        ("http://b.test/forum.php", None),
    ],
)
def test_forum_url_info(url, expected):
    info = forum_url_info(url)
    if expected is None:
        assert info is None
    else:
        assert (
            info["engine"],
            info["kind"],
            info["board_id"],
            info["thread_id"],
            info["page"],
        ) == expected


@pytest.mark.parametrize(
    "text, icp",
    [
        ("京ICP备12345678号-1", "京ICP备12345678号-1"),
        ("京ICP证030173号", "京ICP证030173号"),
        ("沪 ICP 备 2020012345 号", "沪ICP备2020012345号"),
        ("苏ICP备05001234号－2", "苏ICP备05001234号-2"),
        ("ICP备案号：浙ICP备12345678号", "浙ICP备12345678号"),
        ("no icp here", None),
    ],
)
def test_normalise_icp(text, icp):
    assert normalise_icp(text) == icp


@pytest.mark.parametrize(
    "value, expected",
    [
        ("发表于 2024-3-8 09:15:22", "2024-03-08T09:15:22"),
        ("2024年 2月 20日 16:12", "2024-02-20T16:12:00"),
        ("2023-11-02", "2023-11-02T00:00:00"),
        ("3 天前", None),
        ("2024-13-40", None),
        (None, None),
    ],
)
def test_parse_post_time(value, expected):
    assert parse_post_time(value) == expected


@pytest.mark.parametrize(
    "href, expected",
    [
        ("/p?q=1#f", "http://a.test:8000/p?q=1"),
        ("z.html", "http://a.test:8000/x/z.html"),
        ("../up.html", "http://a.test:8000/up.html"),
        ("?page=2", "http://a.test:8000/x/y.html?page=2"),
        ("HTTPS://b.test/Q", "https://b.test/Q"),
        ("//c.test/x", "http://c.test/x"),
        ("javascript:void(0)", None),
        ("mailto:a@b.c", None),
        ("#top", None),
        ("http://", None),
        ("tencent://message?uin=1", None),
        ("", None),
        ("x" * 5000, None),
    ],
)
def test_link_resolution(href, expected):
    resolver = LinkResolver("http://a.test:8000/x/y.html", "http://a.test:8000/x/y.html")
    assert resolver.resolve(href) == expected


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html>",
        "<<<>>>",
        "<p>" * 5000,
        "<a href='http://[::1'>x</a>",
        "\x00\x01 binary-ish",
        "<table><tr><td>" * 300 + "深层嵌套",
        "<div class='nav'><div class='nav'><a>x</a></div></div>",
    ],
)
def test_hostile_html_never_raises(html):
    page = extract_page(html, "http://h.test/")
    assert isinstance(page["text"], str) and len(page["text"]) <= 200_000


def test_text_is_capped():
    html = "<p>" + "刷单返利" * 100_000 + "</p>"
    assert len(extract_page(html, "http://h.test/")["text"]) == 200_000


# --- broken markup and neighbours' titles -----------------------------------------------------


def sample(name: str) -> str:
    return (SAMPLES / name).read_text("utf-8")


def test_broken_html_keeps_the_article_wrapped_by_unclosed_boilerplate():
    """Unclosed <div id="topbar">/<div id="nav">, a stray </html>, a second <body>, unquoted and
    unbalanced attributes, odd comments: the parser nests the article inside the boilerplate
    blocks; the article must still come out (and the real sidebar must not)."""
    page = extract_page(sample("broken_unclosed.html"), "http://hx.test/ads/1.html")
    text = page["text"]
    for line in (
        "高额返利投资平台，稳赚不赔",
        "USDT理财项目，日收益百分之五，稳赚不赔，本金随时可取。",
        "导师一对一带单，内部渠道，名额有限。",
        "加微信 hx_licai888 了解详情，备注“理财”。",
    ):
        assert line in text.split("\n")
    for gone in (
        "河西区新增三个口袋公园",
        "热门推荐",
        "九成新儿童自行车转让",
        "下一篇",
        "首页\n",
        "请升级浏览器",
        "浏览次数",
    ):
        assert gone not in text
    assert page["icp"] == "豫ICP备2020123456号"


def test_broken_html_article_is_flagged():
    from rules import load_engine

    page = extract_page(sample("broken_unclosed.html"), "http://hx.test/ads/1.html")
    result = load_engine().scan(page["text"], title=page["title"])
    assert result.level in ("high", "medium")
    assert {"type": "wechat", "value": "hx_licai888"} in [
        {"type": e.type, "value": e.value} for e in result.entities
    ]


@pytest.mark.parametrize(
    "breakage",
    [
        '<div id="header"><div class="nav"><a href="/">首页</a> <a href="/n">新闻</a>',
        '<div class="footer"><p>页脚',
        '<header><nav><a href="/">首页</a><a href="/x">新闻</a>',
        '<div class="sidebar"><div class="side"><td><b>热门',
        '<div id="topbar" class="top-bar x><a href="/">首页</a> | <a href="/reg">注册</a>',
    ],
)
def test_article_inside_an_unclosed_boilerplate_block(breakage):
    body = "<h1>兼职刷单日结，一单一结</h1>" + "".join(
        f"<p>第{i}段：在家动动手指就能赚钱，先垫付后返还本金和佣金。</p>" for i in range(6)
    )
    html = f"<html><head><title>t</title></head><body>{breakage}<div class=article>{body}</body></html>"
    text = extract_page(html, "http://b.test/a.html")["text"]
    assert "兼职刷单日结，一单一结" in text
    assert text.count("先垫付后返还本金和佣金") == 6


def test_a_real_footer_on_a_thin_page_stays_out():
    """A page with little content and a wordy footer: the footer is boilerplate, not a wrapper
    (it holds no heading or article), so its contacts do not become the page's text."""
    html = (
        "<html><body><div class=login><form><p>用户登录</p></form></div>"
        '<div class="footer"><p>客服QQ：80012345 客服电话：0371-66668888</p>'
        "<p>主办单位：河西文化传媒有限公司 地址：河西区人民路1号 版权所有</p></div></body></html>"
    )
    text = extract_page(html, "http://b.test/login.html")["text"]
    assert "80012345" not in text and "主办单位" not in text


def test_header_with_a_logo_heading_is_still_boilerplate():
    html = (
        '<html><body><div id="header"><h1 class="logo"><a href="/">河西信息港</a></h1>'
        '<div class="nav"><a href="/">首页</a> <a href="/n">新闻</a></div></div>'
        "<div class=content>"
        + "<p>社区开展垃圾分类宣传活动，志愿者向居民讲解分类知识。</p>" * 4
        + "</div></body></html>"
    )
    text = extract_page(html, "http://b.test/a.html")["text"]
    assert "河西信息港" not in text and "首页" not in text
    assert text.count("志愿者向居民讲解分类知识") == 4


def test_article_does_not_inherit_its_neighbours_titles():
    page = extract_page(sample("article_neighbours.html"), "http://dh.test/news/1.html")
    text = page["text"]
    assert text.split("\n") == [
        "社区开展垃圾分类宣传活动",
        "发布时间：2024-06-01 来源：东湖社区",
        "6月1日上午，东湖社区在文化广场开展垃圾分类宣传活动，志愿者向居民讲解分类知识。",
        "活动共发放宣传册300余份，现场居民积极参与分类小游戏。",
    ]
    # The neighbours stay in the links (the crawl follows them and judges them on their own).
    anchors = {link["text"] for link in page["links"]}
    assert "刷单兼职日结，一单一结佣金高" in anchors and "网络赌博百家乐，注册送彩金" in anchors


def test_neighbour_article_is_not_flagged():
    from rules import load_engine

    page = extract_page(sample("article_neighbours.html"), "http://dh.test/news/1.html")
    assert load_engine().scan(page["text"], title=page["title"]).level in ("none", "low")


@pytest.mark.parametrize(
    "line",
    [
        "下一篇：这是一篇没有链接的预告文字，讲的是下周的活动安排",  # no link: content
        "上一次社区活动来了200多位居民。",  # 上一次 is no prev/next label
        "热门推荐的景点里，湿地公园最受欢迎。",  # a sentence, not a box heading
    ],
)
def test_navigation_labels_inside_content_are_kept(line):
    html = f"<html><body><div class=content><p>{line}</p><p>第二段正文。</p></div></body></html>"
    assert line in extract_page(html, "http://b.test/a.html")["text"].split("\n")


def test_list_page_keeps_its_own_items_with_blurbs():
    """A list page's own entries (title + blurb, not link-dense) are its content; only boxes
    headed like 相关文章/热门推荐 are dropped."""
    items = "".join(
        f'<li><a href="/ads/{i}.html">信息{i}</a><p>这是第{i}条分类信息的简介，联系方式见详情页面。</p></li>'
        for i in range(5)
    )
    html = (
        f"<html><body><div class=list-page><h2>分类信息</h2><ul>{items}</ul></div>"
        '<div class="box"><h3>热门推荐</h3><ul><li><a href="/x.html">别处的标题</a>'
        "<p>别处的简介文字，内容很长很长。</p></li></ul></div></body></html>"
    )
    text = extract_page(html, "http://b.test/ads/")["text"]
    assert text.count("分类信息的简介") == 5 and "信息3" in text
    assert "别处的标题" not in text and "别处的简介" not in text
