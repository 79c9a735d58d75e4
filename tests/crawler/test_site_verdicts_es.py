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
from tests.crawler.farmsites import crawl_into_sites_index

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

EXPECTED = {
    "hacked_gov": "spam_injected",
    "expired_takeover": "takeover_suspected",
    "icp_renumbered": None,
    "sports_news": None,
}


def test_verdicts_reach_the_sites_index(es_settings, tmp_path):
    from indexer.setup import setup

    setup(es_settings)
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
        indexed = crawl_into_sites_index(es_settings, sites, tmp_path)
    for s in tested:
        compromise = indexed[site_id(s.url)]
        expected = EXPECTED[s.kind]
        if expected is None:
            assert not compromise, (s.kind, compromise)
        else:
            assert set(compromise) == {expected}, (s.kind, compromise)
            assert compromise[expected]["state"] == "open"
            assert compromise[expected]["evidence"]["urls"]
