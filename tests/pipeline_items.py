"""Hand-made page items and a pipeline harness (a Scrapy crawler with the sweep's settings and
crawl state, without a crawl), shared by the pipeline tests in tests/crawler and tests/review."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from crawler.crawlstate import CrawlState
from crawler.items import PageItem
from crawler.pipelines import ScanPipeline

SITE = {
    "id": "site-bbs",
    "name": "滨江社区论坛",
    "url": "http://bbs.binjiang.test:8001/",
    "domain": "bbs.binjiang.test",
    "icp": None,
    "district": "滨江区",
    "type": "论坛",
    "owner": None,
    "render_js": False,
}
FRAUD_POST = "手机兼职刷单，在家可做，日结佣金，先垫付后返利，有意者加QQ 2789451230 详聊。"
BENIGN_POST = "想找个周末的兼职，离滨江近一点的，有没有人推荐？"


def forum_item(url="http://bbs.binjiang.test:8001/thread-3456-1-1.html", run_id="run-1"):
    posts = [BENIGN_POST, FRAUD_POST, "楼主别信，刷单都是骗局。"]
    text, entries, offset = "", [], 0
    for index, body in enumerate(posts):
        if text:
            text += "\n\n"
            offset += 2
        entries.append(
            {
                "index": index,
                "author": f"用户{index}",
                "time": None,
                "text": body,
                "start": offset,
                "end": offset + len(body),
            }
        )
        text += body
        offset += len(body)
    return PageItem(
        url=url,
        original_url=url,
        run_id=run_id,
        site=dict(SITE),
        status=200,
        fetched_at="2024-03-11T08:00:00+00:00",
        depth=1,
        rendered=False,
        charset="gb18030",
        charset_source="meta",
        title="周末兼职求推荐 - 便民信息",
        text=text,
        description="",
        keywords=[],
        icp=None,
        links=[],
        apk_links=[],
        qr_images=[],
        forum={
            "engine": "discuz",
            "kind": "thread",
            "board_id": "12",
            "thread_id": "3456",
            "page": 1,
        },
        posts=entries,
        content_hash="x",
    )


def plain_item(url, text="滨江区召开安全生产工作会议，部署春季安全工作。", run_id="run-1"):
    return replace(
        forum_item(url, run_id), text=text, posts=[], forum=None, title="滨江新闻", charset="utf-8"
    )


DEAD_SITE = {"id": "site-dead", "name": "关停网站", "url": "http://dead.test/"}


class FakeSweep(Spider):
    name = "sweep"


def sweep_settings(**overrides):
    """The sweep's Scrapy settings as crawler/settings.py declares them, with the crawl state
    and the page workers (reading in this process) as the only extensions and without the
    add-on (so the environment's wuzha settings stay out: a test says what it needs), and
    `overrides`."""
    from crawler import settings as declared

    values = {name: getattr(declared, name) for name in dir(declared) if name.isupper()}
    values.update(
        ADDONS={},
        EXTENSIONS={
            "crawler.crawlstate.CrawlState": 100,
            "crawler.extensions.pageworkers.PageWorkers": 300,
        },
        WUZHA_PAGE_WORKERS=0,
    )
    values.update(overrides)
    return values


def make_crawler(settings, run_id="run-1"):
    """A crawler without a crawl, whose crawl state knows two sites: site-bbs (crawled, two
    pages) and site-dead (failed: DNS lookup failed)."""
    crawler = get_crawler(FakeSweep, sweep_settings(WUZHA_RUN_ID=run_id, **settings))
    state = crawler.get_extension(CrawlState)
    state.add_sites([SITE, DEAD_SITE])
    crawled, dead = state.states["site-bbs"], state.states["site-dead"]
    for site in (crawled, dead):
        site.start()
    crawled.pages = 2
    dead.errors, dead.status, dead.reason = 3, "failed", "DNS lookup failed"
    return crawler, FakeSweep()


def close(crawler, spider, *pipelines):
    for pipeline in pipelines:
        if hasattr(pipeline, "close_spider"):
            pipeline.close_spider()
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")


def scanned(scan_pipeline, item):
    """`item` through the (async) scan pipeline, outside a crawl."""
    return asyncio.run(scan_pipeline.process_item(item))


def run_pipelines(pipeline_cls, items, settings, run_id="run-1"):
    """Scan `items` and hand them to one `pipeline_cls` (IndexPipeline, OutputPipeline) as a
    crawl would, closing signals included; returns the crawler (its stats)."""
    crawler, spider = make_crawler(settings, run_id=run_id)
    scan = ScanPipeline.from_crawler(crawler)
    pipeline = pipeline_cls.from_crawler(crawler)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(scanned(scan, item))
    close(crawler, spider, pipeline)
    return crawler
