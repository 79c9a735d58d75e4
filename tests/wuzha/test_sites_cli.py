"""The registry's life cycle: `wuzha sites import [--prune] [--dry-run]` and `wuzha sites list`.

One registry entry is one site record, whatever list it came from; sites dropped from the
registry are retired (kept with their review history, not crawled, not exported)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from elasticsearch import Elasticsearch

from crawler.registry import load_registry
from crawler.sitelist import load_sites
from ground.urls import site_id
from indexer.review_targets import resolve_site
from indexer.templates import alias_name
from indexer.writer import BulkWriter

HEADER = ["网站名称", "网址", "ICP备案号", "所属区县", "网站类型", "主办单位"]
GOV = [
    "滨江区人民政府",
    "www.binjiang.gov.cn",
    "浙ICP备05012345号-1",
    "滨江区",
    "政府",
    "滨江区政府办",
]
BBS = ["滨江论坛", "http://bbs.binjiang-demo.cn/", "浙ICP备06000001号", "滨江区", "论坛", "某公司"]
SHOP = ["江南商城", "shop.jiangnan-demo.cn", "浙ICP备07000002号", "西湖区", "商城", "江南公司"]


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_site_list_with_its_own_ids_names_the_registry_sites(tmp_path):
    registry = load_registry(write_csv(tmp_path / "r.csv", [HEADER, GOV, BBS])).sites
    listed = tmp_path / "sites.jsonl"
    listed.write_text(
        "".join(
            json.dumps({"id": f"S00{n}", "name": s["name"], "url": s["url"]}, ensure_ascii=False)
            + "\n"
            for n, s in enumerate(registry, 1)
        ),
        encoding="utf-8",
    )
    sites, problems = load_sites(listed)
    assert problems == []
    assert [s["id"] for s in sites] == [s["id"] for s in registry]


@pytest.fixture
def es_sites(es_isolated_settings, es_url, monkeypatch):
    import wuzha.cli.sites as sites_cli

    monkeypatch.setattr(sites_cli, "get_settings", lambda: es_isolated_settings)
    client = Elasticsearch(es_url)
    yield es_isolated_settings, client
    client.close()


def invoke(*args):
    from wuzha.cli.sites import sites

    return CliRunner().invoke(sites, list(args))


@pytest.mark.elasticsearch
def test_importing_then_crawling_a_site_list_keeps_one_record_per_site(es_sites, tmp_path):
    settings, client = es_sites
    outcome = invoke("import", str(write_csv(tmp_path / "r.csv", [HEADER, GOV, BBS])))
    assert outcome.exit_code == 0, outcome.output
    # the crawl of a site list with its own ids stores its sites' risk (the pipeline's way)
    listed = tmp_path / "sites.jsonl"
    listed.write_text(
        json.dumps({"id": "S001", "name": GOV[0], "url": "http://www.binjiang.gov.cn/"}) + "\n",
        encoding="utf-8",
    )
    sites, _ = load_sites(listed)
    with BulkWriter(settings, client) as writer:
        for site in sites:
            writer.upsert_site(site, {"pages_crawled": 3, "run_id": "run-1"})
    alias = alias_name(settings.index_prefix, "sites")
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == 2
    target = resolve_site(client, settings, GOV[0])  # not "matches several sites"
    assert target.id == site_id("http://www.binjiang.gov.cn/")
