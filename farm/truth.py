"""The farm's ground truth as JSON: for every site its kind, hostility, fraud and benign pages.

Layout (UTF-8, ``ensure_ascii=False``)::

    {"farm": {"seed", "n_sites", "base_port", "control_port", "options": {...}},
     "kinds": {kind: {"hostile": str|null, "details": str, "count": int}},
     "registry": {"columns": [...], "bad_rows": [{"line", "reason", "name", "url"}]},
     "sites": [{"index", "id", "name", "url", "port", "host", "kind", "hostile", "encoding",
                "charset": {...}, "render_js", "registry_render", "registry_url", "icp",
                "district", "type", "owner", "external_sites": [index], "robots_txt",
                "robots_disallow": [prefix], "fraud_pages": [...], "benign_pages": [...],
                "error_pages": [...], plus kind-specific keys (redirects, traps, …)}]}

A page is ``{"path", "url", "role", "topic", "aliases": [...]}`` plus, for fraud pages,
``"category"``, ``"entities"``, ``"apk_links"``, ``"qr_images"`` and, for posts in forums,
``"post_index"`` (0-based on the page) and ``"floor"``; flags (``js_only``, ``obfuscated``,
``quotes_scam``, ``shares_scam_words``, ``lists_fraud_titles``, ``robots_disallowed``) appear
only when true. ``charset`` on a page (kinds with mixed declarations) overrides the site's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from farm.kinds import KINDS
from farm.kinds.base import page_entities
from farm.model import FarmLike, PageSpec, SiteSpec

FLAGS = (
    "js_only",
    "obfuscated",
    "quotes_scam",
    "shares_scam_words",
    "lists_fraud_titles",
    "robots_disallowed",
)
MIXED_CHARSET_KINDS = {
    "local_news_gbk",
    "bom_site",
    "mislabeled_charset",
    "big5_site",
    "hostile_wrong_charset",
}


def page_truth(site: SiteSpec, page: PageSpec, with_charset: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": page.path,
        "url": site.url[:-1] + page.path,
        "role": page.role,
        "topic": page.topic,
        "aliases": list(page.aliases),
    }
    if page.fraud:
        entry["category"] = page.fraud
        if page.fraud_post is not None:
            entry["post_index"] = page.fraud_post
            entry["floor"] = page.fraud_floor
        entry.update(page_entities(site, page))
    if page.status != 200:
        entry["status"] = page.status
    for flag in FLAGS:
        if getattr(page, flag):
            entry[flag] = True
    if with_charset:
        entry["charset"] = site.kind_obj.encoding_plan(site, page).to_dict()
    return entry


def robots_disallow(robots: str | None) -> list[str]:
    if not robots:
        return []
    rules, applies = [], False
    for line in robots.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field == "user-agent":
            applies = value == "*"
        elif field == "disallow" and applies and value:
            rules.append(value)
    return rules


def site_truth(site: SiteSpec, registry_url: str) -> dict[str, Any]:
    kind = site.kind_obj
    mixed = site.kind in MIXED_CHARSET_KINDS
    pages = site.pages
    home = pages[0]
    robots = kind.robots(site)
    entry: dict[str, Any] = {
        "index": site.index,
        "id": site.id,
        "name": site.name,
        "url": site.url,
        "port": site.port,
        "host": site.host,
        "kind": site.kind,
        "hostile": kind.hostile,
        "encoding": kind.encoding,
        "charset": kind.encoding_plan(site, home).to_dict(),
        "render_js": site.render_js,
        "registry_render": site.registry_render,
        "registry_url": registry_url,
        "icp": site.icp,
        "district": site.district,
        "type": site.site_type,
        "owner": site.owner,
        "external_sites": list(site.external),
        "robots_txt": robots,
        "robots_disallow": robots_disallow(robots),
        "fraud_pages": [page_truth(site, p, mixed) for p in pages if p.fraud],
        "benign_pages": [
            page_truth(site, p, mixed) for p in pages if not p.fraud and p.status == 200
        ],
        "error_pages": [page_truth(site, p, mixed) for p in pages if p.status != 200],
    }
    if kind.hostile:
        entry["hostile_details"] = kind.hostile_details
    entry.update(kind.truth_extra(site))
    return entry


def farm_truth(farm: FarmLike, *, registry_bad_rows: bool = True) -> dict[str, Any]:
    from farm.registry import COLUMNS, registry_rows

    rows, bad = registry_rows(farm, bad_rows=registry_bad_rows)
    urls = {row.site_index: row.values["网址"] for row in rows if row.site_index is not None}
    counts: dict[str, int] = {}
    for site in farm.sites:
        counts[site.kind] = counts.get(site.kind, 0) + 1
    return {
        "farm": {
            "seed": farm.seed,
            "n_sites": len(farm.sites),
            "base_port": farm.base_port,
            "control_port": farm.control_port,
            "options": _options(farm),
        },
        "kinds": {
            name: {
                "hostile": kind.hostile,
                "details": _describe(kind),
                "count": counts.get(name, 0),
            }
            for name, kind in KINDS.items()
        },
        "registry": {"columns": list(COLUMNS), "bad_rows": bad},
        "sites": [site_truth(site, urls.get(site.index, site.url)) for site in farm.sites],
    }


def _describe(kind) -> str:
    own = type(kind).__dict__.get("description")  # not inherited: subclasses say their own
    if own or kind.hostile_details:
        return own or kind.hostile_details
    doc = (type(kind).__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _options(farm: FarmLike) -> dict[str, Any]:
    opts = farm.options
    return {name: getattr(opts, name) for name in opts.__dataclass_fields__}


def write_truth(farm: FarmLike, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        json.dump(farm.truth(), out, ensure_ascii=False, indent=1)
        out.write("\n")
    return path
