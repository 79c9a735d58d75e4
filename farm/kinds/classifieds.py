"""Classified-ads site (分类信息): job, loan, second-hand and service ads; some are scams.

Ads are linked from paged category lists with a tracking parameter (``?from=list``) that a
crawler must strip; benign ads carry ordinary phone numbers, so a phone alone is no signal.
"""

from __future__ import annotations

from farm import content, html
from farm.html import esc, link
from farm.kinds.articles import ArticleSite
from farm.kinds.base import fraud_extras, fraud_text_for, page_title
from farm.model import FarmLike, PageSpec, SiteSpec

PER_PAGE = 10
# slug, label, benign topic, fraud categories, fraud share
CATEGORIES = (
    ("jianzhi", "兼职招聘", "classified", ("task_scam",), 0.35),
    ("daikuan", "贷款服务", "bank_loan", ("fake_loan", "fake_credit_repair"), 0.5),
    ("ershou", "二手物品", "classified", ("game_trade_scam", "card_trading"), 0.25),
    ("fangwu", "房屋出租", "classified", (), 0.0),
    ("fuwu", "生活服务", "classified", ("fake_shopping", "money_laundering"), 0.2),
)
CONTACT_NAMES = ("王先生", "李女士", "张师傅", "刘经理", "陈小姐", "赵先生")


class Classifieds(ArticleSite):
    name = "classifieds"
    description = (
        "classified ads (兼职, 贷款, 收卡, 二手…), some scams; ?from=list tracking on links; "
        "benign ads carry ordinary phone numbers"
    )
    has_fraud = True
    uses_robots = False

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        rng = site.rng("plan")
        pages: list[PageSpec] = [
            PageSpec("/", "home", "home", lists_fraud_titles=True, aliases=("/index.html",))
        ]
        ads: list[PageSpec] = []
        ad_id = rng.randint(100000, 900000)
        for slug, _, benign_topic, categories, share in CATEGORIES:
            mine = []
            for _ in range(rng.randint(6, 24)):
                ad_id += rng.randint(1, 50)
                path = f"/info/{ad_id}.html"
                if categories and rng.random() < share:
                    category = rng.choice(categories)
                    mine.append(
                        PageSpec(
                            path,
                            "ad",
                            category,
                            fraud=category,
                            obfuscated=rng.random() < 0.5,
                            params=(slug,),
                        )
                    )
                else:
                    mine.append(
                        PageSpec(
                            path,
                            "ad",
                            benign_topic,
                            shares_scam_words=benign_topic == "bank_loan",
                            params=(slug,),
                        )
                    )
            ads += mine
            total = -(-len(mine) // PER_PAGE)
            for p in range(1, total + 1):
                shown = mine[(p - 1) * PER_PAGE : p * PER_PAGE]
                path = f"/list/{slug}/" + (f"?page={p}" if p > 1 else "")
                pages.append(
                    PageSpec(
                        path,
                        "list",
                        "list",
                        lists_fraud_titles=any(a.fraud for a in shown),
                        aliases=(f"/list/{slug}/?page=1",) if p == 1 else (),
                        params=(slug, p, total),
                    )
                )
        if not any(a.fraud for a in ads):  # guarantee the kind's promise: some ads are scams
            first = ads[0]
            ads[0] = PageSpec(first.path, "ad", "task_scam", fraud="task_scam", params=first.params)
        return pages + ads + [PageSpec("/about.html", "about", "company")]

    def nav(self, site: SiteSpec) -> str:
        items = [f"<li>{link('/', '首页')}</li>"]
        items += [f"<li>{link(f'/list/{slug}/', label)}</li>" for slug, label, *_ in CATEGORIES]
        return "".join(items)

    def section_label(self, slug: str) -> str:
        return next((label for s, label, *_ in CATEGORIES if s == slug), slug)

    def ads_of(self, site: SiteSpec, slug: str | None = None) -> list[PageSpec]:
        return [p for p in site.pages if p.role == "ad" and (slug is None or p.params[0] == slug)]

    def articles_of(self, site: SiteSpec, slug: str | None = None) -> list[PageSpec]:
        return self.ads_of(site, slug)

    def ad_text(self, site: SiteSpec, page: PageSpec) -> content.Text:
        if page.fraud:
            return fraud_text_for(site, page, short=True)
        return content.benign_text(site.rng("text", page.path), page.topic, site.context)

    def title_of(self, site: SiteSpec, page: PageSpec) -> str:
        if page.role == "ad":
            return page_title(site, page)
        if page.role == "list":
            return self.section_label(page.params[0])
        return {"home": "首页", "about": "关于我们"}.get(page.role, page.topic)

    def ad_list(self, site: SiteSpec, ads: list[PageSpec]) -> str:
        rows = []
        for ad in ads:
            text = self.ad_text(site, ad)
            rows.append(
                f"<li><h4>{link(ad.path + '?from=list', text.title)}</h4>"
                f'<p class="summary">{esc(text.paragraphs[0][:36])}…</p>'
                f'<span class="area">{esc(site.district)}</span></li>'
            )
        return '<ul class="list infolist">' + "".join(rows) + "</ul>"

    def side(self, site: SiteSpec, page: PageSpec) -> str:
        return (
            '<div class="box"><h3>发布须知</h3><p>本站信息由网友发布，请自行核实。涉及先交费、'
            '先垫付的信息请提高警惕。</p><p><a href="/about.html">联系客服</a></p></div>'
        )

    def main_html(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> str:
        if page.role == "home":
            blocks = []
            for slug, label, *_ in CATEGORIES:
                blocks.append(
                    f'<div class="block"><h2>{link(f"/list/{slug}/", label)}</h2>'
                    f"{self.ad_list(site, self.ads_of(site, slug)[:5])}</div>"
                )
            return "\n".join(blocks)
        if page.role == "list":
            slug, number, total = page.params
            ads = self.ads_of(site, slug)[(number - 1) * PER_PAGE : number * PER_PAGE]
            pager = " ".join(
                f"<strong>{p}</strong>"
                if p == number
                else link(f"/list/{slug}/" + (f"?page={p}" if p > 1 else ""), str(p))
                for p in range(1, total + 1)
            )
            nxt = link(f"/list/{slug}/?page={number + 1}", "下一页") if number < total else ""
            return f'<h2>{esc(self.section_label(slug))}</h2>{self.ad_list(site, ads)}<div class="pages">{pager} {nxt}</div>'
        if page.role == "ad":
            text = self.ad_text(site, page)
            rng = site.rng("ad", page.path)
            if page.fraud:
                contact = ""
                extras = fraud_extras(site, page)[0]
            else:
                contact = (
                    f'<p class="contact">联系人：{esc(rng.choice(CONTACT_NAMES))} &nbsp; '
                    f"电话：{content.phone_number(rng)}</p>"
                )
                extras = ""
            return (
                f'<div class="article info"><h1>{esc(text.title)}</h1>'
                f'<div class="info">发布时间：{html.date_for(rng)} &nbsp; 区域：{esc(site.district)} &nbsp; '
                f"浏览：{rng.randint(10, 3000)}次</div>"
                f'<div class="content" id="content">{html.paragraphs(text.paragraphs)}{contact}{extras}</div></div>'
            )
        return super().main_html(site, farm, page)
