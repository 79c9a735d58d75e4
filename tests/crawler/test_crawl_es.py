"""A sweep with Elasticsearch: every page emitted is indexed once, and a second sweep of the same
sites updates the same documents instead of adding new ones."""

from __future__ import annotations

import pytest

from farm import build_farm
from farm.runner import free_base_port, running
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, sites_from_truth
from tests.crawler.helpers import read_jsonl, run_wuzha

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def test_pages_are_indexed_once(es_isolated_settings, tmp_path):
    es_settings = es_isolated_settings  # counts index totals: no other test may share them
    from elasticsearch import Elasticsearch

    from indexer.setup import setup

    setup(es_settings)
    env = {
        **CRAWL_ENV,
        "ELASTICSEARCH_URL": es_settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": es_settings.index_prefix,
        "WUZHA_SPOOL_DIR": str(tmp_path / "spool"),
    }
    farm = build_farm(8, base_port=free_base_port(8))
    client = Elasticsearch(es_settings.elasticsearch_url, request_timeout=30)
    alias = f"{es_settings.index_prefix}-pages"
    with running(farm, control=False):
        truth = farm.truth()
        sites = sites_from_truth(
            truth,
            tmp_path / "sites.jsonl",
            only=lambda s: s["kind"] in ("company", "local_news_gbk", "bom_site"),
        )
        for attempt in ("first", "second"):
            out = tmp_path / attempt
            proc = run_wuzha(
                ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS],
                tmp_path / f"{attempt}.jsonl",
                env=env,
            )
            assert proc.returncode == 0, proc.stderr[-3000:]
            client.indices.refresh(index=alias)
            pages = read_jsonl(out / "pages.jsonl")
            assert pages
            assert client.count(index=alias)["count"] == len({p["url"] for p in pages})
    client.close()
