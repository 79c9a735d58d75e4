"""Compromised sites and their clean look-alikes, each with its ground truth (``compromise``):

- ``hacked_gov``: a government site that was hacked — hidden blocks of spam links, spam planted
  in the ``<title>`` and meta fields of some of its normal pages, and dozens of generated
  "parasitic" pages under a random directory that its navigation never links to;
- ``expired_takeover``: the registry lists a company, but the domain was bought after it
  expired and shows a casino under another name, with another ICP number;
- ``icp_renumbered`` (clean): a company that changed its ICP number legitimately; the registry
  still has the old one (same name, same owner, same business);
- ``sports_news`` (clean): a real sports-news site — scores, odds and league tables in the voice
  of news.

Brands, directories, ICP numbers and the share of planted pages are drawn from the site's seed.
"""

from __future__ import annotations

import random
import re

from farm import phrases
from farm.html import esc, link
from farm.kinds.articles import FRAUD, ArticleSite, CompanySite, Section
from farm.model import FarmLike, PageSpec, Reply, SiteSpec

_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)
_KEYWORDS = re.compile(r'<meta name="keywords" content="[^"]*">')
_DESCRIPTION = re.compile(r'<meta name="description" content="[^"]*">')
_LETTERS = "abcdefghijkmnpqrstuvwxyz"


def _data() -> dict:
    return phrases.load("compromised")


def brand(rng: random.Random) -> str:
    syllables = _data()["brand_syllables"]
    name = "".join(rng.sample(syllables, 2))
    if rng.random() < 0.3:
        name = "".join(rng.sample(_LETTERS, 2)) + name
    return name


def _fill(template: str, rng: random.Random, brand_name: str) -> str:
    return template.format(
        brand=brand_name,
        year=rng.choice((2023, 2024, 2025)),
        num=rng.randint(10, 999),
        num2=rng.randint(10, 100),
    )


def spam_title(rng: random.Random, brand_name: str) -> str:
    return _fill(rng.choice(_data()["spam_titles"]), rng, brand_name)


def other_icp(site: SiteSpec, salt: str) -> str:
    """An ICP number other than the registered one, drawn from the site's seed."""
    rng = site.rng("icp", salt)
    province = rng.choice(phrases.site()["icp_provinces"])
    number = f"{rng.randint(2015, 2025)}{rng.randint(0, 99999999):08d}"[: rng.choice((10, 11))]
    return f"{province}ICP备{number}号" + (f"-{rng.randint(1, 5)}" if rng.random() < 0.5 else "")


def _rewrite(reply: Reply, replacements: list[tuple[str, str]]) -> Reply:
    text = reply.body.decode("utf-8")
    for old, new in replacements:
        text = text.replace(old, new)
    reply.body = text.encode("utf-8")
    return reply


class HackedGov(ArticleSite):
    """A government site hacked for search-engine spam (see the module docstring)."""

    name = "hacked_gov"
    owner_type = "government"
    uses_robots = False
    sections = (
        Section("zwgk", "政务公开", (5, 12), (("notice", 1),)),
        Section("gzdt", "工作动态", (4, 10), (("news", 1),)),
        Section("bsfw", "办事服务", (3, 8), (("notice", 1), ("event", 1))),
    )

    def _hack(self, site: SiteSpec) -> dict:
        def make() -> dict:
            rng = site.rng("hack")
            directory = "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 6)))
            if rng.random() < 0.5:
                directory += str(rng.randint(1, 99))
            n = rng.randint(24, 40)
            first = rng.randint(1000, 90000)
            parasitic = [f"/{directory}/{first + 7 * i}.html" for i in range(n)]
            return {
                "dir": f"/{directory}/",
                "parasitic": parasitic,
                "brands": [brand(rng) for _ in range(4)],
                "share": rng.uniform(0.25, 0.45),  # of the articles whose titles are planted
                "home_title": rng.random() < 0.5,
                "style": rng.choice(
                    (
                        'style="display:none"',
                        'style="position:absolute;left:-9999px;top:-9999px"',
                        'style="visibility:hidden;height:0;overflow:hidden"',
                    )
                ),
            }

        return site.memo("hack", make)

    def plan(self, site: SiteSpec) -> list[PageSpec]:
        pages = super().plan(site)
        hack = self._hack(site)
        pages += [PageSpec(path, "parasitic", "gambling") for path in hack["parasitic"]]
        return pages

    def planted(self, site: SiteSpec, page: PageSpec) -> bool:
        if page.role == "home":
            return self._hack(site)["home_title"]
        if page.role != "article":
            return False
        return site.rng("planted", page.path).random() < self._hack(site)["share"]

    def planted_fraud(self, site: SiteSpec, page: PageSpec) -> str | None:
        if page.role == "parasitic" or self.planted(site, page):
            return "gambling"
        if self.carries_hidden_links(site, page):
            return "gambling"
        return None

    def carries_hidden_links(self, site: SiteSpec, page: PageSpec) -> bool:
        return page.role == "home" or site.rng("hidden", page.path).random() < 0.4

    def _spam(self, site: SiteSpec, key: str) -> tuple[random.Random, str]:
        rng = site.rng("spam", key)
        return rng, rng.choice(self._hack(site)["brands"])

    def hidden_block(self, site: SiteSpec, page: PageSpec) -> str:
        hack = self._hack(site)
        rng = site.rng("hiddenlinks", page.path)
        targets = rng.sample(hack["parasitic"], k=min(len(hack["parasitic"]), rng.randint(8, 14)))
        anchors = []
        for target in targets:
            trng, name = self._spam(site, target)
            anchors.append(link(target, spam_title(trng, name)))
        return f"<div {hack['style']}>{' '.join(anchors)}</div>"

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        if page.role == "parasitic":
            return self.render_parasitic(site, page)
        reply = super().render(site, farm, page)
        text = reply.body.decode("utf-8")
        if self.planted(site, page):
            rng, name = self._spam(site, page.path)
            data = _data()
            text = _TITLE.sub(lambda _: f"<title>{esc(spam_title(rng, name))}</title>", text, 1)
            keywords = _fill(rng.choice(data["spam_keywords"]), rng, name)
            description = _fill(rng.choice(data["spam_descriptions"]), rng, name)
            text = _KEYWORDS.sub(
                lambda _: f'<meta name="keywords" content="{esc(keywords)}">', text, 1
            )
            text = _DESCRIPTION.sub(
                lambda _: f'<meta name="description" content="{esc(description)}">', text, 1
            )
        if self.carries_hidden_links(site, page):
            text = text.replace("</body>", self.hidden_block(site, page) + "</body>", 1)
        reply.body = text.encode("utf-8")
        return reply

    def render_parasitic(self, site: SiteSpec, page: PageSpec) -> Reply:
        rng, name = self._spam(site, page.path)
        title = spam_title(rng, name)
        data = _data()
        paragraphs = "".join(
            f"<p>{esc(_fill(p, rng, name))}</p>" for p in rng.sample(data["spam_paragraphs"], k=3)
        )
        hack = self._hack(site)
        others = rng.sample(hack["parasitic"], k=min(6, len(hack["parasitic"])))
        related = "".join(f"<li>{link(o, spam_title(*self._spam(site, o)))}</li>" for o in others)
        markup = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>"
            f'<meta name="keywords" content="{esc(_fill(rng.choice(data["spam_keywords"]), rng, name))}">'
            "</head><body>"
            f"<h1>{esc(title)}</h1>{paragraphs}<ul>{related}</ul></body></html>"
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, markup.encode("utf-8"))

    def truth_extra(self, site: SiteSpec) -> dict:
        hack = self._hack(site)
        pages = site.pages
        return {
            "compromise": ["spam_injected"],
            "parasitic_dir": hack["dir"],
            "parasitic_pages": len(hack["parasitic"]),
            "planted_title_pages": [p.path for p in pages if self.planted(site, p)],
            "hidden_link_pages": [
                p.path
                for p in pages
                if p.role not in ("parasitic",) and self.carries_hidden_links(site, p)
            ],
        }


class ExpiredTakeover(ArticleSite):
    """A company's domain, expired and bought: now a casino under another name and ICP number."""

    name = "expired_takeover"
    owner_type = "company"
    has_fraud = True
    uses_robots = False
    fraud_categories = ("gambling",)
    obfuscate_share = 0.0

    @property
    def sections(self) -> tuple[Section, ...]:  # type: ignore[override]
        return tuple(
            Section(slug, label, (3, 7), ((FRAUD, 1),))
            for slug, label in _data()["casino_sections"]
        )

    def shown(self, site: SiteSpec) -> dict:
        rng = site.rng("takeover")
        name = brand(rng) + rng.choice(("娱乐城", "体育", "国际娱乐", "娱乐"))
        return {"name": name, "icp": other_icp(site, "takeover")}

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        shown = self.shown(site)
        reply = super().render(site, farm, page)
        return _rewrite(
            reply,
            [(site.icp, shown["icp"]), (site.owner, shown["name"]), (site.name, shown["name"])],
        )

    def truth_extra(self, site: SiteSpec) -> dict:
        shown = self.shown(site)
        return {
            "compromise": ["takeover_suspected"],
            "shown_name": shown["name"],
            "shown_icp": shown["icp"],
        }


class IcpRenumbered(CompanySite):
    """Clean: a company that changed its ICP number; the registry still lists the old one."""

    name = "icp_renumbered"
    owner_type = "company"

    def render(self, site: SiteSpec, farm: FarmLike, page: PageSpec) -> Reply:
        return _rewrite(super().render(site, farm, page), [(site.icp, other_icp(site, "new"))])

    def truth_extra(self, site: SiteSpec) -> dict:
        return {"compromise": [], "shown_icp": other_icp(site, "new")}


class SportsNews(ArticleSite):
    """Clean: a sports-news site; scores, odds and league tables in the voice of news."""

    name = "sports_news"
    uses_robots = False
    sections = (
        Section("zuqiu", "足球", (5, 12), (("sports_pro", 1),)),
        Section("lanqiu", "篮球", (3, 8), (("sports_pro", 1),)),
        Section("qianzhan", "赛事前瞻", (3, 8), (("sports_pro", 1),)),
        Section("quanmin", "全民健身", (2, 5), (("sports", 1),)),
    )

    def truth_extra(self, site: SiteSpec) -> dict:
        return {"compromise": []}


COMPROMISED_KINDS = (HackedGov, ExpiredTakeover, IcpRenumbered, SportsNews)
