"""Article sites: news portals, GBK local news, government pages, company sites and the
encoding oddities (BOM, header-says-UTF-8-but-bytes-are-GBK, Big5 traditional Chinese).

Layout as Chinese CMSs generate it: home page with section blocks, section lists paged as
``/slug/index_N.html``, articles at ``/slug/YYYYMM/tYYYYMMDD_ID.html``, heavy nav/sidebar/
footer boilerplate, the ICP number in the footer and friend links to other farm sites.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from farm import html, phrases
from farm.html import EncodingPlan, esc, link
from farm.kinds.base import Kind, asset_token, fraud_extras, page_text, page_title
from farm.model import FarmLike, PageSpec, Reply, SiteSpec

PER_PAGE = 15
FRAUD = "FRAUD"


@dataclass(frozen=True)
class Section:
    slug: str
    label: str
    count: tuple[int, int]  # min, max articles
    pool: tuple[tuple[str, int], ...]  # (topic or FRAUD, weight)


def _pick(rng, pool):
    total = sum(w for _, w in pool)
    roll = rng.uniform(0, total)
    for topic, weight in pool:
        roll -= weight
        if roll <= 0:
            return topic
    return pool[-1][0]


def _stable(path: str, n: int) -> int:
    return int(hashlib.md5(path.encode()).hexdigest()[:8], 16) % n


class ArticleSite(Kind):
    name = "news_portal"
    description = (
        "UTF-8 news portal; its 反诈专栏 quotes scam wording inside warnings and must not be "
        "flagged; some sites disallow /admin/ and /member/ in robots.txt"
    )
    sections: tuple[Section, ...] = (
        Section("local", "本地新闻", (6, 20), (("news", 1),)),
        Section("minsheng", "民生", (4, 12), (("notice", 1),)),
        Section("sports", "体育", (3, 10), (("sports", 1),)),
        Section("food", "美食", (3, 8), (("recipe", 1),)),
        Section("fanzha", "反诈专栏", (3, 8), (("anti_fraud", 1),)),
        Section("events", "活动", (2, 6), (("event", 1),)),
    )
    fraud_categories: tuple[str, ...] = ()
    obfuscate_share = 0.4
    uses_robots = True

    # --- planning ----------------------------------------------------------------------
    def disallowed(self, site: SiteSpec) -> tuple[str, ...]:
        if self.uses_robots and site.variant % 3 == 0:
            return ("/admin/", "/member/")
        return ()

    def robots(self, site: SiteSpec) -> str | None:
        blocked = self.disallowed(site)
        if not blocked:
            return None
        lines = [
            "User-agent: *",
            *(f"Disallow: {p}" for p in blocked),
            "",
            "User-agent: Baiduspider",
            "Allow: /",
        ]
        return "\n".join(lines) + "\n"

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        rng = site.rng("plan")
        blocked = self.disallowed(site)
        pages: list[PageSpec] = []
        articles: list[PageSpec] = []
        next_id = rng.randint(1000, 90000)
        forced_fraud = False
        for section in self.sections:
            n = rng.randint(*section.count)
            section_pages = []
            for _ in range(n):
                next_id += rng.randint(1, 40)
                month, day = rng.randint(1, 12), rng.randint(1, 28)
                path = f"/{section.slug}/2024{month:02d}/t2024{month:02d}{day:02d}_{next_id}.html"
                topic = _pick(rng, section.pool)
                if topic == FRAUD or (not forced_fraud and FRAUD in dict(section.pool)):
                    forced_fraud = True  # every site of a fraud-carrying kind has some fraud
                    category = rng.choice(self.fraud_categories)
                    page = PageSpec(
                        path,
                        "article",
                        category,
                        fraud=category,
                        obfuscated=rng.random() < self.obfuscate_share,
                        params=(section.slug,),
                    )
                else:
                    page = PageSpec(
                        path,
                        "article",
                        topic,
                        quotes_scam=topic == "anti_fraud",
                        shares_scam_words=topic in ("bank_loan", "game_shop"),
                        params=(section.slug,),
                    )
                section_pages.append(page)
            articles += section_pages
            n_lists = max(1, -(-len(section_pages) // PER_PAGE))
            for p in range(1, n_lists + 1):
                chunk = section_pages[(p - 1) * PER_PAGE : p * PER_PAGE]
                path = f"/{section.slug}/" if p == 1 else f"/{section.slug}/index_{p}.html"
                pages.append(
                    PageSpec(
                        path,
                        "section",
                        "list",
                        lists_fraud_titles=any(a.fraud for a in chunk),
                        aliases=(f"/{section.slug}/index.html",) if p == 1 else (),
                        params=(section.slug, p, n_lists),
                    )
                )
        home_lists = any(a.fraud for a in self._home_articles(articles))
        pages.insert(
            0,
            PageSpec(
                "/",
                "home",
                "home",
                lists_fraud_titles=home_lists,
                aliases=("/index.html", "/index.php"),
            ),
        )
        pages += articles
        pages += self.extra_pages(site, blocked)
        return pages

    def extra_pages(self, site: SiteSpec, blocked: tuple[str, ...]) -> list[PageSpec]:
        pages = [PageSpec("/about.html", "about", "company")]
        pages.append(
            PageSpec(
                "/member/login.html", "member", "member", robots_disallowed="/member/" in blocked
            )
        )
        if "/admin/" in blocked:
            pages.append(PageSpec("/admin/index.html", "admin", "admin", robots_disallowed=True))
        return pages

    def _home_articles(self, articles: list[PageSpec]) -> list[PageSpec]:
        by_section: dict[str, list[PageSpec]] = {}
        for page in articles:
            by_section.setdefault(page.params[0], []).append(page)
        return [p for pages in by_section.values() for p in pages[:6]]

    # --- rendering ---------------------------------------------------------------------
    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return html.UTF8

    def finish(self, markup: str) -> str:
        """Last touch on the markup before encoding (Big5 sites convert to traditional)."""
        return markup

    def articles_of(self, site: SiteSpec, slug: str | None = None) -> list[PageSpec]:
        return [
            p for p in site.pages if p.role == "article" and (slug is None or p.params[0] == slug)
        ]

    def title_of(self, site: SiteSpec, page: PageSpec) -> str:
        if page.role == "article":
            return page_title(site, page)
        if page.role == "section":
            return self.section_label(page.params[0])
        return {"home": "首页", "about": "关于我们", "member": "会员登录", "admin": "后台管理"}.get(
            page.role, page.topic
        )

    def section_label(self, slug: str) -> str:
        return next((s.label for s in self.sections if s.slug == slug), slug)

    def nav(self, site: SiteSpec) -> str:
        items = [f"<li>{link('/', '首页')}</li>"]
        items += [f"<li>{link(f'/{s.slug}/', s.label)}</li>" for s in self.sections]
        items.append(f"<li>{link('/about.html', '关于我们')}</li>")
        return "".join(items)

    def article_list(self, site: SiteSpec, pages: list[PageSpec], with_date: bool = True) -> str:
        rows = []
        for page in pages:
            date = page.path.split("/t", 1)[-1][:8] if with_date else ""
            stamp = (
                f'<span class="date">{date[:4]}-{date[4:6]}-{date[6:]}</span>'
                if date.isdigit()
                else ""
            )
            rows.append(f"<li>{link(page.path, self.title_of(site, page))}{stamp}</li>")
        return '<ul class="list">' + "".join(rows) + "</ul>"

    def side(self, site: SiteSpec, page: PageSpec) -> str:
        rng = site.rng("side", page.path)
        articles = self.articles_of(site)
        picks = rng.sample(articles, k=min(8, len(articles)))
        title = rng.choice(phrases.site()["sidebar_titles"])
        pictures = "".join(
            f'<li><a href="{esc(p.path)}"><img src="/static/img/{asset_token(site, p)}.jpg" alt="" width="140" height="90"></a>'
            f"{link(p.path, self.title_of(site, p))}</li>"
            for p in picks[:4]
        )
        return (
            f'<div class="box"><h3>{esc(title)}</h3>{self.article_list(site, picks, with_date=False)}</div>'
            f'<div class="box pics"><h3>图片新闻</h3><ul>{pictures}</ul></div>'
            '<div class="box ad"><img src="/static/img/ad300x250.jpg" alt="广告" width="300" height="250"></div>'
        )

    def main_html(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> str:
        if page.role == "home":
            return self.home_main(site, farm)
        if page.role == "section":
            slug, number, total = page.params
            pages = self.articles_of(site, slug)[(number - 1) * PER_PAGE : number * PER_PAGE]
            pager = []
            for p in range(1, total + 1):
                href = f"/{slug}/" if p == 1 else f"/{slug}/index_{p}.html"
                pager.append(f"<strong>{p}</strong>" if p == number else link(href, str(p)))
            return (
                f'<div class="column"><h2>{esc(self.section_label(slug))}</h2>'
                f'{self.article_list(site, pages)}<div class="pages">{" ".join(pager)}</div></div>'
            )
        if page.role == "article":
            return self.article_main(site, page)
        if page.role == "member":
            return (
                '<div class="login"><h2>会员登录</h2><form method="post" action="/member/login.html">'
                '<input name="user"><input name="pass" type="password"><button>登录</button></form></div>'
            )
        if page.role == "admin":
            return '<div class="login"><h2>后台管理系统</h2><p>请使用管理员账号登录。</p></div>'
        rng = site.rng("about", page.path)
        text = html.paragraphs(
            [
                f"{site.name}由{site.owner}主办，面向{site.city}及周边地区提供信息服务。",
                f"地址：{site.city}{site.district}{rng.choice(phrases.site()['streets'])}{rng.randint(1, 300)}号。",
                "本站坚持正确导向，欢迎广大网友提供新闻线索。",
            ]
        )
        return f'<div class="article"><h1>{esc(self.title_of(site, page))}</h1><div class="content">{text}</div></div>'

    def sitemap(self, site: SiteSpec) -> str:
        """Footer site map: every section and a few dozen articles, as big portals have."""
        rng = site.rng("sitemap")
        articles = self.articles_of(site)
        picks = rng.sample(articles, k=min(30, len(articles)))
        sections = "".join(
            f"<dt>{link(f'/{s.slug}/', s.label)}</dt>" for s in getattr(self, "sections", ())
        )
        items = "".join(f"<dd>{link(p.path, self.title_of(site, p))}</dd>" for p in picks)
        return f'<dl class="sitemap"><dt>网站导航</dt>{sections}{items}</dl>'

    def home_main(self, site: SiteSpec, farm: FarmLike) -> str:
        blocks = []
        for section in self.sections:
            pages = self.articles_of(site, section.slug)[:6]
            blocks.append(
                f'<div class="block"><h2>{link(f"/{section.slug}/", section.label)}</h2>'
                f"{self.article_list(site, pages)}</div>"
            )
        return "\n".join(blocks) + self.home_extra(site, farm)

    def home_extra(self, site: SiteSpec, farm: FarmLike) -> str:
        return ""

    def article_main(self, site: SiteSpec, page: PageSpec) -> str:
        text = page_text(site, page)
        rng = site.rng("meta", page.path)
        extras = fraud_extras(site, page)[0] if page.fraud else ""
        siblings = self.articles_of(site, page.params[0])
        at = siblings.index(page)
        prev_link = (
            link(siblings[at - 1].path, self.title_of(site, siblings[at - 1]))
            if at > 0
            else "没有了"
        )
        next_link = (
            link(siblings[at + 1].path, self.title_of(site, siblings[at + 1]))
            if at + 1 < len(siblings)
            else "没有了"
        )
        date = page.path.split("/t", 1)[-1][:8]
        return (
            f'<div class="article"><h1>{esc(text.title)}</h1>'
            f'<div class="info">时间：{date[:4]}-{date[4:6]}-{date[6:]} &nbsp; 来源：{esc(site.name)} &nbsp; '
            f'浏览：{rng.randint(50, 9000)}次 &nbsp; 【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>'
            f'<div class="content" id="content">{html.paragraphs(text.paragraphs)}{extras}</div>'
            f'<div class="prevnext"><p>上一篇：{prev_link}</p><p>下一篇：{next_link}</p></div>'
            f'<div class="share">分享到：<a href="javascript:;">微博</a> <a href="javascript:;">QQ空间</a></div>'
            "</div>"
        )

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        plan = self.encoding_plan(site, page)
        title = self.title_of(site, page)
        description = title
        if page.role == "article":
            description = page_text(site, page).paragraphs[0][:80]
        crumbs = (
            esc(title)
            if page.role != "article"
            else (link(f"/{page.params[0]}/", self.section_label(page.params[0])) + " &gt; 正文")
        )
        admin = (
            f" | {link('/admin/index.html', '网站管理')}"
            if any(p.role == "admin" for p in site.pages)
            else ""
        )
        markup = html.template("page.html").substitute(
            meta=html.meta_tag(plan),
            title=esc(title),
            site_name=esc(site.name),
            keywords=esc(
                f"{site.city},{site.district},{self.section_label(page.params[0]) if page.params else '资讯'}"
            ),
            description=esc(description),
            variant=site.variant,
            body_class=page.role,
            today=html.today(site),
            nav=self.nav(site),
            crumbs=crumbs,
            main=self.main_html(site, farm, page),
            side=self.side(site, page),
            friends=html.friend_links(site, farm.sites),
            footer=html.footer_html(site) + f"<p>{link('/about.html', '关于本站')}{admin}</p>",
            bulk=html.inline_bulk(site),
            sitemap=site.memo("sitemap", lambda: self.sitemap(site)),
            owner=esc(site.owner),
            address=esc(f"{site.city}{site.district}"),
            icp=esc(site.icp),
            police=esc(f"{site.city}公网安备 {site.rng('police').randint(10**13, 10**14 - 1)}号"),
        )
        return html.encode_page(self.finish(markup), plan)


class LocalNewsGBK(ArticleSite):
    """District news in GBK, declared as GBK, GB2312 (decode as GB18030) or only in <meta>."""

    name = "local_news_gbk"
    encoding = "gbk"
    has_fraud = True
    sections = (
        Section("xw", "本地新闻", (5, 16), (("news", 1),)),
        Section("tz", "通知公告", (3, 8), (("notice", 1),)),
        Section("bm", "便民信息", (4, 10), (("classified", 3), (FRAUD, 2))),
        Section("pa", "平安建设", (2, 6), (("anti_fraud", 1),)),
    )
    fraud_categories = ("task_scam", "fake_loan", "card_trading", "fake_shopping", "gambling")

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return (
            EncodingPlan("gbk", "gbk", "gbk"),
            EncodingPlan("gbk", "GB2312", "gb2312"),
            EncodingPlan("gbk", None, "gbk"),
        )[_stable(page.path, 3)]


class GovernmentBOM(ArticleSite):
    """UTF-8 pages with a byte-order mark; the header says nothing, UTF-8, or (wrongly) GBK."""

    name = "bom_site"
    has_fraud = True
    sections = (
        Section("zwgk", "政务公开", (4, 12), (("notice", 1),)),
        Section("bsfw", "办事服务", (3, 8), (("notice", 1), ("event", 1))),
        Section("fzxc", "反诈宣传", (3, 8), (("anti_fraud", 1),)),
        Section("lyb", "网民留言", (3, 8), (("chatter", 3), (FRAUD, 1))),
    )
    fraud_categories = ("impersonate_authority", "fake_credit_repair", "task_scam")

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return (
            EncodingPlan("utf-8", None, None, bom=True),
            EncodingPlan("utf-8", "utf-8", "utf-8", bom=True),
            EncodingPlan("utf-8", "gbk", None, bom=True),  # BOM outranks the header
        )[_stable(page.path, 3)]


class MislabeledCharset(ArticleSite):
    """Header says UTF-8 but the bytes are GBK (old CMS behind a misconfigured proxy)."""

    name = "mislabeled_charset"
    encoding = "gbk"
    has_fraud = True
    sections = (
        Section("news", "资讯", (5, 12), (("news", 2), ("notice", 1))),
        Section("life", "生活", (3, 8), (("recipe", 1), ("event", 1))),
        Section("ads", "广告信息", (3, 8), (("classified", 2), (FRAUD, 2))),
    )
    fraud_categories = ("fake_investment", "money_laundering", "task_scam", "gambling")

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return (
            EncodingPlan("gbk", "utf-8", "gbk"),
            EncodingPlan("gbk", "utf-8", None),  # only detection can save this one
        )[_stable(page.path, 2)]


class Big5Site(ArticleSite):
    """Traditional Chinese community site in Big5."""

    name = "big5_site"
    encoding = "big5"
    has_fraud = True
    sections = (
        Section("news", "鄉訊", (4, 12), (("news", 1),)),
        Section("huodong", "活動", (2, 6), (("event", 1),)),
        Section("ads", "分類廣告", (3, 8), (("classified", 2), (FRAUD, 2))),
    )
    fraud_categories = ("romance_scam", "fake_investment", "impersonate_acquaintance", "gambling")
    uses_robots = False

    def encoding_plan(self, site: SiteSpec, page: PageSpec) -> EncodingPlan:
        return (EncodingPlan("big5", "big5", "big5"), EncodingPlan("big5", None, "big5"))[
            _stable(page.path, 2)
        ]

    def finish(self, markup: str) -> str:
        return html.to_traditional(markup)


class CompanySite(ArticleSite):
    """A legitimate business whose pages share words with scams (loans, game top-ups)."""

    name = "company"
    uses_robots = False

    def product_topic(self, site: SiteSpec) -> str:
        return ("product", "bank_loan", "game_shop", "product")[site.variant % 4]

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        # Sections depend on the site (bank, game shop, factory): plan with a per-site copy.
        return _CompanyVariant(self.sections_for(site)).plan(site)

    def sections_for(self, site: SiteSpec) -> tuple[Section, ...]:
        topic = self.product_topic(site)
        label = {"bank_loan": "贷款产品", "game_shop": "游戏商城"}.get(topic, "产品中心")
        return (
            Section("products", label, (2, 8), ((topic, 1),)),
            Section("news", "企业新闻", (2, 6), (("company", 1),)),
        )

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        return _CompanyVariant(self.sections_for(site)).render(site, farm, page)


class _CompanyVariant(ArticleSite):
    name = "company"
    uses_robots = False

    def __init__(self, sections: tuple[Section, ...]) -> None:
        self.sections = sections
