"""A site's page facts and its registry row → its verdicts (:class:`sitecheck.verdict.Verdict`).

``takeover_suspected``: the domain changed hands. The site's own pages (home page and the
pages its navigation leads to) are mostly about gambling or loans — content no registered
company or government site carries — while the ICP number shown is not the registered one,
or the registered name appears nowhere; or the site shows the ICP number of
another registered site and not its own name, with gambling or loan content or planted spam. A site that only changed its ICP number (same
name, same content) is no takeover: the registry is out of date.

``spam_injected``: intruders planted spam on an otherwise normal site: spam in the ``<title>``
or meta fields of pages whose content carries no fraud (a fraud post titled as what it sells
is the page rules' business, not a hacked site), hidden blocks of spam links, and parasitic
pages — spam-titled pages under a directory that no normal page of the site links to
visibly. Hidden spam alone needs two pages or three spam anchors in all. Planted titles alone need the home page or two pages: one spam-titled page of a
forum or classifieds site is more likely a user's post than an intruder's. A site taken over
is not "injected": the whole site is the casino.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sitecheck.verdict import SPAM_INJECTED, TAKEOVER_SUSPECTED, Verdict

#: What judging a site's pages looks for (every site with pages is judged on both).
JUDGED_KINDS = frozenset({TAKEOVER_SUSPECTED, SPAM_INJECTED})
# Share of the site's own pages with off-type content from which the site is "about" it.
OFF_TYPE_SHARE = 0.5
MAX_URLS = 10
MAX_EXAMPLES = 5
MIN_PLANTED_TITLES = 2  # planted titles that make a verdict alone (the home page's: one)
# hidden spam makes a verdict alone on this many pages, or with this many spam anchors in all:
# one odd hidden link (a stale menu, a widget) is no intrusion
MIN_HIDDEN_PAGES = 2
MIN_HIDDEN_LINKS = 3
_ICP_NUMBER = re.compile(r"ICP\s*[备证]\s*(?:字\s*)?(?:第\s*)?(\d+)", re.IGNORECASE)


def icp_number(icp: str | None) -> str | None:
    """The filing's number (``京ICP备12345678号-2`` → ``12345678``): the suffix numbers one
    of the entity's several sites, the number is the entity."""
    found = _ICP_NUMBER.search(icp or "")
    return found.group(1) if found else None


def judge_site(
    site: Mapping[str, Any],
    facts: Iterable[Mapping[str, Any]],
    other_icps: Mapping[str, str] | None = None,
) -> list[Verdict]:
    """The verdicts on one site. ``other_icps``: ICP number → name of the other registered
    sites (to tell "another entity's number")."""
    pages = list(facts)
    if not pages:
        return []
    takeover = _takeover(site, pages, other_icps or {})
    if takeover is not None:
        return [takeover]
    spam = _spam_injected(pages)
    return [spam] if spam is not None else []


def _names(categories: list[str]) -> list[str]:
    from rules.loader import taxonomy

    names = taxonomy()
    return [names.get(c, c) for c in categories]


def _is_spam(page: Mapping[str, Any]) -> bool:
    return bool(page.get("title_spam"))


def _own_pages(pages: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The home page and the pages under directories a normal page links to visibly."""
    linked = _linked_dirs(pages)
    return [p for p in pages if p.get("home") or p.get("dir") in linked]


def _linked_dirs(pages: list[Mapping[str, Any]]) -> set[str]:
    dirs: set[str] = {"/"}
    for page in pages:
        if not _is_spam(page) or page.get("home"):
            dirs.update(page.get("links_dirs") or ())
    return dirs


def _takeover(
    site: Mapping[str, Any], pages: list[Mapping[str, Any]], other_icps: Mapping[str, str]
) -> Verdict | None:
    home = [p for p in pages if p.get("home")] or pages[:1]
    shown = [p.get("icp") for p in home if p.get("icp")] or [
        p["icp"] for p in pages if p.get("icp")
    ]
    shown_icp = shown[0] if shown else None
    registered = site.get("icp")
    registered_number, shown_number = icp_number(registered), icp_number(shown_icp)
    if shown_number is None:
        icp_state = "missing"
    elif registered_number is None or shown_number == registered_number:
        icp_state = "match" if registered_number else "unregistered"
    elif shown_number in other_icps:
        icp_state = "other_entity"
    else:
        icp_state = "different"
    name_shown = any(p.get("name_shown") or p.get("owner_shown") for p in pages)
    own = _own_pages(pages)
    off = [p for p in own if p.get("off_type")]
    off_share = len(off) / len(own) if own else 0.0
    home_off = any(p.get("off_type") or _is_spam(p) for p in home)
    off_type = home_off and off_share >= OFF_TYPE_SHARE
    # another site's number without the site's name is a takeover only with content to show
    # for it: an ordinary site that copied a sister site's footer is no casino
    carries = bool(off) or any(_is_spam(p) or p.get("meta_spam") for p in pages)
    suspected = (
        # a missing ICP number is common on small sites: with the site's name shown, it is none
        off_type and (icp_state in ("different", "other_entity") or not name_shown)
    ) or (icp_state == "other_entity" and not name_shown and carries)
    if not suspected:
        return None
    categories = sorted({c for p in off for c in p.get("off_type") or ()})
    parts = []
    if icp_state != "match":
        parts.append(
            {
                "missing": "页面未显示ICP备案号",
                "different": f"页面显示ICP备案号 {shown_icp}，登记为 {registered or '无'}",
                "other_entity": f"页面显示的ICP备案号 {shown_icp} 属于登记的另一网站“{other_icps.get(shown_number or '', '')}”",
                "unregistered": f"页面显示ICP备案号 {shown_icp}，登记表中无备案号",
            }[icp_state]
        )
    if not name_shown:
        parts.append(f"各页面均未出现登记名称“{site.get('name')}”")
    if off_type:
        parts.append(
            f"本站 {len(own)} 个页面中 {len(off)} 个为{'、'.join(_names(categories))}内容"
            f"（登记为{site.get('owner') or site.get('name')}的{site.get('type') or '网站'}）"
        )
    urls = [p["url"] for p in home] + [p["url"] for p in off if not p.get("home")]
    return Verdict(
        TAKEOVER_SUSPECTED,
        tuple(dict.fromkeys(urls))[:MAX_URLS],
        "疑似域名易主：" + "；".join(parts) + "。",
        {
            "registered": {
                "name": site.get("name"),
                "icp": registered,
                "type": site.get("type"),
                "owner": site.get("owner"),
            },
            "shown": {
                "icp": shown_icp,
                "titles": [p.get("title") for p in home][:MAX_EXAMPLES],
                "name_shown": name_shown,
            },
            "icp_state": icp_state,
            "off_type_pages": len(off),
            "pages": len(own),
            "categories": categories,
        },
    )


def _spam_injected(pages: list[Mapping[str, Any]]) -> Verdict | None:
    linked = _linked_dirs(pages)
    parasitic = [
        p for p in pages if _is_spam(p) and not p.get("home") and p.get("dir") not in linked
    ]
    parasitic_urls = {p["url"] for p in parasitic}
    planted_titles = [
        p
        for p in pages
        if (p.get("title_spam") or p.get("meta_spam"))
        and not p.get("off_type")
        and not p.get("content_categories")
        and p["url"] not in parasitic_urls
    ]
    hidden = [p for p in pages if p.get("hidden_spam") or p.get("hidden_links")]
    hidden_suffices = (
        len(hidden) >= MIN_HIDDEN_PAGES
        or sum(int(p.get("hidden_links") or 0) for p in hidden) >= MIN_HIDDEN_LINKS
    )
    titles_suffice = len(planted_titles) >= MIN_PLANTED_TITLES or any(
        p.get("home") for p in planted_titles
    )
    if not (parasitic or hidden_suffices or titles_suffice):
        return None
    parts = []
    if planted_titles:
        parts.append(f"{len(planted_titles)} 个页面的标题或关键词、描述被植入推广内容")
    if hidden:
        parts.append(f"{len(hidden)} 个页面含隐藏的推广链接")
    if parasitic:
        dirs = sorted({p.get("dir") for p in parasitic})
        parts.append(f"{'、'.join(dirs[:3])} 下有 {len(parasitic)} 个寄生页面（导航未链接）")
    urls = [p["url"] for p in planted_titles[:3] + hidden[:3] + parasitic[:4]]
    return Verdict(
        SPAM_INJECTED,
        tuple(dict.fromkeys(urls))[:MAX_URLS],
        "网站被植入推广内容：" + "；".join(parts) + "。",
        {
            "planted_titles": len(planted_titles),
            "hidden_link_pages": len(hidden),
            "hidden_links": sum(int(p.get("hidden_links") or 0) for p in hidden),
            "parasitic_pages": len(parasitic),
            "parasitic_dirs": sorted({p.get("dir") for p in parasitic})[:MAX_EXAMPLES],
            "examples": [
                p.get("title_spam") or p.get("meta_spam") for p in planted_titles + parasitic
            ][:MAX_EXAMPLES]
            + [w for p in hidden for w in p.get("hidden_examples") or ()][:MAX_EXAMPLES],
            "titles": [p.get("title") for p in (parasitic + planted_titles)[:MAX_EXAMPLES]],
        },
    )
