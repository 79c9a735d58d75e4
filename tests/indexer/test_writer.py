"""BulkWriter against the real server: ids, review fields, hits, errors, Chinese search."""

from __future__ import annotations

import json

import pytest

from ground.urls import hit_id, page_id, site_id
from indexer.documents import Document
from indexer.writer import BulkWriter
from tests.indexer.conftest import make_item, refresh

pytestmark = pytest.mark.elasticsearch


def _url(request, path: str = "") -> str:
    # Each test writes its own pages: the session's indices are shared between tests.
    return f"http://{request.node.name.replace('_', '-')[:50]}.test/{path}"


def _write(settings, *items, sites=()):
    with BulkWriter(settings) as writer:
        for item in items:
            writer.index_page(item)
        for site, risk in sites:
            writer.upsert_site(site, risk)
    return writer


def _review(client, index: str, doc_id: str, status: str = "confirmed") -> dict:
    # What the review commands do: a partial update of review.* only.
    review = {"status": status, "by": "李审核", "note": "已核实", "at": "2026-11-24T10:00:00Z"}
    client.update(index=index, id=doc_id, doc={"review": review}, refresh=True)
    return review


def test_same_page_twice_is_one_document_updated(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    url = _url(request, "t.html")
    first = _write(writer_settings, make_item(url=url + "?utm_source=a#x"))
    assert first.stats["es/created"] == 3  # the page and its two rule hits
    second = _write(
        writer_settings,
        make_item(url=url + "?spm=9", title="新标题", fetched_at="2026-11-30T08:00:00Z"),
    )
    assert second.stats["es/updated"] == 3 and not second.stats["es/created"]
    refresh(es_client, prefix)
    pid = page_id(url)
    count = es_client.count(index=f"{prefix}-pages", query={"term": {"url.full": url}})["count"]
    assert count == 1
    doc = es_client.get(index=f"{prefix}-pages", id=pid)
    assert doc["_version"] == 2
    assert doc["_source"]["page"]["title"] == "新标题"
    assert doc["_source"]["first_seen"] == "2026-11-23T08:00:00Z"  # set once
    assert doc["_source"]["last_seen"] == "2026-11-30T08:00:00Z"
    hits = es_client.count(index=f"{prefix}-hits", query={"term": {"page_id": pid}})["count"]
    assert hits == 2


def test_review_fields_survive_reindexing(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    url = _url(request, "p.html")
    site = dict(make_item()["site"], url=_url(request), name="复审站点")
    item = make_item(url=url, site=site)
    _write(
        writer_settings,
        item,
        sites=[(site, {"max_score": 87.5, "max_level": "high", "fraud_pages": 1})],
    )
    refresh(es_client, prefix)
    pid, sid = page_id(url), site_id(site["url"])
    hid = hit_id(pid, "task_scam.rebate")
    for kind, doc_id in (("pages", pid), ("hits", hid), ("sites", sid)):
        assert es_client.get(index=f"{prefix}-{kind}", id=doc_id)["_source"]["review"] == {
            "status": "new"
        }
    decisions = {
        "pages": _review(es_client, f"{prefix}-pages", pid),
        "hits": _review(es_client, f"{prefix}-hits", hid, "false_positive"),
        "sites": _review(es_client, f"{prefix}-sites", sid, "takedown_requested"),
    }
    # Recrawl: new title, new score, registry row imported again.
    again = make_item(
        url=url,
        site=dict(site, owner="新主办单位"),
        title="改了",
        fetched_at="2026-12-01T00:00:00Z",
    )
    again["scan"]["score"] = 55.0
    _write(
        writer_settings,
        again,
        sites=[(again["site"], {"max_score": 55.0, "max_level": "medium", "fraud_pages": 1})],
    )
    with BulkWriter(writer_settings) as writer:
        writer.upsert_site(again["site"])  # a registry import: no risk
    refresh(es_client, prefix)
    page = es_client.get(index=f"{prefix}-pages", id=pid)["_source"]
    hit = es_client.get(index=f"{prefix}-hits", id=hid)["_source"]
    site_doc = es_client.get(index=f"{prefix}-sites", id=sid)["_source"]
    assert page["page"]["title"] == "改了" and page["scan"]["score"] == 55.0
    assert hit["scan"]["score"] == 55.0 and hit["last_seen"] == "2026-12-01T00:00:00Z"
    assert site_doc["site"]["owner"] == "新主办单位" and site_doc["risk"]["max_score"] == 55.0
    assert page["review"] == decisions["pages"]
    assert hit["review"] == decisions["hits"]
    assert site_doc["review"] == decisions["sites"]


def test_hits_that_no_longer_match_are_retired_with_their_review(
    writer_settings, es_client, request
):
    prefix = writer_settings.index_prefix
    url = _url(request, "r.html")
    _write(writer_settings, make_item(url=url))
    refresh(es_client, prefix)
    gone = hit_id(page_id(url), "fake_investment.guaranteed")
    review = _review(es_client, f"{prefix}-hits", gone)
    item = make_item(url=url)
    item["scan"]["hits"] = [
        h for h in item["scan"]["hits"] if h["rule_id"] != "fake_investment.guaranteed"
    ]
    writer = _write(writer_settings, item)
    assert writer.stats["es/hits_retired"] == 1
    refresh(es_client, prefix)
    retired = es_client.get(index=f"{prefix}-hits", id=gone)["_source"]
    kept = es_client.get(index=f"{prefix}-hits", id=hit_id(page_id(url), "task_scam.rebate"))[
        "_source"
    ]
    assert retired["hit"]["active"] is False and retired["review"] == review
    assert kept["hit"]["active"] is True


def test_site_fraud_first_seen_is_set_once(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    site = dict(make_item()["site"], url=_url(request))
    sid = site_id(site["url"])
    with BulkWriter(writer_settings) as writer:
        writer.upsert_site(site)  # registry import, no crawl yet
        writer.upsert_site(
            site, {"fraud_pages": 0, "max_level": "none", "last_crawled": "2026-11-01T00:00:00Z"}
        )
    refresh(es_client, prefix)
    assert (
        "fraud_first_seen" not in es_client.get(index=f"{prefix}-sites", id=sid)["_source"]["risk"]
    )
    for day in ("2026-11-08", "2026-11-15"):
        with BulkWriter(writer_settings) as writer:
            writer.upsert_site(
                site, {"fraud_pages": 2, "max_level": "high", "last_crawled": f"{day}T00:00:00Z"}
            )
        refresh(es_client, prefix)
    risk = es_client.get(index=f"{prefix}-sites", id=sid)["_source"]["risk"]
    assert risk["fraud_first_seen"] == "2026-11-08T00:00:00Z"
    assert risk["fraud_last_seen"] == "2026-11-15T00:00:00Z"


def test_chinese_phrase_search(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    fraud = _url(request, "fraud.html")
    benign = _url(request, "benign.html")
    # Same characters, never as the phrase: 刷 单 返 利 all appear, apart.
    clean = make_item(url=benign, text="他单位的返还利息和刷卡记录都正常。", title="正常页面")
    clean["scan"] = {"score": 0.0, "level": "none", "categories": [], "hits": [], "entities": []}
    _write(writer_settings, make_item(url=fraud), clean)
    refresh(es_client, prefix)
    scope = {"prefix": {"url.full": _url(request)}}

    def search(phrase: str) -> set[str]:
        query = {"bool": {"filter": [scope], "must": [{"match_phrase": {"page.text": phrase}}]}}
        found = es_client.search(index=f"{prefix}-pages", query=query)["hits"]["hits"]
        return {h["_source"]["url"]["full"] for h in found}

    assert search("刷单返利") == {fraud}
    assert search("返利刷单") == set()
    assert search("稳赚不赔") == {fraud}
    snippet = es_client.search(
        index=f"{prefix}-hits",
        query={
            "bool": {"filter": [scope], "must": [{"match_phrase": {"hit.snippet": "刷单返利"}}]}
        },
    )["hits"]["hits"]
    assert [h["_source"]["rule"]["id"] for h in snippet] == ["task_scam.rebate"]


def test_per_document_errors_are_counted_and_kept(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    good = make_item(url=_url(request, "good.html"))
    with BulkWriter(writer_settings) as writer:
        writer.index_page(good)
        writer.add(
            Document("pages", "bad-unmapped", {"not_in_mapping": 1}),
            Document("pages", "bad-type", {"http": {"response": {"status_code": "two hundred"}}}),
        )
    stats = writer.stats
    assert stats["es/created"] == 3
    assert stats["es/failed"] == 2
    assert stats["es/failed/strict_dynamic_mapping_exception"] == 1
    assert stats["es/failed/document_parsing_exception"] == 1
    assert {f["id"] for f in writer.failures} == {"bad-unmapped", "bad-type"}
    assert any("refused by Elasticsearch" in line for line in writer.summary())
    rejected = [
        json.loads(line) for f in writer.spool.rejected_dir.glob("*.jsonl") for line in f.open()
    ]
    assert {r["id"] for r in rejected} == {"bad-unmapped", "bad-type"}
    assert all(r["action"]["_id"] == r["id"] and r["reason"] for r in rejected)
    assert writer.spool.files() == []  # refused documents are not retried
    refresh(es_client, prefix)
    assert es_client.exists(index=f"{prefix}-pages", id=page_id(good["url"]))


def test_crawl_run_document(writer_settings, es_client, request):
    prefix = writer_settings.index_prefix
    run_id = request.node.name
    with BulkWriter(writer_settings) as writer:
        writer.index_crawl(
            {"run_id": run_id, "started": "2026-11-23T08:00:00Z", "status": "running"}
        )
        writer.index_crawl(
            {
                "run_id": run_id,
                "started": "2026-11-23T08:00:00Z",
                "ended": "2026-11-23T09:00:00Z",
                "status": "finished",
                "pages": 1200,
                "stats": {"scan/pages": 1200},
            }
        )
    refresh(es_client, prefix)
    doc = es_client.get(index=f"{prefix}-crawls", id=run_id)["_source"]["crawl"]
    assert (
        doc["status"] == "finished" and doc["pages"] == 1200 and doc["duration_seconds"] == 3600.0
    )


def test_a_full_spool_during_replay_is_not_taken_for_an_outage(writer_settings, request):
    """Replaying on start, the spool cannot keep what Elasticsearch refused: that is a disk
    problem (SpoolUnwritable), not Elasticsearch being away (offline, carry on spooling)."""
    from indexer.bulk import action_for
    from indexer.errors import SpoolUnwritable
    from indexer.spool import Spool

    spool = Spool(writer_settings.spool_path)
    bad = Document("pages", "bad-unmapped", {"not_in_mapping": 1})
    spool.write([action_for(bad, writer_settings.index_prefix)])
    spool.rejected_dir.write_text("")  # a file where the refused documents would go
    with pytest.raises(SpoolUnwritable):
        BulkWriter(writer_settings)
