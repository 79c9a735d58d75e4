"""The page as typed blocks: each kind on small pages shaped like real ones, and the offsets."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from ground.blocks import CONTENT_KINDS, Block, BlockKind
from pagemodel import extract_page
from pagemodel.encoding import decode_html
from pagemodel.hidden import hides
from pagemodel.layout import lay_out, page_text

SAMPLES = Path(__file__).parent / "sample_data"
K = BlockKind

PORTAL_ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>市民反映小区电梯频繁故障 物业承诺月底前完成更换_江城日报</title>
<meta name="description" content="江城日报记者走访了多个老旧小区。">
<meta name="keywords" content="电梯,物业,老旧小区">
</head><body>
<div class="top-bar"><a href="/">首页</a> | <a href="/news/">新闻</a> | <a href="/video/">视频</a></div>
<div class="login-box"><span>用户名</span><span>密码</span><a href="/login">登录</a><a href="/reg">注册</a></div>
<div id="breadcrumb"><a href="/">首页</a> &gt; <a href="/news/">本地新闻</a> &gt; 正文</div>
<div class="wrap"><div class="article">
<h1>市民反映小区电梯频繁故障</h1>
<div class="byline">2024-05-12 09:30 来源：江城日报</div>
<div class="article-content">
<p>近日，家住江南花园的市民王先生向本报反映，小区3号楼的电梯一个月内坏了四次，老人上下楼十分不便。</p>
<p>记者走访发现，该小区电梯已使用超过十五年，多个部件老化严重，维修记录显示今年以来共报修十一次。</p>
<h2>物业：月底前完成更换</h2>
<p>物业公司负责人表示，更换电梯的资金已经落实，新电梯将在本月底前安装完毕并通过验收。</p>
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
</div>
<div class="related"><h3>相关阅读</h3><ul>
<li><a href="/news/1.html">老旧小区加装电梯补贴标准公布</a></li>
<li><a href="/news/2.html">多部门联合开展电梯安全检查</a></li></ul></div>
</div>
<div class="footer"><p>版权所有 江城日报社 未经授权禁止转载</p>
<p><a href="https://beian.miit.gov.cn/">鄂ICP备12345678号</a></p></div>
</body></html>"""

HACKED_PAGE = """<html><head><title>江城第三中学</title>
<style>.f1x{display:none} .note{color:#333}</style></head><body>
<div class="content"><h1>学校简介</h1>
<p>江城第三中学创办于1956年，是省级示范性高中，现有教学班48个，在校学生两千余人。</p>
<p>学校坚持立德树人，教育教学质量连年位居全市前列，欢迎社会各界参观指导。</p></div>
<div style="display:none"><a href="https://spam-casino.test/">澳门威尼斯人娱乐场</a>
<a href="https://spam-casino.test/bjl">百家乐在线开户</a></div>
<div class="f1x"><a href="https://spam-lottery.test/">时时彩计划网</a></div>
<p style="color:#ffffff;background-color:#fff">白底白字的北京赛车pk10开奖</p>
<p style="position:absolute;left:-9999px">屏幕外的六合彩资料大全</p>
<a href="https://partner.test/"><img src="/p.png" alt="合作伙伴 江城教育网"></a>
</body></html>"""

RENDERED = """<html><head><title>兼职平台</title></head><body>
<div id="app"><div class="content"><h1>兼职平台</h1>
<p>本平台由江城网络科技有限公司运营，致力于为大学生提供正规的兼职信息服务。</p>
<p>点赞关注任务每单佣金三元，先垫付后返还，日结工资，详情添加客服微信 jz_kefu2024 咨询。</p>
</div></div></body></html>"""
ORIGINAL = """<html><head><title>兼职平台</title></head><body>
<div id="app"><div class="content"><h1>兼职平台</h1>
<p>本平台由江城网络科技有限公司运营，致力于为大学生提供正规的兼职信息服务。</p>
</div></div><script src="/app.js"></script></body></html>"""


def kinds_of(page: dict, *kinds: BlockKind) -> list[str]:
    return [block.text for block in page["blocks"] if block.kind in kinds]


def assert_offsets(page: dict) -> None:
    text = page["text"]
    whole = page_text(text, page["blocks"])
    for block in page["blocks"]:
        assert whole[block.start : block.end] == block.text
        if block.kind in CONTENT_KINDS:
            assert text[block.start : block.end] == block.text
    content = [block for block in page["blocks"] if block.kind in CONTENT_KINDS]
    if content:  # the content blocks are the main text, a line (posts: a blank line) apart
        assert content[0].start == 0 and content[-1].end == len(text)
        gaps = {text[a.end : b.start] for a, b in pairwise(content)}
        assert gaps <= {"\n", "\n\n"}


@pytest.fixture(scope="module")
def portal():
    return extract_page(PORTAL_ARTICLE, "http://www.jcrb.test/news/2024/0512/88.html")


def test_portal_article_content_blocks(portal):
    assert kinds_of(portal, K.HEADING) == ["市民反映小区电梯频繁故障", "物业：月底前完成更换"]
    paragraphs = kinds_of(portal, K.PARAGRAPH)
    assert paragraphs[0] == "2024-05-12 09:30 来源：江城日报"  # the byline stays with its article
    assert len(paragraphs) == 4 and paragraphs[-1].startswith("物业公司负责人表示")
    assert portal["text"].split("\n")[0] == "市民反映小区电梯频繁故障"


def test_portal_head_blocks(portal):
    assert kinds_of(portal, K.TITLE) == ["市民反映小区电梯频繁故障 物业承诺月底前完成更换_江城日报"]
    assert kinds_of(portal, K.META_DESCRIPTION) == ["江城日报记者走访了多个老旧小区。"]
    assert kinds_of(portal, K.META_KEYWORDS) == ["电梯, 物业, 老旧小区"]


@pytest.mark.parametrize(
    "chrome",
    [
        "首页 | 新闻 | 视频",
        "登录",
        "正文",
        "分享到",
        "相关阅读",
        "老旧小区加装电梯补贴标准公布",
        "版权所有",
    ],
)
def test_portal_chrome_is_boilerplate_not_text(portal, chrome):
    assert chrome not in portal["text"]
    assert any(chrome in text for text in kinds_of(portal, K.BOILERPLATE))


def test_portal_offsets(portal):
    assert_offsets(portal)
    others = [block for block in portal["blocks"] if block.kind not in CONTENT_KINDS]
    assert others[0].start == len(portal["text"]) + 2  # "\n\n" after the main text


@pytest.fixture(scope="module")
def hacked():
    return extract_page(HACKED_PAGE, "http://www.jc3z.test/about.html")


@pytest.mark.parametrize(
    "spam",
    [
        "澳门威尼斯人娱乐场 百家乐在线开户",  # display:none
        "时时彩计划网",  # class hidden by a <style> rule
        "白底白字的北京赛车pk10开奖",  # same colour as the background
        "屏幕外的六合彩资料大全",  # off-screen
    ],
)
def test_hidden_spam_is_a_hidden_block(hacked, spam):
    assert spam in kinds_of(hacked, K.HIDDEN)
    assert spam.split()[0] not in hacked["text"]


def test_hidden_spam_links_are_kept(hacked):
    urls = {link["url"] for link in hacked["links"]}
    assert {"https://spam-casino.test/", "https://spam-lottery.test/"} <= urls


def test_link_text_holds_only_anchors_seen_nowhere_else(hacked):
    # image links: their alt is no other block's text; the hidden anchors are not repeated
    assert kinds_of(hacked, K.LINK_TEXT) == ["合作伙伴 江城教育网"]
    assert_offsets(hacked)


def test_hacked_page_main_text(hacked):
    assert hacked["text"].split("\n") == [
        "学校简介",
        "江城第三中学创办于1956年，是省级示范性高中，现有教学班48个，在校学生两千余人。",
        "学校坚持立德树人，教育教学质量连年位居全市前列，欢迎社会各界参观指导。",
    ]


@pytest.mark.parametrize(
    ("style", "hidden"),
    [
        ("display:none", True),
        ("display: none !important", True),
        ("visibility:hidden", True),
        ("font-size:0", True),
        ("font-size:0px;line-height:0", True),
        ("height:0;overflow:hidden", True),
        ("height:0", False),  # its text overflows, visible
        ("width:0px", True),
        ("position:absolute;top:-5000px", True),
        ("text-indent:-9999px", True),
        ("color:#fff;background:#FFFFFF", True),
        ("color:white;background-color:white", True),
        ("color:#333;background:#fff", False),
        ("font-size:0.9em", False),
        ("border:none;display:block", False),
        ("left:-10px;position:relative", False),
    ],
)
def test_hiding_styles(style, hidden):
    assert hides(style) is hidden


def test_hidden_rules_inside_media_queries_do_not_count():
    html = (
        "<html><head><style>@media (max-width:600px){.side{display:none}}</style></head><body>"
        "<div class=side><p>手机上隐藏的侧栏文字，在电脑上照常显示给读者。</p></div></body></html>"
    )
    assert kinds_of(extract_page(html, "http://m.test/"), K.HIDDEN) == []


MENU = ["首页", "新闻", "体育", "财经", "彩票", "App", "汽车"]


def _menu_page(hidden_menu: str, url: str) -> dict:
    visible = "".join(f'<li><a href="//sports.portal.com.cn/{n}/">{n}</a></li>' for n in MENU)
    body = (
        f"<ul class=nav>{visible}</ul><div class=more style='display:none'>{hidden_menu}</div>"
        "<h1>本市召开经济工作会议</h1><p>会议总结了今年以来的经济运行情况，部署下一阶段工作。</p>"
    )
    return extract_page(f"<html><body>{body}</body></html>", url)


@pytest.mark.parametrize("url", ["http://www.portal.com.cn/a.html", "http://example.invalid/"])
def test_a_hidden_copy_of_the_sites_menu_is_boilerplate(url):
    # a drop-down repeating the visible menu, links to the site's subdomains: chrome
    copy = " ".join(f'<a href="//news.portal.com.cn/{n}/">{n}</a>' for n in MENU)
    page = _menu_page(copy, url)
    assert kinds_of(page, K.HIDDEN) == []
    assert any("彩票" in text for text in kinds_of(page, K.BOILERPLATE))


def test_hidden_spam_linking_to_pages_of_the_site_itself_stays_hidden():
    # parasite pages planted on a hacked site: on-site links that nothing else names
    spam = " ".join(
        f'<a href="/plus/{n}.html">{word}</a>'
        for n, word in enumerate(["澳门赌场", "百家乐开户", "时时彩计划", "真人棋牌"])
    )
    page = _menu_page(spam, "http://www.portal.com.cn/a.html")
    assert kinds_of(page, K.HIDDEN) == ["澳门赌场 百家乐开户 时时彩计划 真人棋牌"]


def test_a_page_hidden_until_its_scripts_run_is_not_all_hidden():
    paragraphs = "".join(f"<p>第{i}段：这是正文内容，页面由脚本淡入显示。</p>" for i in range(80))
    html = f'<html><body><div id="page" style="display:none">{paragraphs}</div></body></html>'
    page = extract_page(html, "http://fade.test/")
    assert page["text"].count("页面由脚本淡入显示") == 80
    assert kinds_of(page, K.HIDDEN) == []


def test_board_page_thread_titles_are_list_items():
    html, _, _ = decode_html((SAMPLES / "discuz_board.html").read_bytes(), "text/html")
    page = extract_page(html, "http://bbs.binjiang.test:8001/forum-12-1.html")
    assert "手机兼职日结300元，加QQ详谈" in kinds_of(page, K.LIST_ITEM)
    assert_offsets(page)


def test_thread_page_posts_are_post_blocks_with_author_and_time():
    html, _, _ = decode_html((SAMPLES / "discuz_thread_gbk.html").read_bytes(), "text/html")
    page = extract_page(html, "http://bbs.binjiang.test:8001/thread-3456-1-1.html")
    posts = [block for block in page["blocks"] if block.kind == K.POST]
    assert [(b.meta["author"], b.meta["time"], b.meta["index"]) for b in posts] == [
        (p["author"], p["time"], p["index"]) for p in page["posts"]
    ]
    assert [(b.start, b.end) for b in posts] == [(p["start"], p["end"]) for p in page["posts"]]
    assert set(kinds_of(page, *CONTENT_KINDS)) == {p["text"] for p in page["posts"]}
    assert kinds_of(page, K.BOILERPLATE)  # the thread page's chrome is kept, marked
    assert_offsets(page)


def test_rendered_page_marks_the_text_scripts_added():
    page = extract_page(RENDERED, "http://jz.test/", original_html=ORIGINAL)
    scripted = kinds_of(page, K.SCRIPTED)
    assert scripted == [
        "点赞关注任务每单佣金三元，先垫付后返还，日结工资，详情添加客服微信 jz_kefu2024 咨询。"
    ]
    # it stays where it was read: in the main text, after the paragraph the server sent
    assert page["text"].split("\n")[-1] == scripted[0]
    assert kinds_of(page, K.PARAGRAPH)[0].startswith("本平台由江城网络科技有限公司运营")
    without = extract_page(RENDERED, "http://jz.test/")
    assert without["text"] == page["text"] and kinds_of(without, K.SCRIPTED) == []


def test_block_dicts():
    page = extract_page(PORTAL_ARTICLE, "http://www.jcrb.test/news/2024/0512/88.html")
    first = page["blocks"][0].to_dict()
    assert first == {"kind": "heading", "text": "市民反映小区电梯频繁故障", "start": 0, "end": 12}


# --- the layout ---------------------------------------------------------------------------------


def test_layout_content_first_then_the_rest():
    text, blocks = lay_out(
        [(K.HEADING, "标题", {}), (K.PARAGRAPH, "正文一段。", {})],
        [(K.TITLE, "标题_网站", {}), (K.BOILERPLATE, "首页 新闻", {})],
        max_text_chars=1000,
    )
    assert text == "标题\n正文一段。"
    assert blocks == [
        Block(K.HEADING, "标题", 0, 2),
        Block(K.PARAGRAPH, "正文一段。", 3, 8),
        Block(K.TITLE, "标题_网站", 10, 15),
        Block(K.BOILERPLATE, "首页 新闻", 17, 22),
    ]
    assert page_text(text, blocks) == "标题\n正文一段。\n\n标题_网站\n\n首页 新闻"


def test_layout_posts_are_a_blank_line_apart_and_text_is_capped():
    text, blocks = lay_out(
        [(K.POST, "一楼", {}), (K.POST, "二楼", {}), (K.PARAGRAPH, "x" * 20, {})],
        [(K.BOILERPLATE, "版权", {})],
        max_text_chars=8,
    )
    assert text == "一楼\n\n二楼"
    assert [(b.kind, b.start, b.end) for b in blocks] == [
        (K.POST, 0, 2),
        (K.POST, 4, 6),
        (K.BOILERPLATE, 8, 10),
    ]


def test_layout_without_content():
    text, blocks = lay_out([], [(K.TITLE, "空页", {})], max_text_chars=10)
    assert text == "" and blocks == [Block(K.TITLE, "空页", 2, 4)]
    assert page_text(text, blocks)[2:4] == "空页"
