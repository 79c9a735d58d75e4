"""A small farm in a child process, and what the crawl tests expect from its ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ground.urls import canonical_url, site_id

# Hostile behaviours scaled down: tests take seconds, the caps still have to work.
FARM_ARGS = ["--slow-seconds", "2", "--huge-mb", "8", "--bomb-mb", "256"]
# Budgets for test crawls: generous pages (every farm site fits), short timeouts.
CRAWL_ARGS = [
    "--allow-private",
    "127.0.0.0/8",
    "--max-pages",
    "200",
    "--max-depth",
    "5",
    "--site-timeout",
    "40",
    "--quiet",
]
CRAWL_ENV = {"WUZHA_CRAWL_DOWNLOAD_TIMEOUT": "5"}


def sites_from_truth(truth: dict[str, Any], path: Path, only=None) -> Path:
    """The farm's sites as a JSON-lines site list (what the registry import would give; the
    farm's own ids are ignored there: a site's id comes from its registry URL)."""
    with path.open("w", encoding="utf-8") as fh:
        for site in truth["sites"]:
            if only is not None and not only(site):
                continue
            fh.write(
                json.dumps(
                    {
                        "id": site["id"],
                        "name": site["name"],
                        "url": site["registry_url"],
                        "render_js": site["registry_render"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return path


def page_urls(page: dict[str, Any]) -> set[str]:
    base = page["url"].split("/", 3)
    root = "/".join(base[:3])
    return {canonical_url(page["url"])} | {
        canonical_url(root + alias) for alias in page.get("aliases", [])
    }


def expected_fraud_pages(truth: dict[str, Any], *, rendered: bool) -> list[dict[str, Any]]:
    """Fraud pages a crawl must find: on non-hostile sites, not forbidden by robots.txt, and
    JavaScript-only ones only when rendering is on."""
    pages = []
    for site in truth["sites"]:
        if site["hostile"]:
            continue
        for page in site["fraud_pages"]:
            if page.get("robots_disallowed") or (page.get("js_only") and not rendered):
                continue
            pages.append({**page, "site_id": site_id(site["registry_url"])})
    return pages


def serve_farm(n_sites: int, truth_out: Path, attempts: int = 3):
    """`farm.runner.serve_subprocess`, retried: other tests on this machine take ports too, and a
    port found free can be taken before the farm binds it."""
    from farm.runner import serve_subprocess

    for attempt in range(attempts):
        try:
            return serve_subprocess(n_sites, truth_out=truth_out, extra_args=FARM_ARGS)
        except RuntimeError as err:
            if "already in use" not in str(err) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def crawl_into_sites_index(settings: Any, sites: Path, tmp_path: Path) -> dict[str, dict]:
    """``wuzha crawl --no-render`` of the `sites` file into the Elasticsearch of `settings` (its
    own index prefix and spool); returns each crawled site's ``site.compromise`` by site id."""
    from elasticsearch import Elasticsearch

    from tests.crawler.helpers import run_wuzha

    env = {
        **CRAWL_ENV,
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": settings.index_prefix,
        "WUZHA_SPOOL_DIR": str(tmp_path / "spool"),
    }
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(tmp_path / "out"), "--no-render"]
        + CRAWL_ARGS,
        tmp_path / "connects.jsonl",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=30)
    alias = f"{settings.index_prefix}-sites"
    client.indices.refresh(index=alias)
    docs = client.search(index=alias, size=1000, query={"match_all": {}})["hits"]["hits"]
    return {hit["_id"]: (hit["_source"].get("site") or {}).get("compromise") or {} for hit in docs}
