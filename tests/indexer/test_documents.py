"""Item → document mapping: every emitted field is mapped, hits fold per rule, no review fields."""

from __future__ import annotations

from typing import Any

from ground.urls import page_id
from indexer import documents, templates
from tests.indexer.conftest import make_item


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Dotted paths of every leaf in a document (lists of objects walked into)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            out |= (
                _paths(sub, f"{prefix}{key}.")
                if isinstance(sub, (dict, list))
                else {f"{prefix}{key}"}
            )
            if isinstance(sub, (dict, list)) and not sub:
                out.add(f"{prefix}{key}")
    elif isinstance(value, list):
        for sub in value:
            out |= _paths(sub, prefix) if isinstance(sub, (dict, list)) else {prefix.rstrip(".")}
    return out


def _assert_mapped(doc: documents.Document) -> None:
    mapped = templates.field_types(doc.kind)
    body = {**doc.body, **doc.insert_only}
    unmapped = {
        p
        for p in _paths(body)
        if p not in mapped
        and not p.startswith("crawl.stats.")
        and not p.startswith("crawl.options")
    }
    assert not unmapped, f"{doc.kind}: fields not in the mapping: {sorted(unmapped)}"


def test_page_document_fields():
    item = make_item()
    doc = documents.page_document(item)
    assert doc.kind == "pages"
    assert doc.id == page_id(item["url"])
    body = doc.body
    assert body["url"]["full"] == "http://bbs.pingan-demo.test:8080/thread-1-1-1.html"
    assert body["url"]["original"] == item["url"]  # as requested, tracking parameter and all
    assert body["url"]["domain"] == "bbs.pingan-demo.test"
    assert body["url"]["port"] == 8080
    assert body["http"]["response"]["status_code"] == 200
    assert body["@timestamp"] == "2026-11-23T08:00:00Z"
    assert body["page"]["charset"] == "gb18030"
    assert body["scan"]["level"] == "high"
    assert body["scan"]["rule_ids"] == ["task_scam.rebate", "fake_investment.guaranteed"]
    assert body["entities"] == [{"type": "wechat", "value": "abc123", "count": 2}]
    assert body["entity_keys"] == ["wechat:abc123"]
    assert body["site"]["id"]  # derived from the registry URL when the item has none
    assert body["forum"]["thread_id"] == "1"
    assert [p["author"] for p in body["posts"]] == ["招聘小王", "路人"]
    assert body["page"]["links"] == {
        "internal": 1,
        "external": 1,
        "external_domains": ["evil.example"],
    }
    assert "review" not in body and "first_seen" not in body
    assert doc.insert_only == {"review": {"status": "new"}, "first_seen": "2026-11-23T08:00:00Z"}
    _assert_mapped(doc)


def test_page_without_scan_clears_scan_fields():
    item = make_item()
    del item["scan"]
    body = documents.page_document(item).body
    assert body["scan"] is None and body["entities"] is None and body["entity_keys"] == []


def test_hit_documents_fold_per_rule():
    item = make_item()
    hits = {d.body["rule"]["id"]: d for d in documents.hit_documents(item)}
    assert set(hits) == {"task_scam.rebate", "fake_investment.guaranteed"}
    rebate = hits["task_scam.rebate"].body
    assert rebate["hit"]["occurrences"] == 2
    assert rebate["hit"]["matched"] == ["刷单返利", "垫付"]
    assert rebate["hit"]["snippet"] == "招聘兼职刷单返利，日结佣金"  # the strongest one
    assert rebate["post"] == {"index": 0, "author": "招聘小王", "time": "2026-11-20 10:00"}
    assert rebate["page_id"] == page_id(item["url"])
    assert rebate["scan"]["score"] == 87.5
    assert hits["fake_investment.guaranteed"].body["post"] is None
    for doc in hits.values():
        assert doc.id.startswith(page_id(item["url"]) + ":")
        assert "review" not in doc.body
        _assert_mapped(doc)


def test_page_without_hits_has_no_hit_documents():
    item = make_item()
    item["scan"]["hits"] = []
    assert documents.hit_documents(item) == []


def test_site_document_with_and_without_risk():
    site = make_item()["site"]
    plain = documents.site_document(site)
    assert "risk" not in plain.body  # a registry import keeps the last crawl's risk
    assert plain.body["url"]["full"] == site["url"]
    risky = documents.site_document(
        site,
        {
            "max_score": 90,
            "max_level": "high",
            "fraud_pages": 3,
            "categories": ["task_scam"],
            "run_id": "r1",
        },
    )
    assert risky.id == plain.id
    assert risky.body["risk"] == {
        "max_score": 90.0,
        "max_level": "high",
        "fraud_pages": 3,
        "categories": ["task_scam"],
    }
    assert risky.body["crawl"] == {"run_id": "r1"}
    _assert_mapped(plain)
    _assert_mapped(risky)


def test_crawl_document_keeps_unknown_figures_in_stats():
    doc = documents.crawl_document(
        {
            "run_id": "run-1",
            "started": "2026-11-23T08:00:00Z",
            "ended": "2026-11-23T08:10:00Z",
            "status": "finished",
            "pages": 120,
            "hits_by_level": {"high": 3, "low": 1},
            "stats": {"scan/hits/task_scam": 3, "log.count": 2},
            "retries": 4,
        }
    )
    crawl = doc.body["crawl"]
    assert doc.id == "run-1" and doc.op == "index"
    assert crawl["duration_seconds"] == 600.0
    assert crawl["stats"] == {"scan/hits/task_scam": 3, "log_count": 2, "retries": 4}
    _assert_mapped(doc)


def test_review_log_document():
    doc = documents.review_log_document(
        target_type="site",
        target_id="abc",
        status="confirmed",
        previous_status="new",
        by="张三",
        note="核实",
    )
    assert doc.op == "create" and len(doc.id) == 32
    assert doc.body["review"]["by"] == "张三"
    _assert_mapped(doc)


def test_hostile_sizes_are_capped():
    huge = "刷" * (documents.MAX_TEXT_CHARS + 10)
    item = make_item(text=huge, title="t" * 50_000)
    item["scan"]["entities"] = [{"type": "qq", "value": str(i)} for i in range(5000)]
    body = documents.page_document(item).body
    assert len(body["page"]["text"]) == documents.MAX_TEXT_CHARS
    assert body["page"]["text_truncated"] is True and body["page"]["text_length"] == len(huge)
    assert len(body["page"]["title"]) == documents.MAX_FIELD_CHARS
    assert len(body["entities"]) == documents.MAX_ENTITIES
