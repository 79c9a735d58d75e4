"""Comments, replies and answers under an article become posts after the article's text
(tests/pagemodel/sample_data, written for these tests: WordPress 6 with threaded comments, a
Discuz! portal article, a news site's comment list, a Q&A page, a .Text blog of 2005)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagemodel import extract_page, main_text
from pagemodel.encoding import decode_html
from pagemodel.post_layouts import MAX_POSTS

SAMPLES = Path(__file__).parent / "sample_data"

# name → (URL, the article's first line, [(author, time)], {index: text})
PAGES = {
    "wordpress_post_comments.html": (
        "https://laozhou-kitchen.test/2024/03/first-bread/",
        "退休以后时间多了，决定学做面包。第一次用家里的小烤箱，按视频里的方子做了一个吐司。",
        [
            ("烘焙小白兔", "2024-03-08T09:15:22+08:00"),
            ("老周", "2024-03-08T10:02:00+08:00"),  # a reply nested in ol.children
            ("理财导师王老师", "2024-03-09T23:41:07+08:00"),
            # the pingback shows no time: no comment
        ],
        {
            2: "退休金放着也是贬值，跟着导师做数字货币投资，稳赚不赔，月收益百分之二十。\n"
            "加微信 wls_licai66 进群领取内部消息：http://licai-daoshi.test/join",
        },
    ),
    "discuz_portal_article_gbk.html": (
        "http://bbs.jiangcheng.test/portal.php?mod=view&aid=512",
        "5月10日上午，江城街道在社区活动中心开展老年人防骗知识讲座，六十余位老人到场。",
        [
            ("退休老刘", "2024-05-10T16:02:00"),
            ("养老项目顾问", "2024-05-10T18:47:00"),
            ("江城街道", "2024-05-11T08:30:00"),
        ],
        {
            1: "国家扶持的养老公寓项目，投十万每月返息三千，年底还送旅游，名额有限，"
            "电话 177 2655 3101。",
            2: "这就是讲座里说的养老投资骗局，已报警处理，大家不要拨打。",  # the quote is gone
        },
    ),
    "news_article_comments.html": (
        "http://www.tongcheng-news.test/local/20240402/1042.html",
        "记者从市交通运输局获悉，今年市区将新开通三条公交线路，覆盖城东新区、高铁站和市第二人民医院。",
        [
            ("城东居民", "2024-04-02T09:12:00"),
            ("公交卡充值优惠", "2024-04-02T10:05:00"),
            ("桐城小周", None),  # "3小时前": a time, but no date
            ("老桐城", "2024-04-02T14:40:00"),
        ],
        {1: "公交卡充值打五折，扫码添加客服微信 gjk_cz88，充一百送一百，限时三天。"},
    ),
    "qa_answers.html": (
        "https://linli-qa.test/q/3310",
        (
            "前几年网贷逾期上了征信，现在想贷款买房。网上有人说交三千块可以“修复征信”，把逾期记录删掉，"
            "是真的吗？"
        ),
        [
            ("银行信贷员阿华", "2023-10-15T21:40:00"),
            ("征信修复专员", "2023-10-16T09:03:00"),
            ("买房的小李", "2023-10-16T12:30:00"),
        ],
        {
            1: "我们和银行有内部合作，可以一键洗白征信，成功后再付尾款，先交定金一千五。联系QQ 2950117344。"
        },
    ),
    "dottext_blog_comments_gbk.html": (
        "http://blog.xiaohe.test/archive/2005/06/30/41902.aspx",
        "攒了半年的钱，终于买了第一台数码相机，三百万像素，可以存一百多张照片。",
        [
            ("老王", "2005-06-30T22:05:00"),
            ("数码批发", "2005-07-01T03:12:00"),
            ("小河", "2005-07-01T09:30:00"),
        ],
        {
            # the header line "# re: 我的第一台数码相机 2005-07-01 03:12 数码批发" is no text
            1: "水货数码相机批发，价格全网最低，先汇款后发货，QQ：40166880 http://shuma-pifa.test/",
        },
    ),
}

# Not comments of the page: sidebar "recent comments"/"hot comments" boxes, related lists,
# action bars, comment forms.
NOT_POSTS = {
    "wordpress_post_comments.html": ["发表在《", "Pingback", "回复", "说道"],
    "discuz_portal_article_gbk.html": ["引用", "编辑", "养老公寓项目，投十万每月返息三千\n"],
    "news_article_comments.html": ["菜市场改造", "停车位太少了", "顶(", "举报"],
    "qa_answers.html": ["赞同", "最佳答案", "网贷逾期多久"],
    "dottext_blog_comments_gbk.html": ["re: 我的第一台数码相机", "恭喜入门！\n", "下次带上我"],
}


def load(name: str) -> dict:
    html, _, _ = decode_html((SAMPLES / name).read_bytes(), "text/html")
    return extract_page(html, PAGES[name][0])


@pytest.fixture(scope="module", params=sorted(PAGES))
def page(request):
    return request.param, load(request.param)


def test_comments_author_time(page):
    name, result = page
    assert [(p["author"], p["time"]) for p in result["posts"]] == PAGES[name][2]
    assert all(p["floor"] is None for p in result["posts"])


def test_comment_texts(page):
    name, result = page
    for index, text in PAGES[name][3].items():
        assert result["posts"][index]["text"] == text


def test_the_article_comes_first_and_each_comment_once(page):
    name, result = page
    text, posts = result["text"], result["posts"]
    assert PAGES[name][1] in text[: posts[0]["start"]]
    for post in posts:
        assert text[post["start"] : post["end"]] == post["text"]
        assert text.count(post["text"]) == 1


def test_no_sidebar_list_or_chrome_in_comments(page):
    name, result = page
    posts = "\n\n".join(p["text"] for p in result["posts"])
    for word in NOT_POSTS[name]:
        assert word not in posts, word


def test_comment_page_is_no_forum():
    assert load("news_article_comments.html")["forum"] is None


@pytest.mark.parametrize(
    "body",
    [
        # a related-articles box with dates
        (
            '<div class="comment-box"><h3>博客手拉手</h3>'
            '<p class="comment">[2005-08-21] <a href="http://a.test/1.html">为什么总要面对呢</a></p>'
            '<p class="comment">[2005-08-17] <a href="http://b.test/2.html">无序列表</a></p>'
            '<p class="comment">[2005-08-02] <a href="http://c.test/3.html">无序</a></p></div>'
        ),
        # a "recent comments" widget in the sidebar: names and times, other pages' comments
        (
            '<div class="sidebar"><div class="recent-comments"><ul>'
            '<li class="comment-item"><span class="user-name">网友甲</span>'
            '<span class="time">2024-04-01 21:00</span><span>说得好，支持一下这个建议</span></li>'
            '<li class="comment-item"><span class="user-name">网友乙</span>'
            '<span class="time">2024-04-01 19:45</span><span>停车位确实太少了</span></li>'
            "</ul></div></div>"
        ),
        # a comment counter and an empty list waiting for JavaScript
        (
            '<div class="comment-wrap"><a class="comment-count" href="#c">评论(12)</a>'
            '<div id="comment-list"></div></div>'
        ),
        # a list of comments with no names
        (
            '<ul class="comment-list"><li>2024-04-01 21:00 说得好</li><li>2024-04-01 22:00 同意</li>'
            "</ul>"
        ),
    ],
)
def test_lists_that_are_no_comments(body):
    html = (
        "<html><body><div class=article><h1>社区新闻</h1>"
        + "<p>社区开展垃圾分类宣传活动，志愿者向居民讲解分类知识。</p>" * 3
        + f"</div>{body}</body></html>"
    )
    assert extract_page(html, "http://news.test/a/1.html")["posts"] == []


def test_one_numbered_comment_is_a_list():
    html = (
        "<html><body><div class=post><h1>播客热潮</h1>"
        + "<p>播客在中国的发展速度也将是惊人的，有人预言其将成为传播的新方向。</p>" * 3
        + '</div><h3 id="comments">已有1件评论</h3><ol class="commentlist">'
        '<li class="alt" id="comment-4632"><a name="comment-4632"><cite>新宠</cite>的评论</a><br />'
        '<small class="commentmetadata">September 19th, 2005 at 7:32 pm</small>'
        "<p>花10分钟时间，就能拥有一个自己的私人声音平台。</p></li></ol></body></html>"
    )
    posts = extract_page(html, "http://blog.test/?p=1700")["posts"]
    assert [(p["author"], p["time"], p["text"]) for p in posts] == [
        ("新宠", "2005-09-19T19:32:00", "花10分钟时间，就能拥有一个自己的私人声音平台。")
    ]


def test_forum_thread_posts_are_not_read_again_as_comments():
    html, _, _ = decode_html((SAMPLES / "discuz_x34_thread_gbk.html").read_bytes(), "text/html")
    page = extract_page(html, "http://bbs.jiangcheng.test/thread-8812-1-1.html")
    assert len(page["posts"]) == 5 and page["forum"]["engine"] == "discuz"


def test_a_relative_time_is_none_even_if_the_comment_names_a_date():
    items = "".join(
        f'<div class="comment-item"><span class="user-name">{name}</span>'
        f'<span class="comment-time">{time}</span><p class="comment-text">{text}</p></div>'
        for name, time, text in [
            ("老用户", "3天前", "我2020-1-1就办过这张卡，年费很高。"),
            ("新用户", "2024-04-02 10:05", "谢谢提醒。"),
        ]
    )
    html = (
        "<html><body><div class=article><h1>信用卡年费</h1>"
        + "<p>多家银行调整信用卡年费政策，持卡人可在官方渠道查询减免条件。</p>" * 3
        + f'</div><div class="comment-list">{items}</div></body></html>'
    )
    posts = extract_page(html, "http://news.test/a/2.html")["posts"]
    assert [(p["author"], p["time"]) for p in posts] == [
        ("老用户", None),
        ("新用户", "2024-04-02T10:05:00"),
    ]


def test_a_long_threaded_list_is_read_up_to_the_cap():
    """Each of 300 comments holds a reply list of its own: the outer list is still the one
    read (the inner lists are its nested replies), up to MAX_POSTS."""
    items = "".join(
        f'<li class="comment" id="comment-{i}"><cite>读者{i}</cite> '
        f"<small>2024-01-{i % 28 + 1:02d} 10:{i % 60:02d}</small><p>第{i}条评论。</p>"
        f'<ol class="children"><li class="comment" id="reply-to-{i}"><cite>作者</cite> '
        f"<small>2024-02-01 10:00</small><p>谢谢{i}。</p></li></ol></li>"
        for i in range(300)
    )
    html = f"<html><body><div class=post><p>正文。</p></div><ol class='commentlist'>{items}</ol>"
    posts = extract_page(html + "</body></html>", "http://blog.test/?p=9")["posts"]
    assert len(posts) == MAX_POSTS
    assert [(p["author"], p["text"]) for p in posts[:3]] == [
        ("读者0", "第0条评论。"),
        ("作者", "谢谢0。"),
        ("读者1", "第1条评论。"),
    ]


@pytest.mark.parametrize(
    "around",
    [
        ('<div class="share">', "</div>"),  # boilerplate by name
        ('<div style="display:none">', "</div>"),  # hidden
        ('<div class="share"><p>分享到</p><div style="display:none">', "</div></div>"),  # both
    ],
)
def test_comments_inside_a_taken_box_stay_in_main_text(around):
    """The main text alone keeps the text only of the boxes that hold the posts: a box taken
    around the comment list (and a box around that one) still yields them."""
    url = PAGES["wordpress_post_comments.html"][0]
    html, _, _ = decode_html((SAMPLES / "wordpress_post_comments.html").read_bytes(), None)
    start, end = html.index('<div id="comments"'), html.index("</body>")
    html = html[:start] + around[0] + html[start:end] + around[1] + html[end:]
    page = extract_page(html, url)
    assert page["posts"]
    assert all(post["text"] in page["text"] for post in page["posts"])
    assert main_text(html, url) == page["text"]
