"""The pipelines over hand-made page items: scan, hit → post mapping, result files, resume,
and (marked elasticsearch) indexing with review fields kept."""

from __future__ import annotations

import json
import uuid

import pytest
from scrapy.exceptions import NotConfigured

from crawler.items import PageItem
from crawler.pipelines import IndexPipeline, OutputPipeline, ScanPipeline, attach_posts
from tests.pipeline_items import (
    SITE,
    forum_item,
    make_crawler,
    plain_item,
    run_pipelines,
    scanned,
)

FETCH_FACTS = ("url", "original_url", "run_id", "site", "status", "fetched_at", "depth", "rendered")

# --- scan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hit, post_index",
    [
        ({"start": 0, "field": "post"}, 0),
        ({"start": 5, "field": "post"}, 0),
        ({"start": 28, "field": "post"}, None),
        ({"start": 30, "field": "post"}, 1),
        ({"start": 60, "field": "post"}, 1),
        ({"start": 200, "field": "post"}, None),
        ({"start": 5, "field": "title"}, None),
        ({"start": 5, "field": "paragraph"}, None),
        ({"start": None, "field": "post"}, None),
    ],
)
def test_attach_posts_maps_offsets_to_posts(hit, post_index):
    posts = [{"index": 0, "start": 0, "end": 28}, {"index": 1, "start": 30, "end": 80}]
    attach_posts([hit], posts)
    assert hit.get("post_index") == post_index


def test_scan_pipeline_scans_maps_hits_to_posts_and_counts():
    crawler, _ = make_crawler({})
    pipeline = ScanPipeline.from_crawler(crawler)
    item = scanned(pipeline, forum_item())
    scan = item.scan
    assert scan["level"] in ("high", "medium") and "task_scam" in scan["categories"]
    in_posts = [hit for hit in scan["hits"] if hit.get("field") == "post"]
    assert in_posts and {hit["post_index"] for hit in in_posts} == {1}
    assert all("post_index" not in hit for hit in scan["hits"] if hit.get("field") == "title")
    assert scan["rule_fingerprint"]
    stats = crawler.stats.get_stats()
    assert stats["scan/pages"] == 1
    assert stats[f"scan/level/{scan['level']}"] == 1
    assert stats["scan/hits/task_scam"] >= 1


def test_scan_pipeline_survives_an_engine_failure():
    class Broken:
        fingerprint = "x"

        def scan(self, *args, **kwargs):
            raise RuntimeError("boom")

    crawler, _ = make_crawler({})
    item = scanned(ScanPipeline(Broken(), crawler.stats), plain_item("http://a.test/"))
    assert item.scan is None and crawler.stats.get_value("scan/errors") == 1


HACKED_PAGE = """<html><head><title>滨江新闻</title></head><body>
<div class="article"><h1>滨江区召开安全生产工作会议</h1>
<p>滨江区召开安全生产工作会议，部署春季安全工作，要求各街道落实责任，排查隐患。</p>
<p>会议强调，要加强节假日期间的值班值守。<a href="/notice/12.html">相关通知</a></p></div>
<div style="display:none">
<a href="http://casino.example/">澳门赌场</a> <a href="http://casino.example/b">百家乐在线开户</a>
<a href="http://casino.example/c">时时彩计划网 注册送88元彩金</a>
<a href="http://casino.example/d">真人棋牌 提现秒到账</a></div>
</body></html>"""


def test_scan_pipeline_finds_hidden_link_spam():
    from indexer.documents import hit_documents, page_document
    from pagemodel.model import page_from_html

    url = "http://bbs.binjiang.test:8001/news/1.html"
    base = plain_item(url)
    fetch = {name: getattr(base, name) for name in FETCH_FACTS}
    item = PageItem.from_page(page_from_html(HACKED_PAGE, url), **fetch)
    assert "澳门赌场" not in item.text  # the hidden block is not main text...
    crawler, _ = make_crawler({})
    item = scanned(ScanPipeline.from_crawler(crawler), item)

    scan = item.scan  # ...but the rules read it, marked as hidden
    assert scan["level"] in ("high", "medium") and "gambling" in scan["categories"]
    hidden_hits = [hit for hit in scan["hits"] if hit.get("field") == "hidden"]
    assert hidden_hits and all("post_index" not in hit for hit in hidden_hits)
    (hidden,) = [block for block in item.blocks if block.kind == "hidden"]
    for hit in hidden_hits:
        seen = hidden.text[hit["start"] - hidden.start : hit["end"] - hidden.start]
        assert any(word in seen for word in hit["matched"])
    stored = page_document(item.as_fields()).body["page"]
    assert "澳门赌场" in stored["hidden_text"]
    assert {b["kind"] for b in stored["blocks"]} >= {"heading", "paragraph", "title", "hidden"}
    assert {doc.body["hit"]["field"] for doc in hit_documents(item.as_fields())} == {"hidden"}


# --- result files ------------------------------------------------------------------------------


def run_output(tmp_path, items, resume=False, run_id="run-1"):
    settings = {"WUZHA_OUT_DIR": str(tmp_path), "WUZHA_RESUME": resume}
    return run_pipelines(OutputPipeline, items, settings, run_id=run_id)


def read_lines(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_output_pipeline_is_off_without_out_dir():
    crawler, _ = make_crawler({})
    with pytest.raises(NotConfigured):
        OutputPipeline.from_crawler(crawler)


def test_output_files(tmp_path):
    items = [forum_item(), plain_item("http://bbs.binjiang.test:8001/news.html")]
    run_output(tmp_path, items)

    pages = read_lines(tmp_path / "pages.jsonl")
    assert [p["url"] for p in pages] == [items[0].url, items[1].url]
    assert pages[0] == {
        "url": items[0].url,
        "site": {
            "id": "site-bbs",
            "name": "滨江社区论坛",
            "url": SITE["url"],
            "domain": "bbs.binjiang.test",
        },
        "status": 200,
        "title": "周末兼职求推荐 - 便民信息",
        "charset": "gb18030",
        "level": pages[0]["level"],
    }
    assert pages[0]["level"] in ("high", "medium") and pages[1]["level"] == "none"

    (finding,) = read_lines(tmp_path / "findings.jsonl")
    assert finding["url"] == items[0].url and finding["score"] > 0
    assert "task_scam" in finding["categories"]
    hit = finding["hits"][0]
    assert set(hit) >= {"rule_id", "category", "matched", "snippet", "post_index"}
    assert hit["post_index"] == 1 and hit["post_author"] == "用户1"
    assert {"type": "qq", "value": "2789451230"} in finding["entities"]

    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["run_id"] == "run-1" and summary["pages"] == 2
    assert summary["sites"]["total"] == 2 and summary["sites"]["done"] == 1
    assert summary["sites"]["failed"] == 1
    assert summary["sites"]["problems"][0]["reason"] == "DNS lookup failed"
    assert summary["findings"]["pages"] == 1
    assert summary["findings"]["by_category"][0]["id"] == "task_scam"
    assert summary["findings"]["by_category"][0]["name"] == "刷单返利"
    assert summary["top_sites"][0]["id"] == "site-bbs"
    assert summary["started"] and summary["ended"] and summary["duration_seconds"] is not None
    report = (tmp_path / "report.html").read_text("utf-8")
    assert "刷单返利" in report and "滨江社区论坛" in report


def test_urls_and_icp_numbers_alone_make_no_finding(tmp_path):
    """Every footer carries the ICP number and many pages name URLs: descriptive, no finding.
    A contact or money route (here a mobile number) makes one, and its line keeps ALL entities."""
    footer = "网址 http://www.binjiang.test/about 浙ICP备05012345号-1"
    items = [
        plain_item("http://bbs.binjiang.test:8001/a.html", f"滨江区召开安全生产工作会议。{footer}"),
        plain_item(
            "http://bbs.binjiang.test:8001/b.html",
            f"失物招领：钥匙一串，请联系 13905710001 认领。{footer}",
        ),
    ]
    run_output(tmp_path, items)

    (finding,) = read_lines(tmp_path / "findings.jsonl")
    assert finding["url"] == items[1].url and finding["hits"] == []
    types = {entity["type"] for entity in finding["entities"]}
    assert types >= {"phone", "url", "icp"}
    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["pages"] == 2 and summary["findings"]["pages"] == 1


def test_identifying_entity_types_are_one_set_in_rules():
    from crawler.output import is_finding
    from rules import IDENTIFYING_ENTITY_TYPES
    from rules.entity_types import DESCRIPTIVE_ENTITY_TYPES
    from rules.result import ENTITY_TYPES

    assert IDENTIFYING_ENTITY_TYPES | DESCRIPTIVE_ENTITY_TYPES == set(ENTITY_TYPES)
    assert not IDENTIFYING_ENTITY_TYPES & DESCRIPTIVE_ENTITY_TYPES
    for kind in IDENTIFYING_ENTITY_TYPES:
        assert is_finding({"hits": [], "entities": [{"type": kind, "value": "x"}]})
    assert not is_finding(
        {
            "hits": [],
            "entities": [
                {"type": "url", "value": "http://a.test/"},
                {"type": "icp", "value": "浙ICP备1号"},
            ],
        }
    )
    assert is_finding({"hits": [{"rule_id": "r"}], "entities": []})
    assert not is_finding(None)


def test_tally_ignores_lines_that_are_no_finding():
    """findings.jsonl written before the rule (URL/ICP-only lines), read back on resume."""
    from crawler.tally import SweepTally

    tally = SweepTally()
    site = {"id": "s1", "name": "n", "url": "http://a.test/", "domain": "a.test"}
    tally.add_finding(
        {
            "url": "http://a.test/1",
            "site": site,
            "level": "none",
            "hits": [],
            "entities": [{"type": "icp", "value": "浙ICP备05012345号"}],
        }
    )
    tally.add_finding(
        {
            "url": "http://a.test/2",
            "site": site,
            "level": "none",
            "hits": [],
            "entities": [
                {"type": "wechat", "value": "abc12345"},
                {"type": "icp", "value": "浙ICP备05012345号"},
            ],
        }
    )
    assert tally.findings == 1
    assert tally.sites["s1"].entity_keys == {"wechat:abc12345", "icp:浙ICP备05012345号"}


def test_resume_continues_files_without_duplicates(tmp_path):
    first = [forum_item(), plain_item("http://bbs.binjiang.test:8001/a.html")]
    run_output(tmp_path, first)
    # the kill left half a line behind
    with (tmp_path / "pages.jsonl").open("a", encoding="utf-8") as file:
        file.write('{"url": "http://bbs.binjiang.test:8001/b.ht')
    again = [
        plain_item("http://bbs.binjiang.test:8001/a.html"),  # crawled again after restart
        plain_item("http://bbs.binjiang.test:8001/b.html"),
        forum_item("http://bbs.binjiang.test:8001/thread-3456-2-1.html"),
    ]
    crawler = run_output(tmp_path, again, resume=True)

    urls = [p["url"] for p in read_lines(tmp_path / "pages.jsonl")]
    assert len(urls) == len(set(urls)) == 4
    findings = [f["url"] for f in read_lines(tmp_path / "findings.jsonl")]
    assert len(findings) == len(set(findings)) == 2
    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["pages"] == 4 and summary["findings"]["pages"] == 2  # the whole run
    assert crawler.stats.get_value("output/duplicates_skipped") == 1


def test_a_new_run_starts_the_files_afresh(tmp_path):
    run_output(tmp_path, [forum_item()])
    run_output(tmp_path, [plain_item("http://x.test/")], resume=True, run_id="run-2")
    assert [p["url"] for p in read_lines(tmp_path / "pages.jsonl")] == ["http://x.test/"]


# --- Elasticsearch -------------------------------------------------------------------------------


def test_index_pipeline_is_off_without_elasticsearch(tmp_path, monkeypatch):
    from ground.settings import settings_with
    from indexer import client

    monkeypatch.setattr(client, "local_url", lambda settings: None)
    crawler, _ = make_crawler({"WUZHA_SETTINGS": settings_with(elasticsearch_url=None)})
    with pytest.raises(NotConfigured):
        IndexPipeline.from_crawler(crawler)


@pytest.mark.elasticsearch
def test_index_pipeline_indexes_pages_hits_site_risk_and_keeps_reviews(es_settings, es_url):
    from elasticsearch import Elasticsearch

    from ground.urls import page_id

    run_id = f"run-{uuid.uuid4().hex[:6]}"
    item_url = f"http://bbs.binjiang.test:8001/thread-{uuid.uuid4().hex[:6]}-1-1.html"

    def crawl(items):
        return run_pipelines(IndexPipeline, items, {"WUZHA_SETTINGS": es_settings}, run_id=run_id)

    crawler = crawl(
        [forum_item(item_url, run_id), plain_item(item_url + "?x=benign", run_id=run_id)]
    )
    assert crawler.stats.get_value("es/indexed") >= 3

    client = Elasticsearch(es_url)
    prefix = es_settings.index_prefix
    for kind in ("pages", "hits", "sites", "crawls"):
        client.indices.refresh(index=f"{prefix}-{kind}")
    pid = page_id(item_url)
    page = client.get(index=f"{prefix}-pages", id=pid)["_source"]
    assert page["scan"]["level"] in ("high", "medium") and page["review"]["status"] == "new"
    hits = client.search(index=f"{prefix}-hits", query={"term": {"page_id": pid}})["hits"]["hits"]
    in_posts = [h["_source"]["post"] for h in hits if h["_source"]["post"]]
    assert in_posts and all(
        post == {"index": 1, "author": "用户1", "time": None} for post in in_posts
    )
    site = client.get(index=f"{prefix}-sites", id="site-bbs")["_source"]
    assert site["risk"]["pages_crawled"] == 2 and site["risk"]["fraud_pages"] == 1
    assert site["risk"]["max_level"] in ("high", "medium")
    run = client.get(index=f"{prefix}-crawls", id=run_id)["_source"]["crawl"]
    assert run["status"] == "finished" and run["pages"] == 2 and run["sites_failed"] == 1

    # a reviewer confirms; the next crawl indexes the same page again
    client.update(
        index=f"{prefix}-pages",
        id=pid,
        doc={"review": {"status": "confirmed", "by": "李四"}},
        refresh=True,
    )
    client.update(
        index=f"{prefix}-hits",
        id=hits[0]["_id"],
        doc={"review": {"status": "confirmed", "by": "李四"}},
        refresh=True,
    )
    crawl([forum_item(item_url, run_id)])
    client.indices.refresh(index=f"{prefix}-pages")
    client.indices.refresh(index=f"{prefix}-hits")
    assert client.get(index=f"{prefix}-pages", id=pid)["_source"]["review"]["status"] == "confirmed"
    assert client.get(index=f"{prefix}-hits", id=hits[0]["_id"])["_source"]["review"] == {
        "status": "confirmed",
        "by": "李四",
    }
    client.close()


def test_a_spool_that_fills_on_the_closing_documents_halts_the_sweep(tmp_path, caplog):
    """Elasticsearch away: the pages reach the spool, then the disk fills as the sweep writes
    the sites' risks and its run document. That used to be a warning, a signal-handler error
    and finish_reason "finished" (exit 0); now the sweep is halted with its own reason."""
    from scrapy import signals

    from crawler import spoolstop
    from crawler.crawlstate import CrawlState
    from ground.settings import settings_with
    from indexer.spool import Spool

    spool = tmp_path / "spool"
    config = settings_with(elasticsearch_url="http://127.0.0.1:9", spool_dir=spool)
    crawler, spider = make_crawler({"WUZHA_SETTINGS": config})
    scan = ScanPipeline.from_crawler(crawler)
    pipeline = IndexPipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(scanned(scan, forum_item()))
    pipeline.close_spider()  # the pages are spooled
    spooled = set(Spool(spool).files())
    assert spooled
    # The disk is full now: any new batch file fails (a file where the folder was).
    moved = tmp_path / "kept"
    spool.rename(moved)
    spool.write_text("")
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert "IndexPipeline.spider_closed" not in caplog.text  # no signal-handler error
    state = crawler.get_extension(CrawlState)
    assert state.halted == spoolstop.CLOSING_REASON
    assert crawler.stats.get_value(spoolstop.ERROR_STAT)  # what the system said
    assert pipeline.unwritable is not None


@pytest.mark.elasticsearch
def test_a_spool_that_cannot_be_rewritten_on_replay_stops_the_sweep_at_its_start(
    es_settings, tmp_path
):
    from scrapy.exceptions import CloseSpider

    from crawler import spoolstop
    from indexer.bulk import action_for
    from indexer.documents import Document
    from indexer.spool import Spool

    config = es_settings.model_copy(update={"spool_dir": tmp_path / "spool"})
    spool = Spool(config.spool_path)
    refused = Document("pages", "bad-unmapped", {"not_in_mapping": 1})
    spool.write([action_for(refused, config.index_prefix)])
    spool.rejected_dir.write_text("")  # a file where the refused documents would go
    crawler, _ = make_crawler({"WUZHA_SETTINGS": config})
    pipeline = IndexPipeline.from_crawler(crawler)
    with pytest.raises(CloseSpider):
        pipeline.open_spider()
    assert crawler.stats.get_value(spoolstop.ERROR_STAT)


def test_the_closing_spool_failure_does_not_send_the_operator_to_resume():
    from crawler import spoolstop
    from wuzha.cli.crawl import _spool_advice

    assert "run the same command with --resume" in _spool_advice(spoolstop.REASON)
    closing = _spool_advice(spoolstop.CLOSING_REASON)
    assert "run the same command with --resume" not in closing
    assert "free space" in closing and "`wuzha es replay`" in closing
