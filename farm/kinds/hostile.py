"""Hostile sites: small portals that misbehave in one way each.

Every hostile site is a working little news site (home, a few articles) whose home page links
to the trouble: slow answers, errors, redirect loops and chains, redirects to private or
cloud-metadata addresses (only the Location header: nothing connects there), huge bodies,
compression bombs, endless calendars and facet combinations, binary bodies labelled HTML,
wrong charset labels, broken markup and ever longer URLs. The truth says exactly what.
"""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qsl, urlencode

from farm import bombs, html
from farm.html import EncodingPlan, esc, link
from farm.kinds.articles import FRAUD, ArticleSite, Section, _stable
from farm.model import FarmLike, PageSpec, Reply, SiteSpec

SMALL_SECTIONS = (
    Section("news", "新闻", (3, 6), (("news", 2), ("notice", 1))),
    Section("life", "生活", (2, 4), (("recipe", 1), ("event", 1))),
)


class HostileSite(ArticleSite):
    hostile = "hostile"
    sections = SMALL_SECTIONS
    uses_robots = False

    def trouble_links(self, site: SiteSpec) -> list[tuple[str, str]]:
        """(href, label) of the hostile pages, linked from the home page."""
        return []

    def home_extra(self, site: SiteSpec, farm: FarmLike) -> str:
        items = "".join(f"<li>{link(href, label)}</li>" for href, label in self.trouble_links(site))
        return (
            f'<div class="block special"><h2>专题</h2><ul class="list">{items}</ul></div>'
            if items
            else ""
        )

    def trouble_pages(self, site: SiteSpec) -> list[PageSpec]:
        return []

    def extra_pages(self, site: SiteSpec, blocked: tuple[str, ...]) -> list[PageSpec]:
        return super().extra_pages(site, blocked) + self.trouble_pages(site)


class SlowSite(HostileSite):
    name = "hostile_slow"
    hostile = "slow"
    hostile_details = "every response waits slow_seconds before answering; /drip.html trickles bytes for drip_seconds"
    has_fraud = True
    sections = SMALL_SECTIONS + (Section("ads", "广告", (2, 3), (("classified", 1), (FRAUD, 1))),)
    fraud_categories = ("task_scam", "fake_loan")

    def trouble_links(self, site):
        return [("/drip.html", "实时数据")]

    def respond(self, site, farm, request):
        if request.path == "/drip.html":
            reply = Reply(
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                stream=lambda: bombs.drip(farm.options.drip_seconds),
            )
        else:
            reply = super().respond(site, farm, request)
        reply.delay = farm.options.slow_seconds
        return reply

    def truth_extra(self, site):
        return {"slow": {"delay_all_pages": True, "drip": "/drip.html"}}


class ServerErrorSite(HostileSite):
    name = "hostile_5xx"
    hostile = "server_errors"
    hostile_details = "/error/<code>.html answer with that 5xx status; /flaky/N.html fail with 503 on the first request, then work"

    codes = (500, 502, 503, 504)
    counts_attempts = True

    def trouble_links(self, site):
        links = [(f"/error/{code}.html", f"栏目{code}") for code in self.codes]
        return links + [("/flaky/1.html", "最新动态"), ("/flaky/2.html", "往期回顾")]

    def trouble_pages(self, site):
        pages = [
            PageSpec(f"/error/{code}.html", "error", "error", status=code) for code in self.codes
        ]
        pages += [PageSpec(f"/flaky/{n}.html", "flaky", "news") for n in (1, 2)]
        return pages

    def title_of(self, site, page):
        if page.role == "flaky":
            return "最新动态" if page.path.endswith("1.html") else "往期回顾"
        if page.role == "error":
            return "错误"
        return super().title_of(site, page)

    def respond(self, site, farm, request):
        page = site.page(request.target)
        if page is not None and page.role == "error":
            body = f"<html><head><title>{page.status} Error</title></head><body><h1>{page.status}</h1><p>服务器繁忙，请稍后再试。</p></body></html>"
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if page.status == 503:
                headers["Retry-After"] = "120"
            return Reply(page.status, headers, body.encode())
        if page is not None and page.role == "flaky" and request.attempt == 1:
            return Reply(
                503,
                {"Content-Type": "text/html; charset=utf-8", "Retry-After": "1"},
                b"<html><body><h1>503 Service Unavailable</h1></body></html>",
            )
        return super().respond(site, farm, request)

    def main_html(self, site, farm, page):
        if page.role == "flaky":
            return f'<div class="article"><h1>{esc(self.title_of(site, page))}</h1><div class="content">{html.paragraphs(["本栏目内容正在更新，欢迎关注。", f"{site.city}近期天气晴好，适宜出行。"])}</div></div>'
        return super().main_html(site, farm, page)

    def truth_extra(self, site):
        return {
            "errors": [{"path": f"/error/{c}.html", "status": c} for c in self.codes],
            "flaky": [
                {"path": f"/flaky/{n}.html", "fails_first": 1, "status_first": 503} for n in (1, 2)
            ],
        }


class RedirectLoopSite(HostileSite):
    name = "hostile_redirect_loop"
    hostile = "redirect_loops"
    hostile_details = "/loop/a.html and /loop/b.html redirect to each other, /loop/self.html to itself, /chain/N.html to N+1 up to 40"
    chain_length = 40

    def trouble_links(self, site):
        return [
            ("/loop/a.html", "热点追踪"),
            ("/loop/self.html", "专题报道"),
            ("/chain/1.html", "历史回顾"),
        ]

    def trouble_pages(self, site):
        return [PageSpec(f"/chain/{self.chain_length}.html", "chain_end", "news")]

    def title_of(self, site, page):
        return "历史回顾" if page.role == "chain_end" else super().title_of(site, page)

    def main_html(self, site, farm, page):
        if page.role == "chain_end":
            return '<div class="article"><h1>历史回顾</h1><div class="content"><p>你终于到达了这里。</p></div></div>'
        return super().main_html(site, farm, page)

    def dynamic(self, site, farm, request):
        redirects = {
            "/loop/a.html": "/loop/b.html",
            "/loop/b.html": "/loop/a.html",
            "/loop/self.html": "/loop/self.html",
        }
        if request.path in redirects:
            return redirect(redirects[request.path], 302)
        match = re.fullmatch(r"/chain/(\d+)\.html", request.path)
        if match and 0 < int(match.group(1)) < self.chain_length:
            return redirect(f"/chain/{int(match.group(1)) + 1}.html", 301)
        return None

    def truth_extra(self, site):
        return {
            "redirects": [
                {"path": "/loop/a.html", "location": "/loop/b.html", "status": 302},
                {"path": "/loop/b.html", "location": "/loop/a.html", "status": 302},
                {"path": "/loop/self.html", "location": "/loop/self.html", "status": 302},
            ]
            + [
                {"path": f"/chain/{n}.html", "location": f"/chain/{n + 1}.html", "status": 301}
                for n in range(1, self.chain_length)
            ]
        }


PRIVATE_TARGETS = {
    "/go/internal": "http://10.0.0.8/admin/",
    "/go/metadata": "http://169.254.169.254/latest/meta-data/",
    "/go/router": "http://192.168.1.1/",
    "/go/twohop": "/go/metadata",
}


class PrivateRedirectSite(HostileSite):
    name = "hostile_private_redirect"
    hostile = "private_redirects"
    hostile_details = (
        "/go/* redirect to 10.0.0.8, 169.254.169.254 (cloud metadata) and 192.168.1.1; "
        "/go/refresh.html meta-refreshes to 10.0.0.8; the home page links the metadata URL"
    )

    def trouble_links(self, site):
        links = [(path, f"合作伙伴{i + 1}") for i, path in enumerate(PRIVATE_TARGETS)]
        links.append(("/go/refresh.html", "跳转中"))
        links.append(
            ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "内部资料")
        )
        return links

    def home_extra(self, site, farm):
        return (
            super().home_extra(site, farm)
            + '<p><img src="http://192.168.1.1/logo.png" alt="" width="1" height="1"></p>'
        )

    def dynamic(self, site, farm, request):
        if request.path in PRIVATE_TARGETS:
            return redirect(PRIVATE_TARGETS[request.path], 302)
        if request.path == "/go/refresh.html":
            body = (
                '<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=http://10.0.0.8/">'
                "<title>跳转中</title></head><body>正在跳转…</body></html>"
            )
            return Reply(
                200,
                {"Content-Type": "text/html; charset=utf-8", "Refresh": "0;url=http://10.0.0.8/"},
                body.encode(),
            )
        return None

    def truth_extra(self, site):
        return {
            "redirects": [
                {"path": p, "location": loc, "status": 302} for p, loc in PRIVATE_TARGETS.items()
            ],
            "private_targets": [
                "http://10.0.0.8/admin/",
                "http://169.254.169.254/latest/meta-data/",
                "http://192.168.1.1/",
                "http://10.0.0.8/",
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "http://192.168.1.1/logo.png",
            ],
            "meta_refresh": {"/go/refresh.html": "http://10.0.0.8/"},
        }


class HugePageSite(HostileSite):
    name = "hostile_huge"
    hostile = "huge_pages"
    hostile_details = "/big.html sends huge_bytes with Content-Length; /big-chunked.html the same, chunked, with no length"

    def trouble_links(self, site):
        return [("/big.html", "数据大全"), ("/big-chunked.html", "资料汇编")]

    def dynamic(self, site, farm, request):
        total = farm.options.huge_bytes
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if request.path == "/big.html":
            headers["Content-Length"] = str(total)
            return Reply(200, headers, stream=lambda: bombs.huge_stream(total))
        if request.path == "/big-chunked.html":
            return Reply(200, headers, stream=lambda: bombs.huge_stream(total))
        return None

    def truth_extra(self, site):
        return {"huge": ["/big.html", "/big-chunked.html"]}


class GzipBombSite(HostileSite):
    name = "hostile_gzip_bomb"
    hostile = "compression_bombs"
    hostile_details = "/bomb.html: a small gzip body inflating to gzip_bomb_bytes; /bomb-br.html: brotli, brotli_bomb_bytes"

    def trouble_links(self, site):
        return [("/bomb.html", "年度报告"), ("/bomb-br.html", "统计公报")]

    def dynamic(self, site, farm, request):
        if request.path == "/bomb.html":
            make, total, encoding = bombs.gzip_bomb, farm.options.gzip_bomb_bytes, "gzip"
        elif request.path == "/bomb-br.html":
            make, total, encoding = bombs.brotli_bomb, farm.options.brotli_bomb_bytes, "br"
        else:
            return None
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding}
        return Reply(200, headers, stream=lambda: bombs.stream_bytes(bombs.built(make, total)))

    def truth_extra(self, site):
        return {
            "bombs": [
                {"path": "/bomb.html", "content_encoding": "gzip"},
                {"path": "/bomb-br.html", "content_encoding": "br"},
            ]
        }


class CalendarTrapSite(HostileSite):
    name = "hostile_calendar"
    hostile = "calendar_trap"
    hostile_details = (
        "/calendar/?month=YYYY-MM and /events/YYYY/MM/ link to the previous and next month forever"
    )

    def trouble_links(self, site):
        return [("/calendar/?month=2024-06", "活动日历"), ("/events/2024/06/", "往期活动")]

    def dynamic(self, site, farm, request):
        query = dict(parse_qsl(request.query))
        if request.path == "/calendar/" and re.fullmatch(
            r"-?\d{1,7}-\d{2}", query.get("month", "")
        ):
            year, month = map(int, query["month"].rsplit("-", 1))
            href = lambda y, m: f"/calendar/?month={y}-{m:02d}"
        else:
            match = re.fullmatch(r"/events/(-?\d{1,7})/(\d{2})/", request.path)
            if not match:
                return None
            year, month = int(match.group(1)), int(match.group(2))
            href = lambda y, m: f"/events/{y}/{m:02d}/"
        if not 1 <= month <= 12:
            return None
        prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
        next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
        days = "".join(f"<td>{d}</td>" + ("</tr><tr>" if d % 7 == 0 else "") for d in range(1, 29))
        body = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{year}年{month}月 活动日历 - {esc(site.name)}</title></head>'
            f"<body><h1>{year}年{month}月</h1><p>{link(href(prev_y, prev_m), '上个月')} | {link(href(next_y, next_m), '下个月')}</p>"
            f'<table class="calendar"><tr>{days}</tr></table><p>本月暂无活动安排。</p><p>{link("/", "返回首页")}</p></body></html>'
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())

    def truth_extra(self, site):
        return {"traps": [{"kind": "calendar", "prefixes": ["/calendar/", "/events/"]}]}


FACETS = {
    "sort": ("price", "sales", "date", "name"),
    "order": ("asc", "desc"),
    "color": ("red", "blue", "black", "white", "green", "gold"),
}


class FacetTrapSite(HostileSite):
    name = "hostile_facets"
    hostile = "facet_trap"
    hostile_details = (
        "/products/ links every sort/order/colour combination and a next page, without end"
    )

    def trouble_links(self, site):
        return [("/products/", "商品列表")]

    def dynamic(self, site, farm, request):
        if request.path != "/products/":
            return None
        query = dict(parse_qsl(request.query))
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        links = []
        for name, values in FACETS.items():
            for value in values:
                params = dict(query, **{name: value})
                params.pop("page", None)
                links.append(link("/products/?" + urlencode(params), f"{name}:{value}"))
        nxt = dict(query, page=str(page + 1))
        rng = random.Random(request.query)
        items = "".join(
            f"<li>{esc(rng.choice(('保温杯', '茶具', '收纳篮', '四件套')))} ￥{rng.randint(9, 999)}</li>"
            for _ in range(10)
        )
        body = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>商品列表 第{page}页 - {esc(site.name)}</title></head>'
            f'<body><div class="filters">{" ".join(links)}</div><ul>{items}</ul>'
            f"<p>{link('/products/?' + urlencode(nxt), '下一页')}</p></body></html>"
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())

    def truth_extra(self, site):
        return {"traps": [{"kind": "facets", "prefixes": ["/products/"]}]}


class BinaryAsHtmlSite(HostileSite):
    name = "hostile_binary"
    hostile = "binary_as_html"
    hostile_details = "/files/data.html is 256 KiB of random bytes and /files/logo.html a PNG, both served as text/html"

    def trouble_links(self, site):
        return [("/files/data.html", "数据下载"), ("/files/logo.html", "站点标识")]

    def dynamic(self, site, farm, request):
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if request.path == "/files/data.html":
            rng = random.Random(site.seed + ":binary")
            return Reply(200, headers, rng.randbytes(256 * 1024))
        if request.path == "/files/logo.html":
            return Reply(200, headers, html.qr_png(site.seed, size=41, scale=6))
        return None

    def truth_extra(self, site):
        return {"binary": ["/files/data.html", "/files/logo.html"]}


# Given names outside GB2312 (but in GBK): decoding as GB2312 strictly fails on them.
_GBK_ONLY_BYLINE = "记者 王喆 李堃 通讯员 陈玥 张珺"


class WrongCharsetSite(HostileSite):
    name = "hostile_wrong_charset"
    hostile = "wrong_charset"
    hostile_details = (
        "Content-Type names a charset that does not exist (gbk2312, utf8mb4) or GB2312 for bytes "
        "using GBK-only characters; <meta> tells the truth"
    )
    encoding = "gbk"

    def encoding_plan(self, site, page):
        return (
            EncodingPlan("gbk", "gbk2312", "gbk"),
            EncodingPlan("utf-8", "utf8mb4", "utf-8"),
            EncodingPlan("gbk", "GB2312", "gb2312"),
        )[_stable(page.path, 3)]

    def article_main(self, site, page):
        return (
            super()
            .article_main(site, page)
            .replace(
                '<div class="prevnext">', f'<p>{_GBK_ONLY_BYLINE}</p><div class="prevnext">', 1
            )
        )


class BrokenHtmlSite(HostileSite):
    name = "hostile_broken_html"
    hostile = "broken_html"
    hostile_details = "unclosed and misnested tags, stray table cells, an early </html>, NUL bytes and unbalanced attribute quotes in the boilerplate"
    has_fraud = True
    sections = SMALL_SECTIONS + (Section("ads", "广告", (2, 3), (("classified", 1), (FRAUD, 1))),)
    fraud_categories = ("gambling", "card_trading", "fake_investment")

    def finish(self, markup: str) -> str:
        markup = re.sub(r"</(p|li|div|td|tr)>", "", markup)
        markup = markup.replace(
            '<div id="side">', '</html><div id="side"><td><b>热门 <div class="x\x00y">\x00', 1
        )
        markup = markup.replace(
            '<div id="footer">', '<table><p>页脚</table></table><div id="footer" class="ft>', 1
        )
        markup = markup.replace("<ul>", "<UL><Li>", 1)
        return markup


class LongUrlSite(HostileSite):
    name = "hostile_long_urls"
    hostile = "long_urls"
    hostile_details = "/deep/… pages link one level deeper forever (URLs grow by 41 characters a level); the home page links 5 KB and 70 KB URLs"

    segment = "section-" + "a1b2c3d4e5" * 3 + "xx/"

    def trouble_links(self, site):
        return [
            ("/deep/" + self.segment, "更多内容"),
            ("/search?q=" + "%E6%96%B0%E9%97%BB" * 560, "新闻搜索"),
            ("/search?q=" + "x" * 70_000, "全文检索"),
        ]

    def dynamic(self, site, farm, request):
        if request.path.startswith("/deep/"):
            level = request.path.count("/") - 2
            child = request.path + self.segment
            body = (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>第{level}层 - {esc(site.name)}</title></head>'
                f"<body><p>目录第{level}层。</p><p>{link(child, '下一层')}</p></body></html>"
            )
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        if request.path == "/search":
            body = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索</title></head><body><p>没有找到相关结果。</p></body></html>'
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        return None

    def truth_extra(self, site):
        return {
            "traps": [{"kind": "long_urls", "prefixes": ["/deep/"]}],
            "long_links": [
                {"path_prefix": "/search?q=", "length": len(h)}
                for h, _ in self.trouble_links(site)[1:]
            ],
        }


def redirect(location: str, status: int) -> Reply:
    return Reply(
        status,
        {"Location": location, "Content-Type": "text/html; charset=utf-8"},
        f'<html><body><a href="{esc(location)}">moved</a></body></html>'.encode(),
    )


HOSTILE_KINDS = (
    SlowSite,
    ServerErrorSite,
    RedirectLoopSite,
    PrivateRedirectSite,
    HugePageSite,
    GzipBombSite,
    CalendarTrapSite,
    FacetTrapSite,
    BinaryAsHtmlSite,
    WrongCharsetSite,
    BrokenHtmlSite,
    LongUrlSite,
)
