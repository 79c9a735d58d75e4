"""What every site kind shares: routing, robots.txt, static assets, 404s, the page chrome."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from farm import content, html
from farm.html import EncodingPlan, esc, link
from farm.model import FarmLike, PageSpec, Reply, SiteSpec


@dataclass(frozen=True, slots=True)
class FarmRequest:
    """The parts of an HTTP request a kind needs to answer it."""

    path: str
    query: str
    method: str = "GET"
    attempt: int = 1  # how many times this site+page has been requested (flaky pages)
    user_agent: str = ""  # who asks (cloaking kinds answer crawlers and phones differently)
    referer: str = ""

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")


class Kind:
    """A kind of site. Subclasses plan pages and render them; hostile kinds misbehave."""

    name = "base"
    hostile: str | None = None  # short label of the hostile behaviour
    hostile_details = ""  # one sentence for the truth file
    description = ""  # what the kind is and what it tests, for the truth file
    encoding = "utf-8"
    has_fraud = False
    needs_js = False
    counts_attempts = False  # the server tells respond() how often a page was requested
    owner_type: str | None = None  # "company" or "government": who the registry says runs it

    # --- planning ----------------------------------------------------------------------
    def plan(self, site: SiteSpec) -> list[PageSpec]:
        raise NotImplementedError

    def robots(self, site: SiteSpec) -> str | None:
        """robots.txt body, or None for a 404 (most small sites have none)."""
        return None

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return html.UTF8

    def truth_extra(self, site: SiteSpec) -> dict:
        """Kind-specific ground truth (redirect targets, traps, error pages…)."""
        return {}

    def planted_fraud(self, site: SiteSpec, page: PageSpec) -> str | None:
        """The fraud category an intruder planted on `page` (spam titles, hidden link blocks,
        parasitic pages of a hacked site), apart from its own content; None on most kinds."""
        return None

    # --- answering ---------------------------------------------------------------------
    def respond(self, site: SiteSpec, farm: FarmLike, request: FarmRequest) -> Reply:
        if request.path == "/robots.txt":
            body = self.robots(site)
            if body is None:
                return not_found(site)
            return Reply(200, {"Content-Type": "text/plain; charset=utf-8"}, body.encode())
        asset = static_asset(request.path)
        if asset is not None:
            return asset
        page = site.page(request.target)
        if page is None:
            return self.dynamic(site, farm, request) or not_found(site)
        return farm.cached_render(site, page, lambda: self.render(site, farm, page))

    def dynamic(self, site: SiteSpec, farm: FarmLike, request: FarmRequest) -> Reply | None:
        """Answer a request outside the planned pages (traps); None means 404."""
        return None

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        raise NotImplementedError


def not_found(site: SiteSpec) -> Reply:
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
        f'<body><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p><p><a href="/">返回{esc(site.name)}首页</a></p>'
        "</body></html>"
    )
    return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8"))


_STATIC_TEXT = {
    ".css": ("text/css", "body{margin:0}\n.wp{width:1000px;margin:0 auto}\n"),
    ".js": ("application/javascript", "/* site statistics */\nvar _stat=1;\n"),
}


def static_asset(path: str) -> Reply | None:
    if path == "/favicon.ico":
        return Reply(200, {"Content-Type": "image/png"}, html.qr_png("favicon", size=8, scale=2))
    if path.startswith("/static/qr/") and path.endswith(".png"):
        token = path.rsplit("/", 1)[-1][:-4]
        return Reply(200, {"Content-Type": "image/png"}, html.qr_png(token))
    if path.startswith("/download/") and path.endswith(".apk"):
        name = path.rsplit("/", 1)[-1]
        return Reply(
            200, {"Content-Type": "application/vnd.android.package-archive"}, html.fake_apk(name)
        )
    if path.startswith(("/static/", "/data/cache/", "/styles/")):
        for suffix, (ctype, body) in _STATIC_TEXT.items():
            if path.endswith(suffix):
                return Reply(200, {"Content-Type": ctype}, body.encode())
    return None


def asset_token(site: SiteSpec, page: PageSpec) -> str:
    return hashlib.sha1(f"{site.seed}:{page.path}".encode()).hexdigest()[:12]


def fraud_extras(site: SiteSpec, page: PageSpec) -> tuple[str, list[str], list[str]]:
    """APK link and QR image that some fraud pages carry: (html, apk_urls, qr_urls)."""
    rng = site.rng("extras", page.path)
    token = asset_token(site, page)
    parts, apks, qrs = [], [], []
    if rng.random() < 0.5:
        qr = f"/static/qr/{token}.png"
        qrs.append(qr)
        parts.append(
            f'<p class="qr"><img src="{qr}" alt="扫码添加客服" width="116" height="116"><br>长按识别二维码</p>'
        )
    if rng.random() < 0.35:
        app = rng.choice(("sz", "jnlc", "sdj", "ytx", "hyl", "cft"))
        apk = f"/download/{app}_v{rng.randint(1, 5)}.{rng.randint(0, 9)}.apk"
        apks.append(apk)
        parts.append(f'<p class="apk">{link(apk, "点击下载APP（安卓版）")}</p>')
    return "\n".join(parts), apks, qrs


def fraud_text_for(site: SiteSpec, page: PageSpec, short: bool = False) -> content.Text:
    rng = site.rng("fraud", page.path)
    maker = content.fraud_post if short else content.fraud_text
    return maker(rng, page.fraud, site.context, page.obfuscated)


def page_text(site: SiteSpec, page: PageSpec) -> content.Text:
    """The main text of an article-like page (fraud, anti-fraud or a benign topic)."""
    if page.fraud:
        return fraud_text_for(site, page)
    rng = site.rng("text", page.path)
    if page.topic == "anti_fraud":
        return content.anti_fraud_text(rng, site.context)
    return content.benign_text(rng, page.topic, site.context)


def page_title(site: SiteSpec, page: PageSpec, short: bool = False) -> str:
    """The title of :func:`page_text` (or a short fraud post), without generating the body."""

    def make() -> str:
        if page.fraud:
            rng = site.rng("fraud", page.path)
            return content.fraud_text(
                rng, page.fraud, site.context, page.obfuscated, title_only=True
            ).title
        rng = site.rng("text", page.path)
        if page.topic == "anti_fraud":
            return content.anti_fraud_text(rng, site.context, title_only=True).title
        return content.benign_text(rng, page.topic, site.context, title_only=True).title

    return site.memo("title:" + page.path, make)


def page_entities(site: SiteSpec, page: PageSpec) -> dict:
    """Ground-truth extras of a fraud page: planted entities, APK links, QR images."""
    if not page.fraud:
        return {}
    text = fraud_text_for(site, page, short=page.role in ("thread", "topic", "ad"))
    _, apks, qrs = fraud_extras(site, page)
    return {"entities": text.entities, "apk_links": apks, "qr_images": qrs}
