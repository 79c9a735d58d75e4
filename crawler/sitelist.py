"""Where a sweep's sites come from: a registry file, a JSON-lines site list, or the sites index.

Registry files (CSV/XLSX, Chinese or English headers) are read by :mod:`crawler.registry`; a
``.jsonl``/``.json`` file holds site dicts as the registry produces them (what the sites index
gives and tests use). Every site dict has at least ``id`` and ``url``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.errors import CrawlError, SiteFileMissing, SitesIndexUnreadable
from crawler.registry import site_domain
from ground.settings import MAX_URL_CHARS
from ground.urls import canonical_url, site_id

REGISTRY_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".tsv", ".txt")


def normalise_site(raw: dict[str, Any]) -> dict[str, Any]:
    """A site dict with every field the crawl needs; ValueError when the URL is unusable."""
    url = str(raw.get("url") or "").strip()
    if not url:
        raise ValueError("site has no url")
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"URL longer than {MAX_URL_CHARS} characters ({len(url)})")
    if "://" not in url:
        url = "http://" + url
    canonical = canonical_url(url)
    host = canonical.split("://", 1)[1].split("/", 1)[0]
    return {
        "id": str(raw.get("id") or site_id(url)),
        "name": str(raw.get("name") or host),
        "url": url,
        "domain": str(raw.get("domain") or site_domain(canonical)),
        "icp": raw.get("icp") or None,
        "district": raw.get("district") or None,
        "type": raw.get("type") or None,
        "owner": raw.get("owner") or None,
        "render_js": bool(raw.get("render_js", False)),
    }


def _load_json_sites(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        rows = data.get("sites", []) if isinstance(data, dict) else data
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    sites, errors = [], []
    for number, row in enumerate(rows, 1):
        try:
            # The id comes from the URL, as the registry import makes it: a list's own id (a
            # row number, an office's code) would give the site a second record in the index.
            sites.append(normalise_site({**row, "id": None}))
        except (ValueError, TypeError, AttributeError) as err:
            errors.append(f"entry {number}: {err}")
    return sites, errors


def load_sites(path: str | Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Sites from a registry or site-list file, and the problems found (one sentence each).

    Raises CrawlError when the file cannot be read at all.
    """
    file = Path(path)
    if not file.is_file():
        raise SiteFileMissing(file)
    try:
        if file.suffix.lower() in (".jsonl", ".json"):
            sites, errors = _load_json_sites(file)
        else:
            from crawler.registry import load_registry

            sites, raw_errors = load_registry(file)
            sites = [normalise_site(s) for s in sites]
            errors = [str(e) for e in raw_errors]
    except CrawlError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise CrawlError(f"could not read the site file {file}: {err}") from err
    # Two rows with the same id are one site: keep the first.
    unique: dict[str, dict[str, Any]] = {}
    for site in sites:
        unique.setdefault(site["id"], site)
    return list(unique.values()), errors


def sites_from_index(settings: Any) -> list[dict[str, Any]]:
    """Sites stored by the registry import in the ``<prefix>-sites`` index, retired ones
    (no longer in the registry) left out."""
    from indexer.client import connect
    from indexer.paging import DOCS_PER_PAGE, search_all
    from indexer.site_registry import NOT_RETIRED
    from indexer.templates import alias_name

    client = connect(settings)
    alias = alias_name(settings.index_prefix, "sites")
    try:
        docs = [
            hit.get("_source", {})
            for hit in search_all(client, alias, NOT_RETIRED, size=DOCS_PER_PAGE)
        ]
    except Exception as err:
        raise SitesIndexUnreadable(alias, str(err)) from err
    sites = []
    for doc in docs:
        raw = _site_from_doc(doc)
        try:
            sites.append(normalise_site(raw))
        except ValueError:
            continue
    return sites


def _site_from_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """Site dict from a sites-index document (plain fields, or ECS-style nested ``url.full``)."""
    site = doc.get("site") if isinstance(doc.get("site"), dict) else doc
    url = site.get("url")
    if isinstance(url, dict):
        url = url.get("full") or url.get("original")
    domain = site.get("domain")
    if isinstance(domain, dict):
        domain = domain.get("name")
    return {**site, "url": url, "domain": domain}
