"""The judge on pages built as the page model reads them (facts from sitecheck.facts)."""

from __future__ import annotations

from pagemodel.model import page_from_html
from sitecheck.facts import directory, page_facts
from sitecheck.judge import icp_number, judge_site

SITE = {
    "id": "gov.example.cn",
    "name": "临江市人民政府",
    "url": "http://gov.example.cn/",
    "icp": "京ICP备12345678号-1",
    "type": "政务服务",
    "owner": "临江市人民政府办公室",
}
NAV = '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>'
FOOTER = "<p>主办单位：{owner} ICP备案号：{icp}</p>"


def _page(path, title, body, *, site=SITE, icp=None, owner=None, extra="", keywords=""):
    footer = FOOTER.format(owner=owner or site["owner"], icp=icp or site["icp"])
    html = (
        f'<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="keywords" content="{keywords}"></head>'
        f"<body>{NAV}<div class='content'><h1>{title}</h1><p>{body}</p></div>{extra}"
        f"<div id='footer'>{footer}</div></body></html>"
    )
    return page_from_html(html, "http://gov.example.cn" + path)


def _scan(categories=(), level="high"):
    hits = [{"category": c, "field": "paragraph", "level": level} for c in categories]
    return {"level": level if categories else "none", "categories": list(categories), "hits": hits}


NOTICE = "关于开展冬季消防安全检查的公告。各单位要认真排查电气线路、消防通道和灭火器材，发现隐患立即整改。"
CASINO = "亚洲最大的真人视讯平台，百家乐、龙虎、牛牛应有尽有。新会员注册即送彩金，首充再加送。"


def _facts(pages, site=SITE):
    return [
        page_facts(
            page, scan, site, depth=0 if page.url.endswith("/") and page.url.count("/") == 3 else 1
        )
        for page, scan in pages
    ]


def _normal_site(n=6, **kwargs):
    pages = [(_page("/", f"首页 - {SITE['name']}", NOTICE, **kwargs), _scan())]
    pages += [
        (_page(f"/zwgk/t{i}.html", f"通知{i} - {SITE['name']}", NOTICE, **kwargs), _scan())
        for i in range(n)
    ]
    return pages


def test_icp_number_ignores_the_site_suffix():
    assert icp_number("京ICP备12345678号-2") == icp_number("京ICP备12345678号") == "12345678"
    assert icp_number(None) is None


def test_icp_number_with_spaces():
    assert icp_number("粤ICP备 12345678号") == "12345678"
    assert icp_number("京ICP 备12345678号-1") == icp_number("京icp证 12345678号") == "12345678"
    assert icp_number("京ICP证第030173号") == icp_number("京ICP备字 030173号") == "030173"


def test_directory_of_a_page():
    assert directory("http://a.cn/") == "/"
    assert directory("http://a.cn/about.html") == "/"
    assert directory("http://a.cn/xq7/123.html") == "/xq7/"
    assert directory("http://a.cn/zwgk/") == "/zwgk/"  # a section's own address


def test_a_normal_site_has_no_verdict():
    assert judge_site(SITE, _facts(_normal_site())) == []


def test_a_new_icp_number_alone_is_no_takeover():
    # the entity renumbered its filing; name, owner and content are the registered ones
    assert judge_site(SITE, _facts(_normal_site(icp="沪ICP备87654321号"))) == []


def test_a_casino_under_another_name_and_icp_is_a_takeover():
    casino = {"icp": "粤ICP备55554444号", "owner": "鼎盛娱乐城"}
    pages = [(_page("/", "鼎盛娱乐城", CASINO, **casino), _scan(["gambling"]))]
    pages += [
        (_page(f"/zwgk/{i}.html", f"百家乐{i} - 鼎盛娱乐城", CASINO, **casino), _scan(["gambling"]))
        for i in range(5)
    ]
    site = {
        **SITE,
        "name": "临江宏达贸易有限公司",
        "owner": "临江宏达贸易有限公司",
        "type": "企业网站",
    }
    verdicts = judge_site(site, _facts(pages, site))
    assert [v.kind for v in verdicts] == ["takeover_suspected"]
    facts = verdicts[0].facts
    assert facts["icp_state"] == "different"
    assert facts["shown"]["icp"] == "粤ICP备55554444号"
    assert facts["registered"]["icp"] == SITE["icp"]
    assert facts["categories"] == ["gambling"]
    assert verdicts[0].urls[0] == "http://gov.example.cn/"
    record = verdicts[0].to_record()
    assert set(record) == {"kind", "evidence"} and record["evidence"]["detail"]


def test_another_registered_sites_icp_number_without_its_name_is_a_takeover():
    other = {"icp": "浙ICP备99990000号", "owner": "某某公司"}
    site = {**SITE, "name": "临江宏达贸易有限公司", "owner": "临江宏达贸易有限公司"}
    pages = [(_page("/", "鼎盛娱乐城", CASINO, **other), _scan(["gambling"]))]
    verdicts = judge_site(site, _facts(pages, site), {"99990000": "另一家公司"})
    assert [v.kind for v in verdicts] == ["takeover_suspected"]
    assert verdicts[0].facts["icp_state"] == "other_entity"


def test_another_sites_icp_number_on_ordinary_content_is_no_takeover():
    # a sister site's footer copied onto an ordinary site: no casino, no loans, no spam
    other = {"icp": "浙ICP备99990000号", "owner": "某某公司"}
    site = {**SITE, "name": "临江宏达贸易有限公司", "owner": "临江宏达贸易有限公司"}
    pages = [(_page("/", "欢迎光临", NOTICE, **other), _scan())]
    assert judge_site(site, _facts(pages, site), {"99990000": "另一家公司"}) == []


def test_the_registered_name_is_found_without_its_website_suffix():
    site = {**SITE, "name": "临江市人民政府门户网站", "owner": "临江市政务服务中心"}
    facts = _facts(
        [(_page("/", "首页 - 临江市人民政府", NOTICE, site=site, owner="某单位"), _scan())], site
    )
    assert facts[0]["name_shown"]
    # the owner's name in the title alone also names the site
    site = {**SITE, "name": "临江在线", "owner": "临江宏达贸易有限公司"}
    facts = _facts(
        [(_page("/", "临江宏达贸易有限公司", NOTICE, site=site, owner="某单位"), _scan())], site
    )
    assert facts[0]["owner_shown"]


def test_planted_titles_hidden_links_and_parasitic_pages_are_spam_injected():
    hidden = (
        '<div style="display:none">'
        + "".join(f'<a href="/qzv/{i}.html">鼎盛体育官网入口{i}</a>' for i in range(8))
        + "</div>"
    )
    pages = _normal_site(extra=hidden)
    pages.append(
        (
            _page("/zwgk/t99.html", "鼎盛体育app下载安装", NOTICE, keywords="鼎盛体育,百家乐"),
            _scan(),
        )
    )
    pages += [
        (_page(f"/qzv/{i}.html", f"鼎盛体育官网入口{i}", CASINO), _scan(["gambling"]))
        for i in range(8)
    ]
    verdicts = judge_site(SITE, _facts(pages))
    assert [v.kind for v in verdicts] == ["spam_injected"]
    facts = verdicts[0].facts
    assert facts["parasitic_pages"] == 8
    assert facts["parasitic_dirs"] == ["/qzv/"]
    assert facts["planted_titles"] == 1
    assert facts["hidden_link_pages"] == len(_normal_site())
    assert facts["hidden_links"] >= 8


def test_spam_titled_pages_the_navigation_links_to_are_planted_not_parasitic():
    pages = _normal_site()
    pages.append((_page("/zwgk/t50.html", "新澳门资料大全", NOTICE), _scan()))
    pages.append((_page("/zwgk/t51.html", "鼎盛体育官网入口", NOTICE), _scan()))
    verdict = judge_site(SITE, _facts(pages))[0]
    assert verdict.facts["planted_titles"] == 2 and verdict.facts["parasitic_pages"] == 0


def test_no_pages_no_verdict():
    assert judge_site(SITE, []) == []


def test_a_fraud_post_titled_as_what_it_sells_is_no_planted_title():
    pages = _normal_site()
    for i in range(3):
        pages.append(
            (
                _page(f"/zwgk/p{i}.html", f"搬砖项目{i}：鼎盛体育官网入口", CASINO),
                _scan(["money_laundering"]),
            )
        )
    assert judge_site(SITE, _facts(pages)) == []


def test_one_spam_title_alone_is_no_verdict_unless_on_the_home_page():
    pages = _normal_site()
    pages.append((_page("/zwgk/t70.html", "鼎盛体育官网入口", NOTICE), _scan()))
    assert judge_site(SITE, _facts(pages)) == []
    pages[0] = (_page("/", "鼎盛体育官网入口", NOTICE), _scan())
    assert [v.kind for v in judge_site(SITE, _facts(pages))] == ["spam_injected"]


def _lottery_shop(level):
    site = {**SITE, "name": "临江体彩服务中心", "owner": "临江体彩服务中心", "type": "企业网站"}
    body = "本中心代售体育彩票，竞彩足球、大乐透每周开奖，理性购彩。"
    pages = [
        (
            _page("/", f"首页 - {site['name']}", body, site=site, icp="无"),
            _scan(["gambling"], level),
        )
    ]
    pages += [
        (
            _page(f"/zwgk/{i}.html", f"开奖公告{i} - {site['name']}", body, site=site, icp="无"),
            _scan(["gambling"], level),
        )
        for i in range(4)
    ]
    return site, _facts(pages, site)


def test_weak_hits_say_nothing_of_what_a_site_is_about():
    site, facts = _lottery_shop("low")
    assert all(f["off_type"] == [] for f in facts)
    assert judge_site(site, facts) == []


def test_a_missing_icp_number_on_a_site_showing_its_name_is_no_takeover():
    site, facts = _lottery_shop("medium")
    assert facts[0]["icp"] is None and facts[0]["name_shown"] and facts[0]["off_type"]
    assert judge_site(site, facts) == []


def _hidden(*anchors):
    links = "".join(f'<a href="/x/{i}.html">{a}</a>' for i, a in enumerate(anchors))
    return f'<div style="display:none">{links}</div>'


def test_one_hidden_spam_link_on_one_page_is_no_verdict():
    pages = _normal_site()
    pages[2] = (_page("/zwgk/t1.html", "通知1", NOTICE, extra=_hidden("鼎盛体育官网入口")), _scan())
    facts = _facts(pages)
    assert facts[2]["hidden_spam"] == 1
    assert judge_site(SITE, facts) == []


def test_hidden_spam_on_two_pages_or_three_links_is_spam_injected():
    pages = _normal_site()
    for i in (1, 2):
        pages[i] = (
            _page(f"/zwgk/t{i}.html", "通知", NOTICE, extra=_hidden("鼎盛体育官网入口")),
            _scan(),
        )
    assert [v.kind for v in judge_site(SITE, _facts(pages))] == ["spam_injected"]
    pages = _normal_site()
    three = _hidden("鼎盛体育官网入口", "澳门六合彩资料大全", "真人百家乐平台")
    pages[1] = (_page("/zwgk/t1.html", "通知", NOTICE, extra=three), _scan())
    assert [v.kind for v in judge_site(SITE, _facts(pages))] == ["spam_injected"]
