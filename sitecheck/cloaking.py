"""Cloaking and hijacking: the same page as the sweep saw it and as someone else is shown it.

A hacked site often shows its planted casino or fraud copy only to search-engine crawlers (so
it ranks) and sends visitors who arrive from a search on a phone to a casino (so the owner,
typing the address at a desk, sees nothing wrong). The crawler fetches a few *variants* of a
site's pages — as a crawler, as a mobile visitor from a search-results page — and hands each,
with the sweep's own fetch of the same page, to :func:`compare`:

* ``cloaking`` — the variant carries fraud or gambling hits of categories the visitor version
  has none of (a crawler variant, or text that scripts wrote for the search visitor);
* ``hijack_redirect`` — the mobile search visit ends on another site (server redirect, meta
  refresh, script) that shows fraud or gambling content (medium or high rule hits, or spam
  wording in its title) while the visitor's stays on the site; or, fetched without a browser,
  its scripts send visitors *arriving from a search* to another site.

A different mobile layout with the same content, a redirect to the site's own mobile host
(same registered domain), a move to another domain that shows nothing of the kind (a CDN's
mobile layout, a WAF's check page, the site's mobile site elsewhere, an app store: only
counted, see :func:`left_site`) and the ordinary churn of a dynamic page are not evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from ground.blocks import BlockKind
from ground.urls import registered_domain
from pagemodel.model import Page
from pagemodel.scan import scan_page
from sitecheck.spam import spam_wording
from sitecheck.verdict import CLOAKING, HIJACK_REDIRECT, Verdict

# The variants (what Variant.name says).
CRAWLER = "crawler"  # a found page (or the home page) fetched as a search-engine crawler
MOBILE_SEARCH = "mobile_search"  # the home page as a mobile visitor from a search-results page

# A hit counts as cloaked content from this level up (a weak hit is often an ordinary word).
CLOAK_LEVELS = frozenset({"medium", "high"})
EXAMPLES = 3  # hits quoted in the evidence


def kinds_checked_by(name: str, rendered: bool) -> frozenset[str]:
    """The verdict kinds a variant's answer lets the sweep rule out when it shows nothing: a
    crawler fetch checks cloaking; the mobile visit checks hijacking only when rendered (a
    redirect by an external script shows only then)."""
    if name == CRAWLER:
        return frozenset({CLOAKING})
    return frozenset({CLOAKING, HIJACK_REDIRECT}) if rendered else frozenset({CLOAKING})


@dataclass(frozen=True)
class Variant:
    """One variant fetch of a page the sweep fetched too."""

    name: str  # CRAWLER or MOBILE_SEARCH
    url: str  # the URL asked for
    final_url: str  # where the visit ended
    page: Page
    agent: str = ""
    referer: str = ""
    chain: tuple[str, ...] = ()  # the URLs the visit went through (redirects, navigations)
    rendered: bool = False
    html: str = ""  # the HTML as served (for script redirects when it was not rendered)


def same_site(url: str, site_url: str) -> bool:
    """Whether `url` belongs to the site at `site_url`: the same host name (ignoring ``www.``,
    on any port) or the same registered domain (``m.example.gov.cn`` for
    ``www.example.gov.cn``); an IP-address host must have the same port too (one address
    serves many sites on as many ports, like the farm's)."""
    a, b = urlsplit(url), urlsplit(site_url)
    if a.scheme not in ("http", "https"):
        return True  # about:blank, data: — no place of its own
    host_a, host_b = _host(a.hostname), _host(b.hostname)
    if host_a == host_b:
        if not _is_ip(host_a):
            return True
        return _port(a) == _port(b) or {_port(a), _port(b)} <= {80, 443}
    if _is_ip(host_a) or _is_ip(host_b) or "." not in host_a or "." not in host_b:
        return False
    return registered_domain(host_a) == registered_domain(host_b)


def _host(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def _port(parts: Any) -> int:
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return -1


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host)) and any(c.isdigit() for c in host)


def compare(engine: Any, visitor: Page, variant: Variant, site_url: str) -> list[Verdict]:
    """The verdicts one variant gives against the sweep's fetch of the same page (`visitor`)."""
    verdicts = []
    hijack = _hijack(engine, visitor, variant, site_url) if variant.name == MOBILE_SEARCH else None
    if hijack is not None:
        verdicts.append(hijack)
    cloak = _cloaking(engine, visitor, variant)
    if cloak is not None and hijack is None:
        verdicts.append(cloak)
    return verdicts


# --- cloaking ----------------------------------------------------------------------------------


def _strong_hits(engine: Any, page: Page) -> list[dict[str, Any]]:
    hits = scan_page(engine, page).get("hits") or []
    return [h for h in hits if h.get("level") in CLOAK_LEVELS and h.get("category")]


def _cloaking(engine: Any, visitor: Page, variant: Variant) -> Verdict | None:
    shown = _strong_hits(engine, variant.page)
    if not shown:
        return None
    seen = {h["category"] for h in _strong_hits(engine, visitor)}
    only_variant = [h for h in shown if h["category"] not in seen and not _churn(h, visitor)]
    if not only_variant:
        return None
    categories = sorted({h["category"] for h in only_variant})
    names = "、".join(engine.category_names.get(c, c) for c in categories)
    who = "搜索引擎爬虫" if variant.name == CRAWLER else "从搜索结果进入的手机访客"
    return Verdict(
        CLOAKING,
        (variant.url,),
        f"对{who}显示{names}内容，普通访客看不到（{len(only_variant)} 处命中；"
        f"与访客所见页面文本相似度 {similarity(visitor, variant.page):.2f}）",
        {
            "variant": variant.name,
            "agent": variant.agent,
            "referer": variant.referer,
            "categories": categories,
            "visitor_title": visitor.title,
            "variant_title": variant.page.title,
            "similarity": round(similarity(visitor, variant.page), 3),
            "examples": [
                {"rule_id": h.get("rule_id"), "field": h.get("field"), "snippet": h.get("snippet")}
                for h in only_variant[:EXAMPLES]
            ],
        },
    )


# Blocks users write: a board page gaining a post between the two fetches is no cloaking.
USER_KINDS = frozenset({BlockKind.POST.value, BlockKind.LIST_ITEM.value})


def _churn(hit: dict[str, Any], visitor: Page) -> bool:
    """Whether a variant's hit is no evidence of cloaking: its text is in the visitor's page
    too (the visitor was shown it, whatever its scan made of it), or it is in a post or list
    item of a page whose visitor version has posts or list items as well (a user's new post)."""
    snippet = re.sub(r"\s+", "", str(hit.get("snippet") or ""))
    if snippet and snippet in _flat(visitor):
        return True
    return hit.get("field") in USER_KINDS and any(
        _kind(block) == hit.get("field") for block in visitor.blocks
    )


def _kind(block: Any) -> str:
    return getattr(block.kind, "value", block.kind)


def _flat(page: Page) -> str:
    return re.sub(r"\s+", "", f"{page.title}{page.text}{page.description}")


def similarity(a: Page, b: Page) -> float:
    """Jaccard similarity of the two pages' character trigrams (title and main text)."""
    grams_a, grams_b = _grams(a), _grams(b)
    if not grams_a and not grams_b:
        return 1.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _grams(page: Page) -> set[str]:
    text = re.sub(r"\s+", "", f"{page.title}{page.text}")
    return {text[i : i + 3] for i in range(max(0, len(text) - 2))}


# --- hijacking ---------------------------------------------------------------------------------


def left_site(variant: Variant, site_url: str) -> list[str]:
    """The off-site URLs the variant's visit went through or ended on."""
    return [u for u in (*variant.chain, variant.final_url) if not same_site(u, site_url)]


def _spam_landing(engine: Any, variant: Variant, site_url: str) -> bool:
    """Whether the visit *ended* on another site that shows fraud or gambling content."""
    if same_site(variant.final_url, site_url):
        return False  # aborted or came back: the page read is the site's own
    page = variant.page
    return bool(_strong_hits(engine, page)) or spam_wording(page.title or "") is not None


def _hijack(engine: Any, visitor: Page, variant: Variant, site_url: str) -> Verdict | None:
    if not same_site(visitor.url, site_url):
        return None  # the visitor was sent off the site too: no visitor-only redirect
    away, how = left_site(variant, site_url), "navigation"
    if away and not _spam_landing(engine, variant, site_url):
        return None  # another domain showing nothing of the kind: counted by the caller
    if not away and not variant.rendered:
        away, how = script_redirects(variant.html, variant.url, site_url), "script"
    if not away:
        return None
    target = away[-1] if how == "navigation" else away[0]
    return Verdict(
        HIJACK_REDIRECT,
        (variant.url, target),
        f"{'从搜索结果进入的' if variant.referer else ''}"
        f"{'手机' if variant.name == MOBILE_SEARCH else ''}访客被跳转到其他网站"
        f"（{urlsplit(target).netloc}），直接访问的访客仍停留在本站",
        {
            "variant": variant.name,
            "agent": variant.agent,
            "referer": variant.referer,
            "final_url": variant.final_url,
            "chain": list(variant.chain),
            "how": how,
            "rendered": variant.rendered,
        },
    )


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_LOCATION = re.compile(
    r"(?:(?:window|top|self|document)\.)?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]"
    r"|location\.(?:replace|assign)\(\s*['\"]([^'\"]+)['\"]",
    re.IGNORECASE,
)
# The condition hijack scripts test: that the visitor came from a search engine (a device
# check alone is how a site sends phones to its own mobile site, wherever that is hosted).
_CONDITION = re.compile(
    r"document\.referrer|baidu|sogou|so\.com|sm\.cn|bing|google",
    re.IGNORECASE,
)


def script_redirects(html: str, base_url: str, site_url: str) -> list[str]:
    """Off-site URLs that inline scripts send the browser to *on a condition* about the
    visitor's referrer or search engine (an unconditional redirect shows in every fetch)."""
    found: list[str] = []
    for script in _SCRIPT.findall(html or ""):
        if not _CONDITION.search(script):
            continue
        for match in _LOCATION.finditer(script):
            target = urljoin(base_url, match.group(1) or match.group(2))
            if not same_site(target, site_url) and target not in found:
                found.append(target)
    return found


_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=", re.IGNORECASE)
_ACTIVE_INLINE = re.compile(
    r"referrer|userAgent|location|document\.write|eval\(|fromCharCode|atob\(|unescape\(",
    re.IGNORECASE,
)


def scripts_could_redirect(html: str) -> bool:
    """Whether a page's scripts could send a visitor elsewhere or write text into it: it loads
    a script file, or an inline script reads the referrer or the device, sets the location,
    writes into the document or decodes a string. Only then is the mobile visit rendered (a
    page without is read as served, and no browser is started for it)."""
    if _EXTERNAL_SCRIPT.search(html or ""):
        return True
    return any(_ACTIVE_INLINE.search(script) for script in _SCRIPT.findall(html or ""))


def merge(records: Sequence[dict[str, Any]], verdict: Verdict) -> list[dict[str, Any]]:
    """`records` with `verdict` added: a second verdict of a kind already there adds its URLs
    and its variant's facts to that record's evidence (one record per kind)."""
    out = [dict(r) for r in records]
    new = verdict.to_record()
    for record in out:
        if record.get("kind") != verdict.kind:
            continue
        evidence = dict(record.get("evidence") or {})
        urls = list(evidence.get("urls") or [])
        evidence["urls"] = urls + [u for u in new["evidence"]["urls"] if u not in urls]
        others = list(evidence.get("more") or [])
        others.append({k: v for k, v in new["evidence"].items() if k != "urls"})
        evidence["more"] = others
        record["evidence"] = evidence
        return out
    out.append(new)
    return out
