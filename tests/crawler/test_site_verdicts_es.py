"""A sweep with Elasticsearch over the farm's compromised sites and look-alikes: the verdicts
the site checks find land in the sites index as open ``site.compromise.<kind>``; clean sites
get none."""

from __future__ import annotations

import json

import pytest

from farm import build_farm
from farm.kinds import CYCLE
from farm.runner import free_base_port, running
from ground.urls import site_id
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV
from tests.crawler.helpers import run_wuzha

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

EXPECTED = {
    "hacked_gov": "spam_injected",
    "expired_takeover": "takeover_suspected",
    "icp_renumbered": None,
    "sports_news": None,
}


def test_verdicts_reach_the_sites_index(es_settings, tmp_path):
    from elasticsearch import Elasticsearch

    from indexer.setup import setup

    setup(es_settings)
    env = {
        **CRAWL_ENV,
        "ELASTICSEARCH_URL": es_settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": es_settings.index_prefix,
        "WUZHA_SPOOL_DIR": str(tmp_path / "spool"),
    }
    farm = build_farm(len(CYCLE), base_port=free_base_port(len(CYCLE)))
    tested = [s for s in farm.sites if s.kind in EXPECTED]
    sites = tmp_path / "sites.jsonl"
    with sites.open("w", encoding="utf-8") as out:
        for s in tested:
            row = {
                "name": s.name,
                "url": s.url,
                "icp": s.icp,
                "type": s.site_type,
                "owner": s.owner,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with running(farm, control=False):
        proc = run_wuzha(
            ["crawl", "--sites", str(sites), "--out", str(tmp_path / "out"), "--no-render"]
            + CRAWL_ARGS,
            tmp_path / "connects.jsonl",
            env=env,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    client = Elasticsearch(es_settings.elasticsearch_url, request_timeout=30)
    alias = f"{es_settings.index_prefix}-sites"
    client.indices.refresh(index=alias)
    for s in tested:
        doc = client.get(index=alias, id=site_id(s.url))["_source"]
        compromise = (doc.get("site") or {}).get("compromise") or {}
        expected = EXPECTED[s.kind]
        if expected is None:
            assert not compromise, (s.kind, compromise)
        else:
            assert set(compromise) == {expected}, (s.kind, compromise)
            assert compromise[expected]["state"] == "open"
            assert compromise[expected]["evidence"]["urls"]
    client.close()
