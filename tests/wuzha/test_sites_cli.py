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
from ground.errors import WuzhaError
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


def import_rows(tmp_path, name, *rows, flags=()):
    outcome = invoke("import", str(write_csv(tmp_path / name, [HEADER, *rows])), *flags)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def listed(*flags):
    outcome = invoke("list", "--json", *flags)
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.output)


@pytest.mark.elasticsearch
def test_sites_list_json_gives_each_site_once_with_its_status(es_sites, tmp_path):
    import_rows(tmp_path, "r.csv", GOV, BBS)
    sites = listed()
    assert sorted(s["name"] for s in sites) == ["滨江区人民政府", "滨江论坛"]
    gov = next(s for s in sites if s["name"] == GOV[0])
    assert {k: gov[k] for k in ("id", "url", "icp", "district", "status", "review_status")} == {
        "id": site_id("http://www.binjiang.gov.cn/"),
        "url": "http://www.binjiang.gov.cn/",
        "icp": "浙ICP备05012345号-1",
        "district": "滨江区",
        "status": "active",
        "review_status": "new",
    }
    table = invoke("list")
    assert table.exit_code == 0, table.output
    assert "滨江论坛" in table.output and "2 site(s): 2 active, 0 retired" in table.output


@pytest.mark.elasticsearch
def test_prune_retires_sites_no_longer_in_the_file_and_keeps_their_review(es_sites, tmp_path):
    from crawler.sitelist import sites_from_index
    from indexer import review, review_log

    settings, client = es_sites
    import_rows(tmp_path, "r.csv", GOV, BBS, SHOP)
    review.mark_site(client, settings, BBS[0], "confirmed", "吴审核", refresh=True)

    kept = import_rows(tmp_path, "r2.csv", GOV, SHOP)
    assert "1 stored site(s) are not in this file and stay active" in kept
    assert "--prune" in kept
    assert {s["status"] for s in listed()} == {"active"}

    pruned = import_rows(tmp_path, "r3.csv", GOV, SHOP, flags=["--prune"])
    assert "retire   滨江论坛 <http://bbs.binjiang-demo.cn/>" in pruned
    assert "0 added, 0 changed, 2 unchanged, 1 retired" in pruned
    retired = listed("--status", "retired")
    assert [(s["name"], s["status"], s["review_status"]) for s in retired] == [
        ("滨江论坛", "retired", "confirmed")
    ]
    assert sorted(s["name"] for s in listed("--status", "active")) == ["江南商城", "滨江区人民政府"]
    bbs_id = site_id(BBS[1])
    client.indices.refresh(index=alias_name(settings.index_prefix, "review-log"))
    assert [e["review"]["status"] for e in review_log.history(client, settings, "site", bbs_id)]
    assert bbs_id not in {s["id"] for s in sites_from_index(settings)}  # crawl --from-index

    # back in the registry: active again, its review still there
    back = import_rows(tmp_path, "r4.csv", GOV, BBS, SHOP, flags=["--prune"])
    assert "1 changed" in back and "0 retired" in back
    bbs = next(s for s in listed() if s["id"] == bbs_id)
    assert (bbs["status"], bbs["review_status"]) == ("active", "confirmed")


@pytest.mark.elasticsearch
def test_dry_run_reads_the_index_and_writes_nothing(es_sites, tmp_path):
    _settings, _client = es_sites
    import_rows(tmp_path, "r.csv", GOV, BBS)
    renamed = ["滨江区政府门户", *GOV[1:]]
    out = import_rows(tmp_path, "r2.csv", renamed, SHOP, flags=["--dry-run", "--prune"])
    assert "add      江南商城 <http://shop.jiangnan-demo.cn/>" in out
    assert (
        "change   滨江区政府门户 <http://www.binjiang.gov.cn/>: name 滨江区人民政府 → 滨江区政府门户"
        in out
    )
    assert "retire   滨江论坛 <http://bbs.binjiang-demo.cn/>" in out
    assert "Dry run: would add 1, change 1, retire 1, leave 0 unchanged; nothing written." in out
    assert sorted((s["name"], s["status"]) for s in listed()) == [
        ("滨江区人民政府", "active"),
        ("滨江论坛", "active"),
    ]


def test_dry_run_without_elasticsearch_says_what_to_do(tmp_path, monkeypatch):
    import wuzha.cli.sites as sites_cli
    from ground.settings import settings_with

    monkeypatch.setattr(
        sites_cli, "get_settings", lambda: settings_with(elasticsearch_url="http://127.0.0.1:9")
    )
    path = write_csv(tmp_path / "r.csv", [HEADER, GOV, ["坏", "ftp://x.cn", "", "", "", ""]])
    outcome = invoke("import", str(path), "--dry-run")
    assert isinstance(outcome.exception, WuzhaError) and outcome.exception.exit_code == 2
    assert "line 3: 'ftp://x.cn' is not a web address" in outcome.output
    assert "cannot tell what would change" in str(outcome.exception)
    assert "--prune" not in str(outcome.exception)


@pytest.mark.elasticsearch
def test_a_retired_site_is_not_exported(es_sites, tmp_path):
    from datetime import datetime

    from indexer.takedown_candidates import takedown_rows
    from indexer.weeks import parse_week, report_zone
    from tests.review.conftest import hit, page_item, write

    settings, client = es_sites
    import_rows(tmp_path, "r.csv", GOV, BBS)
    registry = {s["name"]: s for s in load_registry(tmp_path / "r.csv").sites}
    pages = [
        page_item(
            registry[name],
            "/fraud.html",
            fetched_at="2026-11-24T02:00:00Z",
            hits=[hit("gambling.casino", "gambling", "high", "百家乐首充送彩金")],
        )
        for name in (GOV[0], BBS[0])
    ]
    write(settings, client, items=pages)
    week = parse_week("2026-W48", report_zone(settings))
    now = datetime.fromisoformat("2026-12-01T09:00:00+08:00")
    assert sorted(r["site_name"] for r in takedown_rows(client, settings, week, now=now)) == [
        "滨江区人民政府",
        "滨江论坛",
    ]
    import_rows(tmp_path, "r2.csv", GOV, flags=["--prune"])
    assert [r["site_name"] for r in takedown_rows(client, settings, week, now=now)] == [
        "滨江区人民政府"
    ]


@pytest.mark.elasticsearch
def test_es_setup_upgrades_an_older_sites_index_without_losing_reviews(es_sites, tmp_path):
    from indexer.setup import drop_cache, setup
    from indexer.templates import first_index_name, merged_mappings

    settings, client = es_sites
    prefix = settings.index_prefix
    # the sites index as the previous wuzha made it: mapping version 1, no registry.* fields
    old = merged_mappings("sites", prefix)
    old["properties"].pop("registry")
    old["_meta"] = {"version": 1, "kind": "sites", "managed_by": "wuzha"}
    index = first_index_name(prefix, "sites")
    client.indices.create(
        index=index, mappings=old, aliases={alias_name(prefix, "sites"): {"is_write_index": True}}
    )
    gov = load_registry(write_csv(tmp_path / "r.csv", [HEADER, GOV])).sites[0]
    client.index(
        index=index,
        id=gov["id"],
        document={"site": gov, "review": {"status": "takedown_requested", "by": "吴审核"}},
        refresh=True,
    )
    drop_cache()
    report = setup(settings)
    assert ("index", index, "updated", "mapping updated") in report.steps
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    current = merged_mappings("sites", prefix)["_meta"]["version"]  # 2 added registry.*
    assert mapping["_meta"]["version"] == current and "registry" in mapping["properties"]

    import_rows(tmp_path, "r2.csv", BBS, flags=["--prune"])
    assert [
        (s["name"], s["status"], s["review_status"]) for s in listed("--status", "retired")
    ] == [("滨江区人民政府", "retired", "takedown_requested")]
    assert client.get(index=index, id=gov["id"])["_source"]["review"]["by"] == "吴审核"


@pytest.mark.elasticsearch
def test_prune_retires_the_second_record_an_older_crawl_made_and_names_resolve_again(
    es_sites, tmp_path
):
    settings, client = es_sites
    import_rows(tmp_path, "r.csv", GOV)
    # what an older wuzha's crawl of a site list with its own ids left in the index
    with BulkWriter(settings, client) as writer:
        writer.upsert_site({"id": "S001", "name": GOV[0], "url": "http://www.binjiang.gov.cn/"})
    client.indices.refresh(index=alias_name(settings.index_prefix, "sites"))

    out = import_rows(tmp_path, "r2.csv", GOV, flags=["--prune"])
    assert (
        "retire   滨江区人民政府 <http://www.binjiang.gov.cn/> (a second record of a listed "
        "site, id S001)" in out
    )
    target = resolve_site(client, settings, GOV[0])  # not "matches several sites"
    assert target.id == site_id("http://www.binjiang.gov.cn/")


@pytest.mark.elasticsearch
def test_registry_text_is_printed_as_written_never_as_terminal_markup(es_sites, tmp_path):
    odd = ["[/red]论坛[bold]", "http://odd.binjiang-demo.cn/", "", "", "", ""]
    bad = ["坏", "ftp://[/x]", "", "", "", ""]
    out = import_rows(tmp_path, "r.csv", odd, bad, flags=["--dry-run"])
    assert "add      [/red]论坛[bold] <http://odd.binjiang-demo.cn/>" in out
    assert "line 3: 'ftp://[/x]' is not a valid web address ('/x' in brackets" in out
