"""Company sites that show different visitors different things: two hacked, one clean.

* ``cloaked_portal`` — hacked: search-engine crawlers (Baiduspider, Sogou, 360Spider…) get a
  casino page on every path; browsers get the company's ordinary page.
* ``search_hijack`` — hacked: a script sends visitors who arrive from a search engine *on a
  phone* to a casino on another host (``localhost:<port>`` here: another host name for the
  browser); everyone else stays. The script is inline on some sites, a file on others.
* ``mobile_layout`` — clean look-alike: phones get another layout of the same content.

Brands, paths and scripts are drawn from the site's seed, so a detector cannot key on them.
"""

from __future__ import annotations

import re

from farm import content
from farm.html import esc
from farm.kinds.articles import CompanySite
from farm.kinds.base import FarmRequest
from farm.model import FarmLike, Reply, SiteSpec

CRAWLER_AGENT = re.compile(r"spider|bot|slurp|bingpreview", re.IGNORECASE)
MOBILE_AGENT = re.compile(r"mobile|android|iphone|ipad", re.IGNORECASE)
_BRANDS = ("新葡京", "威尼斯人", "金沙", "永利", "太阳城", "银河", "美高梅", "皇冠")
_SUFFIXES = ("娱乐城", "娱乐", "国际", "体育", "真人")


def casino_brand(site: SiteSpec) -> str:
    rng = site.rng("casino-brand")
    return f"{rng.choice(_BRANDS)}{rng.choice(_SUFFIXES)}{rng.randint(100, 9999)}"


def casino_page(site: SiteSpec, salt: str) -> Reply:
    """A casino landing page (what is planted for crawlers, and where hijacked visitors land)."""
    rng = site.rng("casino", salt)
    brand = casino_brand(site)
    text = content.fraud_text(rng, "gambling", site.context, False)
    paras = "".join(f"<p>{esc(p)}</p>" for p in text.paragraphs)
    links = "".join(
        f'<li><a href="/{rng.choice("abcdefghkmnpqrstuvwxyz")}{rng.randint(10, 99999)}.html">'
        f"{esc(brand)}{rng.choice(('官网', '注册', 'app下载', '开户', '线路检测'))}</a></li>"
        for _ in range(rng.randint(4, 9))
    )
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{esc(brand)}_{esc(text.title)}</title>"
        f'<meta name="keywords" content="{esc(brand)},百家乐,真人娱乐,彩金"></head>'
        f"<body><h1>{esc(brand)}官方网站</h1>{paras}<ul>{links}</ul></body></html>"
    )
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


def _html(reply: Reply) -> bool:
    return reply.status == 200 and reply.headers.get("Content-Type", "").startswith("text/html")


class CloakedPortal(CompanySite):
    name = "cloaked_portal"
    description = (
        "hacked company site: search-engine crawlers are served casino spam, browsers the real site"
    )

    def respond(self, site: SiteSpec, farm: FarmLike, request: FarmRequest) -> Reply:
        reply = super().respond(site, farm, request)
        if _html(reply) and CRAWLER_AGENT.search(request.user_agent):
            return casino_page(site, request.path)
        return reply

    def truth_extra(self, site: SiteSpec) -> dict:
        return {
            "compromise": ["cloaking"],
            "cloaking": {"agents": "search-engine crawlers", "brand": casino_brand(site)},
        }


class SearchHijack(CompanySite):
    name = "search_hijack"
    description = (
        "hacked company site: a script sends mobile visitors from a search engine to a casino host"
    )

    def target(self, site: SiteSpec) -> str:
        rng = site.rng("hijack")
        path = f"/{rng.choice(('vip', 'go', 'h5', 'm', 'c'))}{rng.randint(10, 999)}/"
        return f"http://localhost:{site.port}{path}?from={rng.randint(1000, 9999)}"

    def script_path(self, site: SiteSpec) -> str:
        return f"/static/js/{site.rng('hijack-js').choice(('tj', 'count', 'cnzz', 'hm'))}.js"

    def script(self, site: SiteSpec) -> str:
        return (
            "(function(){var r=document.referrer,u=navigator.userAgent;"
            "if(/baidu|sogou|so\\.com|sm\\.cn|bing|google/i.test(r)&&/Mobile|Android|iPhone/i.test(u))"
            f'{{window.location.replace("{self.target(site)}");}}}})();'
        )

    def inline(self, site: SiteSpec) -> bool:
        return site.variant % 2 == 0

    def respond(self, site: SiteSpec, farm: FarmLike, request: FarmRequest) -> Reply:
        target_path = self.target(site).split(str(site.port), 1)[1].split("?")[0]
        if request.path == target_path:
            return casino_page(site, "landing")
        if request.path == self.script_path(site):
            return Reply(
                200, {"Content-Type": "application/javascript"}, self.script(site).encode()
            )
        reply = super().respond(site, farm, request)
        if not _html(reply):
            return reply
        tag = (
            f"<script>{self.script(site)}</script>"
            if self.inline(site)
            else f'<script src="{self.script_path(site)}"></script>'
        )
        body = reply.body.replace(b"</head>", tag.encode() + b"</head>", 1)
        return Reply(reply.status, reply.headers, body, reply.stream, reply.delay)

    def truth_extra(self, site: SiteSpec) -> dict:
        return {
            "compromise": ["hijack_redirect"],
            "hijack": {"target": self.target(site), "inline_script": self.inline(site)},
        }


class MobileLayout(CompanySite):
    name = "mobile_layout"
    description = "clean company site serving phones another layout of the same content"

    def respond(self, site: SiteSpec, farm: FarmLike, request: FarmRequest) -> Reply:
        reply = super().respond(site, farm, request)
        if not (_html(reply) and MOBILE_AGENT.search(request.user_agent)):
            return reply
        text = reply.body.decode("utf-8")
        # the phone layout: no top bar or friend links; a header bar and a tab bar instead
        text = re.sub(r'<div id="(?:topbar|friendlinks)".*?</div></div>\n', "", text)
        text = re.sub(r'<div id="friendlinks".*?</ul></div>\n', "", text)
        text = re.sub(
            r"(<body[^>]*>)",
            lambda m: f'{m.group(1)}<header class="m-bar">{esc(site.name)} 手机版</header>',
            text,
            count=1,
        )
        text = text.replace("</body>", '<nav class="m-tabs"><a href="/">首页</a></nav></body>', 1)
        return Reply(reply.status, reply.headers, text.encode("utf-8"), reply.stream, reply.delay)

    def truth_extra(self, site: SiteSpec) -> dict:
        return {"compromise": [], "mobile_layout": True}


CLOAKED_KINDS: tuple[type[CompanySite], ...] = (CloakedPortal, SearchHijack, MobileLayout)
