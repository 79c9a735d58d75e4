"""A crawl with Elasticsearch killed with ``kill -9`` while pages sit in the bulk writer's buffer
resumes with every page in the index exactly once: the pages written to the files but lost from
the buffer are fetched again for the index (``indexed.jsonl`` in the job directory)."""

from __future__ import annotations

import json
import signal

import pytest

from ground.urls import page_id
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, page_urls, serve_farm, sites_from_truth
from tests.crawler.helpers import read_jsonl, run_wuzha, start_wuzha
from tests.crawler.test_resume import KINDS, _expected_pages, _wait_for_lines

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def _page_ids_in_index(client, alias):
    client.indices.refresh(index=alias)
    found = client.search(index=alias, size=10_000, query={"match_all": {}}, source=False)
    return [hit["_id"] for hit in found["hits"]["hits"]], client.count(index=alias)["count"]


def test_killed_crawl_resumes_with_every_page_indexed_once(es_isolated_settings, tmp_path):
    from elasticsearch import Elasticsearch

    from indexer.setup import setup

    settings = es_isolated_settings  # counts index totals: no other test may share them
    setup(settings)
    env = {
        **CRAWL_ENV,
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": settings.index_prefix,
        "WUZHA_SPOOL_DIR": str(tmp_path / "spool"),
        # Big batches: at the kill most pages are done and in pages.jsonl, but only in memory
        # on their way to Elasticsearch.
        "WUZHA_BULK_CHUNK_SIZE": "400",
    }
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=30)
    alias = f"{settings.index_prefix}-pages"
    with serve_farm(24, tmp_path / "truth.json"):
        truth = json.loads((tmp_path / "truth.json").read_text("utf-8"))
        sites = sites_from_truth(truth, tmp_path / "sites.jsonl", only=lambda s: s["kind"] in KINDS)
        out, job = tmp_path / "out", tmp_path / "job"
        args = [
            "crawl",
            "--sites",
            str(sites),
            "--out",
            str(out),
            "--job-dir",
            str(job),
            "--no-render",
            *CRAWL_ARGS,
        ]
        first = start_wuzha(args, tmp_path / "connects-1.jsonl", env=env)
        _wait_for_lines(out / "pages.jsonl", 150)
        first.send_signal(signal.SIGKILL)
        first.wait(60)

        emitted = read_jsonl(out / "pages.jsonl")
        indexed_before, _ = _page_ids_in_index(client, alias)
        journalled = read_jsonl(job / "indexed.jsonl")
        assert len(indexed_before) < len(emitted), "the kill was meant to catch pages in the buffer"
        assert {page_id(r["u"]) for r in journalled} <= set(indexed_before)

        second = run_wuzha([*args, "--resume"], tmp_path / "connects-2.jsonl", env=env)
        assert second.returncode == 0, second.stderr[-3000:]

    pages = read_jsonl(out / "pages.jsonl")
    urls = [p["url"] for p in pages]
    assert len(urls) == len(set(urls)), "pages written twice"
    missing = [p["url"] for p in _expected_pages(truth) if not page_urls(p) & set(urls)]
    assert missing == []

    ids, count = _page_ids_in_index(client, alias)
    assert count == len(ids) == len(set(ids)), "a page indexed twice"
    assert set(ids) == {page_id(url) for url in urls}
    assert len(ids) == len(pages)
    client.close()
