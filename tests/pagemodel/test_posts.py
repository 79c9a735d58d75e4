"""Posts on the common forum engines' own markup (tests/pagemodel/sample_data, written for these
tests after the engines' default templates: Discuz! X3.4/X2.5/7.2, its touch and old mobile
pages and both Archivers, phpBB 3.3 and 3.0 prosilver, PHPWind 8.7 and 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagemodel import extract_page, forum_url_info
from pagemodel.encoding import decode_html
from pagemodel.postfields import clean_author, parse_floor, parse_post_time

SAMPLES = Path(__file__).parent / "sample_data"

# name → (URL it was served from, [(floor, author, time)], {index: text})
THREADS = {
    "discuz_x34_thread_gbk.html": (
        "http://bbs.jiangcheng.test/forum.php?mod=viewthread&tid=8812&extra=page%3D1",
        [
            (1, "江城小陈", "2024-05-12T20:31:07"),
            (2, "兼职客服小雨", "2024-05-12T21:05:44"),  # "半小时前": the span's title
            (3, "老街坊", "2024-05-12T21:17:30"),
            (4, "匿名", "2024-05-12T22:03:51"),
            # 5#: "作者被禁止或删除 内容自动屏蔽" has no message and is no post
            (6, "小区志愿者", "2024-05-13T08:02:19"),
        ],
        {
            0: "最近失业在家，想找个能在家做的兼职，网上看到好多打字员、刷单的，不知道哪些是真的。\n"
            "有没有在家做过兼职的朋友给点建议？\n先说好，要交押金、入会费的一律不考虑。",
            1: "手机就能做的兼职，点赞关注返佣金，一单一结，日赚200-500。\n"
            "先做三单体验单，垫付的本金加佣金马上返还，有意者加QQ 3309127745 或微信 yu_jz668 "
            "备注“兼职”。",
            2: "楼主千万别信，“先做体验单、垫付本金”就是刷单诈骗的套路。\n"
            "前几单返你小钱，等你垫付的金额大了就拉黑。此帖已举报，账号已禁言。",
            3: "我之前做过在家录入的，最后也是要先买“资料包”，整理了一份被骗的经过，大家看看：\n"
            "被骗经过截图.zip",
        },
    ),
    "discuz_x25_thread_page2.html": (
        "http://www.nanhu-sq.test/thread-5521-2-1.html",
        [
            (11, "南湖宝妈", "2012-06-03T09:12:00"),
            (12, "湖边阿强", "2012-06-03T10:45:00"),
            (13, "低价代购", "2012-06-03T11:02:00"),
        ],
        {
            1: "还在的，周六上午在家，小区东门等你。\n补一张细节图：",
            2: "全新进口推车一折代购，支付宝转账先付款后发货，加微信 dg_5588 看货。\n微信：dg_5588",
        },
    ),
    "discuz7_viewthread_gbk.html": (
        "http://www.xitang-bbs.test/viewthread.php?tid=40713&extra=page%3D1",
        [(1, "回收老张", "2010-03-05T10:24:00"), (2, "西塘闲人", "2010-03-05T13:50:00")],
        {
            0: "高价回收各种旧手机、坏手机，苹果三星诺基亚都要，上门收购现金结算。\n"
            "电话：13905731234 张师傅",
            1: "请问屏幕碎了的也收吗？大概什么价？",
        },
    ),
    "discuz_touch_thread.html": (
        "http://bbs.donghu.test/forum.php?mod=viewthread&tid=20671&extra=&mobile=2",
        [
            (1, "东湖业主", "2023-09-18T19:40:00"),
            (2, "安居贷款顾问", "2023-09-18T20:13:00"),  # "昨天 20:13": the span's title
            (4, "看房人", "2023-09-19T08:05:00"),
        ],
        {
            0: "东湖花园三期，89平两室，满五唯一，业主直售不要中介。\n看房请电话联系，中介勿扰。",
            2: "首付贷是违规的，大家别碰。\n请问楼主小区离地铁站多远？",
        },
    ),
    "discuz_mobile1_thread.html": (
        "http://www.xihu-life.test/forum.php?mod=viewthread&tid=11802&mobile=1",
        [
            (1, "湖畔听风", "2023-06-02T12:08:00"),
            (2, "票务小助手", "2023-06-02T12:40:00"),
            (3, "钱塘小胡", "2023-06-02T13:15:00"),
        ],
        {1: "内场票有的是，先付一半定金，扫码加群看座位图，支付宝转账后出票。"},
    ),
    "discuz_archiver_thread_gbk.html": (
        "http://bbs.qingshan.test/archiver/?tid-9904.html",
        [
            (None, "青山打工人", "2021-11-03T22:14:00"),
            (None, "卡神老周", "2021-11-03T22:31:00"),
            (None, "青山银行小刘", "2021-11-04T09:02:00"),
        ],
        {
            0: "想把信用卡额度提一提，朋友圈看到有人说能内部提额，靠谱吗？\n有懂的朋友说说。",
        },
    ),
    "discuz5_archiver_thread_gbk.html": (
        "http://bbs.laocheng.test/archiver/?tid-3310.html",
        [(None, "一中老三班", "2006-04-02T20:15:00"), (None, "阿敏", "2006-04-03T08:47:00")],
        {},
    ),
    "phpbb33_topic.html": (
        "https://bbs.hepan.test/viewtopic.php?t=2291&sid=4e2f",
        [
            (None, "河畔小吴", "2024-03-02T02:41:09+00:00"),
            (None, "代还专家阿凯", "2024-03-02T03:07:55+00:00"),
            (None, "管理员", "2024-03-02T04:30:12+00:00"),
            (None, "河畔小吴", "2024-03-02T06:02:40+00:00"),
        ],
        {},
    ),
    "phpbb30_topic.html": (
        "http://bbs.shancheng-bike.test/viewtopic.php?f=2&t=877",
        [
            (None, "爬坡王", "2010-03-05T10:24:00"),  # "星期五 3月 05, 2010 10:24 am"
            (None, "顺丰代收", "2010-03-05T13:07:00"),
            (None, "版主老猫", "2010-03-05T15:30:00"),
        ],
        {},
    ),
    "phpwind8_read_gbk.html": (
        "http://bbs.laojie.test/read.php?tid=3391",
        [
            (1, "卡商老李", "2014-05-20T10:35:12"),
            (2, "街坊老陈", "2014-05-20T11:02:41"),
            (5, "路过的", "2014-05-21T08:15:00"),  # "4楼": PHPWind numbers the replies
        ],
        {
            0: "长期高价收购银行卡、对公账户，四件套齐全，当天结算。\n电报联系 @kashang_li",
            2: "支持，卖卡的最后都被抓了。",
        },
    ),
    "phpwind9_read.html": (
        "http://www.binhu-sq.test/read.php?tid=1187&fid=9",
        [(1, "滨湖招聘", "2014-12-28T21:40:00"), (2, "滨湖老宋", "2014-12-28T22:03:00")],
        {1: "先交押金的兼职都是骗子，别上当。"},
    ),
}

# Words on those pages that are no post's own text: signatures, quotes of other posts, edit
# notes, attachment tips, anti-copy noise, the page's chrome.
NOISE = {
    "discuz_x34_thread_gbk.html": [
        "本帖最后由",
        "q7Lm",
        "Vb2x9",
        "认真生活",
        "加V：yu_jz668",  # 沙发's signature (its message stays)
        "反诈热线96110",
        "兼职客服小雨 发表于",
        "下载次数",
        "下载附件",
        "上传",
        "1.2 MB",
        "谢谢提醒",  # the rating log
        "作者被禁止或删除",
        "电梯直达",
        "自动登录",
        "您需要登录后才可以回帖",
        "鄂ICP备",
    ],
    "discuz_x25_thread_page2.html": [
        "南湖宝妈 发表于",
        "本帖最后由",
        "88.6 KB",
        "推车全景.jpg",  # the attachment list under the message
        "复制代码",
        "闲置转让，只限同城自提",
    ],
    "discuz7_viewthread_gbk.html": ["本帖最后由", "诚信回收", "回收老张 发表于", "跳转到"],
    "discuz_touch_thread.html": ["本帖最后由", "安居贷款顾问 发表于", "作者被禁止", "收藏"],
    "discuz_archiver_thread_gbk.html": ["本帖最后由", "查看完整版本", "Archiver"],
    "discuz5_archiver_thread_gbk.html": ["本帖最后由", "查看完整版本"],
    "phpbb33_topic.html": [
        "宁可慢一点",
        "版规",
        "写道",
        "编辑于",
        "31.02 KiB",
        "被浏览",
        "全选",
        "注册时间",
        "在线用户",
    ],
    "phpbb30_topic.html": ["写道", "编辑于", "山城骑行俱乐部", "版规", "注册"],
    "phpwind8_read_gbk.html": ["重新编辑", "引用第1楼", "一条龙", "打酱油", "注册时间"],
    "phpwind9_read.html": ["编辑了帖子", "诚信第一", "滨湖招聘：入职", "注册日期", "加关注"],
}


def load(name: str) -> dict:
    url = THREADS[name][0]
    html, _, _ = decode_html((SAMPLES / name).read_bytes(), "text/html")
    return extract_page(html, url)


@pytest.fixture(scope="module", params=sorted(THREADS))
def thread(request):
    return request.param, load(request.param)


def test_posts_author_time_floor(thread):
    name, page = thread
    assert [(p["floor"], p["author"], p["time"]) for p in page["posts"]] == THREADS[name][1]
    assert [p["index"] for p in page["posts"]] == list(range(len(page["posts"])))


def test_post_texts(thread):
    name, page = thread
    for index, text in THREADS[name][2].items():
        assert page["posts"][index]["text"] == text


def test_post_texts_hold_no_noise(thread):
    name, page = thread
    for noise in NOISE.get(name, []):
        assert noise not in page["text"], noise


def test_post_ranges_point_into_the_text(thread):
    _, page = thread
    for post in page["posts"]:
        assert page["text"][post["start"] : post["end"]] == post["text"]


@pytest.mark.parametrize(
    "name, engine, thread_id",
    [
        ("discuz_x34_thread_gbk.html", "discuz", "8812"),
        ("discuz_touch_thread.html", "discuz", "20671"),
        ("discuz_archiver_thread_gbk.html", "discuz", "9904"),
        ("phpbb33_topic.html", "phpbb", "2291"),
        ("phpwind8_read_gbk.html", "phpwind", "3391"),
        ("phpwind9_read.html", "phpwind", "1187"),
    ],
)
def test_forum_info(name, engine, thread_id):
    forum = load(name)["forum"]
    assert (forum["engine"], forum["kind"], forum["thread_id"]) == (engine, "thread", thread_id)


@pytest.mark.parametrize(
    "name",
    ["discuz_x34_thread_gbk.html", "discuz_touch_thread.html", "phpbb30_topic.html"],
)
def test_markup_is_recognised_under_an_unfamiliar_url(name):
    html, _, _ = decode_html((SAMPLES / name).read_bytes(), "text/html")
    page = extract_page(html, "http://mirror.test/t/1")
    assert len(page["posts"]) == len(THREADS[name][1])


def test_an_article_with_an_author_line_is_no_archiver_thread():
    """``#content > p.author`` alone is common on news pages: the Archiver also needs its link
    to the full version."""
    html = (
        '<html><body><div id="content"><p class="author"><strong>本报记者 李明</strong> '
        "2024-3-8 09:00</p><h3>社区开展反诈宣传</h3><p>3月8日，社区民警走进小区，向居民讲解"
        "刷单返利类诈骗的常见套路。</p></div></body></html>"
    )
    page = extract_page(html, "http://news.test/a/1.html")
    assert page["posts"] == []
    assert "刷单返利类诈骗的常见套路" in page["text"]


# --- the words around a post --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("发表于 2024-3-8 09:15:22", "2024-03-08T09:15:22"),
        ("2024年 2月 20日 16:12", "2024-02-20T16:12:00"),
        ("2024年 3月 2日, 10:41", "2024-03-02T10:41:00"),
        ("星期五 3月 05, 2010 1:07 pm", "2010-03-05T13:07:00"),
        ("Tue Feb 20, 2024 8:12 am", "2024-02-20T08:12:00"),
        ("September 19th, 2005 at 7:32 pm", "2005-09-19T19:32:00"),
        ("2005年6月1日 下午 3:20", "2005-06-01T15:20:00"),
        ("发布于：2014-12-28 21:40", "2014-12-28T21:40:00"),
        ("〓 发布时间 2005/03/15 22:36:13 by duscha 〓", "2005-03-15T22:36:13"),
        ("2024-02-20T08:12:45+00:00", "2024-02-20T08:12:45+00:00"),
        ("半小时前", None),
        ("昨天 20:13", None),
        ("08-11 16:06", None),  # no year
        ("1899-01-01", None),
    ],
)
def test_parse_post_time(value, expected):
    assert parse_post_time(value) == expected


@pytest.mark.parametrize(
    "value, offset, expected",
    [
        ("楼主", 0, 1),
        ("沙发", 0, 2),
        ("板凳", 0, 3),
        ("地板", 0, 4),
        ("5#", 0, 5),
        ("来自 5#", 0, 5),  # a post stuck to the top shows where it came from
        ("#12", 0, 12),
        ("第3楼", 0, 3),
        ("4楼", 1, 5),
        ("楼主#", 1, 1),
        ("推荐", 0, None),
        ("", 0, None),
    ],
)
def test_parse_floor(value, offset, expected):
    assert parse_floor(value, offset) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("由 admin »", "admin"),
        ("by Bob", "Bob"),
        ("新宠的评论", "新宠"),
        ("张三 说道：", "张三"),
        ("作者：老王", "老王"),
        ("  江边小李 ", "江边小李"),
        ("", None),
    ],
)
def test_clean_author(value, expected):
    assert clean_author(value) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://b.test/archiver/?tid-1011.html", ("discuz", "thread", None, "1011", 1)),
        ("http://b.test/archiver/?tid-1011.html&page=2", ("discuz", "thread", None, "1011", 2)),
        ("http://b.test/archiver/?tid-9-page-3.html", ("discuz", "thread", None, "9", 3)),
        ("http://b.test/archiver/?fid-23.html", ("discuz", "board", "23", None, 1)),
        (
            "http://b.test/forum.php?mod=viewthread&tid=7&mobile=2",
            ("discuz", "thread", None, "7", 1),
        ),
        ("http://b.test/index.php?m=bbs&c=read&tid=5&page=2", ("phpwind", "thread", None, "5", 2)),
        ("http://b.test/index.php?c=thread&fid=9", ("phpwind", "board", "9", None, 1)),
        ("http://b.test/simple/?t123_2.html", ("phpwind", "thread", None, "123", 2)),
        ("http://b.test/simple/index.php?f5.html", ("phpwind", "board", "5", None, 1)),
        ("http://b.test/archiver/", None),
    ],
)
def test_forum_url_info_of_archives_and_mobile_pages(url, expected):
    info = forum_url_info(url)
    got = info and (
        info["engine"],
        info["kind"],
        info["board_id"],
        info["thread_id"],
        info["page"],
    )
    assert got == expected
