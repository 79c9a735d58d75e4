"""Cloaking and hijack verdicts on pairs of pages: the visitor's and a variant's."""

from __future__ import annotations

import pytest

from pagemodel.model import page_from_html
from rules import load_engine
from sitecheck.cloaking import (
    CRAWLER,
    MOBILE_SEARCH,
    Variant,
    compare,
    left_site,
    merge,
    same_site,
    script_redirects,
    scripts_could_redirect,
)
from sitecheck.verdict import CLOAKING, HIJACK_REDIRECT

SITE = "http://www.hx-machinery.com.cn/"
COMPANY = """<html><head><title>华信机械制造有限公司</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/about">关于我们</a><a href="/products">产品中心</a></div>
<h1>公司简介</h1><p>华信机械制造有限公司成立于2003年，专业生产数控机床、液压设备和自动化生产线，
产品远销东南亚和欧洲。公司坚持质量第一、客户至上的原则，通过了ISO9001质量体系认证。</p>
<p>我们的技术团队由三十余名工程师组成，可根据客户需求定制非标设备，并提供安装调试和售后培训服务。</p>
<div class="footer">联系电话：0571-86001234 地址：杭州市余杭区工业园区</div></body></html>"""
CASINO = """<html><head><title>澳门新葡京娱乐城_百家乐真人荷官_注册送彩金</title>
<meta name="keywords" content="百家乐,娱乐城,彩金"></head><body>
<h1>澳门新葡京娱乐城官方网站</h1><p>在线百家乐真人荷官24小时发牌，新会员注册即送88元彩金，首充加赠100%，
每日返水无上限。</p><p>体育投注、电子游艺、真人视讯一站式娱乐平台，提款秒到账。</p></body></html>"""
MOBILE_COMPANY = """<html><head><title>华信机械制造有限公司</title>
<meta name="viewport" content="width=device-width"></head><body><header>华信机械 手机版</header>
<section><h2>公司简介</h2><p>华信机械制造有限公司成立于2003年，专业生产数控机床、液压设备和自动化生产线，
产品远销东南亚和欧洲。公司坚持质量第一、客户至上的原则，通过了ISO9001质量体系认证。</p>
<p>我们的技术团队由三十余名工程师组成，可根据客户需求定制非标设备，并提供安装调试和售后培训服务。</p></section>
<nav><a href="/">首页</a><a href="/products">产品</a></nav></body></html>"""


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def page(html: str, url: str = SITE):
    return page_from_html(html, url)


def variant(source: str, name: str = CRAWLER, **kw) -> Variant:
    url = kw.pop("url", SITE)
    return Variant(
        name=name, url=url, final_url=kw.pop("final_url", url), page=page(source, url), **kw
    )


def test_crawler_shown_casino_is_cloaking(engine):
    verdicts = compare(engine, page(COMPANY), variant(CASINO, agent="Baiduspider"), SITE)
    assert [v.kind for v in verdicts] == [CLOAKING]
    evidence = verdicts[0].to_record()["evidence"]
    assert evidence["variant"] == CRAWLER and evidence["agent"] == "Baiduspider"
    assert "gambling" in evidence["categories"]
    assert evidence["urls"] == [SITE] and evidence["examples"]


def test_same_page_for_crawler_is_clean(engine):
    assert compare(engine, page(COMPANY), variant(COMPANY), SITE) == []


ADS = "".join(
    f"<li class='ad'><span>【出售】九成新格力空调{i}匹，自提价{i}00元，联系电话0571-8600{i:04d}，"
    "杭州余杭区</span></li>"
    for i in range(10)
)
BOARD = (
    f"<html><head><title>余杭分类信息 - 二手家电</title></head><body><ul>{ADS}</ul></body></html>"
)
SPAM_AD = (
    "<li class='ad'><span>【招聘】澳门新葡京娱乐城在线百家乐真人荷官，新会员注册即送88元彩金，"
    "首充加赠100%，日结高薪</span></li>"
)


def test_board_gaining_a_users_spam_ad_between_fetches_is_no_cloaking(engine):
    later = BOARD.replace("<ul>", "<ul>" + SPAM_AD)
    assert compare(engine, page(BOARD), variant(later, agent="Baiduspider"), SITE) == []


def test_spam_paragraph_shown_only_to_crawlers_is_cloaking(engine):
    planted = COMPANY.replace(
        "<h1>", "<p>澳门新葡京娱乐城在线百家乐真人荷官24小时发牌，新会员注册即送88元彩金。</p><h1>"
    )
    verdicts = compare(engine, page(COMPANY), variant(planted, agent="Baiduspider"), SITE)
    assert [v.kind for v in verdicts] == [CLOAKING]


def test_casino_shown_to_everyone_is_no_cloaking(engine):
    # a site that is a casino for all is a takeover or a scam site, not cloaking
    assert compare(engine, page(CASINO), variant(CASINO), SITE) == []


def test_mobile_layout_with_same_content_is_clean(engine):
    mobile = variant(MOBILE_COMPANY, MOBILE_SEARCH, referer="https://www.baidu.com/s?wd=x")
    assert compare(engine, page(COMPANY), mobile, SITE) == []


def test_mobile_render_sent_to_another_host_is_hijack(engine):
    casino = "http://d8-vip.example.org/?a=1"
    mobile = variant(
        CASINO,
        MOBILE_SEARCH,
        final_url=casino,
        chain=(casino,),
        rendered=True,
        referer="https://www.baidu.com/s?wd=x",
    )
    verdicts = compare(engine, page(COMPANY), mobile, SITE)
    assert [v.kind for v in verdicts] == [HIJACK_REDIRECT]
    evidence = verdicts[0].to_record()["evidence"]
    assert evidence["final_url"] == casino and evidence["chain"] == [casino]
    assert evidence["variant"] == MOBILE_SEARCH and casino in evidence["urls"]


def test_aborted_navigation_to_another_host_is_no_hijack(engine):
    # the address guard aborted it, so the render stayed on the site: what the other host
    # shows is unknown, and a move to another domain alone is no evidence (only counted)
    mobile = variant(COMPANY, MOBILE_SEARCH, chain=("http://127.0.0.1:9/casino",), rendered=True)
    assert compare(engine, page(COMPANY), mobile, SITE) == []
    assert left_site(mobile, SITE) == ["http://127.0.0.1:9/casino"]


@pytest.mark.parametrize(
    "landing",
    [
        "http://hxjx-static.oss-cn-hangzhou.aliyuncs.com/m/index.html",  # CDN mobile layout
        "http://www.hxjx-mobile.cn/",  # the site's mobile site on another domain
        "https://apps.apple.com/cn/app/id123456",  # an app store
    ],
)
def test_mobile_visit_ending_on_another_clean_domain_is_no_hijack(engine, landing):
    mobile = variant(
        MOBILE_COMPANY,
        MOBILE_SEARCH,
        url=SITE,
        final_url=landing,
        chain=(landing,),
        rendered=True,
        referer="https://www.baidu.com/s?wd=x",
    )
    mobile = Variant(**{**mobile.__dict__, "page": page(MOBILE_COMPANY, landing)})
    assert compare(engine, page(COMPANY), mobile, SITE) == []


def test_crawler_sent_to_a_waf_check_page_is_no_hijack(engine):
    waf = "https://verify.waf-guard.example.com/check?u=hx"
    check = "<html><head><title>安全验证</title></head><body><p>请稍候，正在进行安全检查</p></body></html>"
    crawler = variant(check, CRAWLER, final_url=waf, chain=(waf,), agent="Baiduspider")
    assert compare(engine, page(COMPANY), crawler, SITE) == []


def test_device_only_script_to_another_domain_is_no_hijack(engine):
    phones = COMPANY.replace(
        "</head>",
        "<script>if(/Mobile|Android|iPhone/.test(navigator.userAgent))"
        "{location.replace('http://www.hxjx-mobile.cn/');}</script></head>",
    )
    mobile = variant(phones, MOBILE_SEARCH, html=phones, referer="https://www.baidu.com/")
    assert compare(engine, page(phones), mobile, SITE) == []


def test_redirect_to_own_mobile_host_is_clean(engine):
    m = "http://m.hx-machinery.com.cn/"
    mobile = variant(MOBILE_COMPANY, MOBILE_SEARCH, final_url=m, chain=(m,), rendered=True)
    assert compare(engine, page(COMPANY), mobile, SITE) == []


def test_script_redirect_for_search_visitors_seen_without_rendering(engine):
    hijacking = COMPANY.replace(
        "</head>",
        "<script>if(/baidu|sogou/.test(document.referrer)&&/Mobile/.test(navigator.userAgent))"
        "{window.location.href='http://vip888.example.net/r?c=7';}</script></head>",
    )
    mobile = variant(hijacking, MOBILE_SEARCH, html=hijacking, referer="https://www.baidu.com/")
    verdicts = compare(engine, page(hijacking), mobile, SITE)
    assert [v.kind for v in verdicts] == [HIJACK_REDIRECT]
    assert verdicts[0].facts["how"] == "script"


def test_unconditional_or_same_site_script_redirect_is_not_hijack():
    assert (
        script_redirects("<script>location.href='http://other.example.net/'</script>", SITE, SITE)
        == []
    )
    same = "<script>if(/Mobile/.test(navigator.userAgent)){location.replace('http://m.hx-machinery.com.cn/')}</script>"
    assert script_redirects(same, SITE, SITE) == []


def test_same_site():
    assert same_site("https://hx-machinery.com.cn/a", SITE)
    assert same_site("http://127.0.0.1:18003/x", "http://127.0.0.1:18003/")
    assert not same_site("http://127.0.0.1:18004/x", "http://127.0.0.1:18003/")
    assert not same_site("http://localhost:18003/x", "http://127.0.0.1:18003/")
    assert not same_site("http://casino.example.org/", SITE)


def test_same_host_on_another_port_is_the_same_site():
    assert same_site("http://www.hx-machinery.com.cn:8080/m/", SITE)
    assert same_site("https://hx-machinery.com.cn:8443/", SITE)
    assert same_site("http://localhost:18004/x", "http://localhost:18003/")
    # an IP address serves many sites, one a port
    assert not same_site("http://10.1.2.3:8080/", "http://10.1.2.3/")


def test_merge_keeps_one_record_per_kind(engine):
    first = compare(engine, page(COMPANY), variant(CASINO), SITE)[0]
    other = SITE + "about"
    second = compare(engine, page(COMPANY, other), variant(CASINO, url=other), SITE)[0]
    records = merge(merge([{"kind": "spam_injected", "evidence": {}}], first), second)
    assert [r["kind"] for r in records] == ["spam_injected", CLOAKING]
    assert records[1]["evidence"]["urls"] == [SITE, other]
    assert len(records[1]["evidence"]["more"]) == 1


def test_mobile_visit_is_rendered_only_where_scripts_could_redirect():
    assert scripts_could_redirect('<script src="/static/js/tj.js"></script>')
    assert scripts_could_redirect("<script>if(document.referrer){}</script>")
    assert scripts_could_redirect("<script>document.write(atob('PHA+'))</script>")
    counter = '<script>var s=document.createElement("script");s.src="/stat.js";</script>'
    assert not scripts_could_redirect(COMPANY) and not scripts_could_redirect(counter)


def test_only_a_rendered_mobile_visit_rules_out_a_hijack():
    from sitecheck.cloaking import CRAWLER, MOBILE_SEARCH, kinds_checked_by

    assert kinds_checked_by(CRAWLER, rendered=False) == {"cloaking"}
    assert kinds_checked_by(MOBILE_SEARCH, rendered=False) == {"cloaking"}
    assert kinds_checked_by(MOBILE_SEARCH, rendered=True) == {"cloaking", "hijack_redirect"}
