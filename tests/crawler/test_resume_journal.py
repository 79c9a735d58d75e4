"""The crawl journal: what a resumed crawl learns from an interrupted one."""

from __future__ import annotations

import asyncio
import json

from crawler.crawlstate import CrawlState
from crawler.items import PageItem
from crawler.journal import Journal
from tests.pipeline_items import sweep_settings


def test_pending_is_requested_minus_done_and_torn_lines_are_ignored(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    for n in range(4):
        journal.requested(f"http://a.cn/{n}", "s1", depth=1, render=False, priority=0)
    journal.finished("http://a.cn/0", "http://a.cn/0")
    journal.finished("http://a.cn/1")  # failed for good: done, nothing emitted
    journal.site_finished("s2", {"status": "done", "pages": 3, "errors": 0, "reason": ""})
    journal.close()
    with (tmp_path / "job" / "done.jsonl").open("a") as fh:
        fh.write('{"u": "http://a.cn/2", "it')  # the process died in the middle of this write

    state = Journal(tmp_path / "job").load()
    assert state.run_id == "run1"
    assert [e["u"] for e in state.pending()] == ["http://a.cn/2", "http://a.cn/3"]
    assert state.emitted == {"http://a.cn/0"}
    assert state.finished_sites["s2"]["pages"] == 3


def test_pages_in_the_output_count_as_emitted(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    journal.requested("http://a.cn/x", "s1", depth=0, render=False, priority=0)
    journal.close()
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"url": "http://a.cn/x"}) + "\n")
    state = Journal(tmp_path / "job").load(pages)
    # written by the pipeline just before the kill, before the journal heard of it
    assert "http://a.cn/x" in state.emitted


def test_a_fresh_start_forgets_the_old_job(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    journal.requested("http://a.cn/x", "s1", depth=0, render=False, priority=0)
    journal.close()
    Journal(tmp_path / "job").start("run2", fresh=True)
    state = Journal(tmp_path / "job").load()
    assert state.run_id == "run2" and not state.requests


def test_a_record_appended_after_a_torn_line_survives_the_next_resume(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    journal.requested("http://a.cn/0", "s1", depth=0, render=False, priority=0)
    journal.close()
    with (tmp_path / "job" / "requests.jsonl").open("a") as fh:
        fh.write('{"u": "http://a.cn/1", "s"')  # killed mid-write

    resumed = Journal(tmp_path / "job")
    resumed.start("run1", fresh=False)
    resumed.requested("http://a.cn/2", "s1", depth=1, render=False, priority=0)
    resumed.close()
    # killed again: the second resume must still know the first resume's request
    assert list(Journal(tmp_path / "job").load().requests) == ["http://a.cn/0", "http://a.cn/2"]


# --- the spider's replay of a journal ---------------------------------------------------------

SITE = "http://127.0.0.1:9/"
THREADS = [f"http://127.0.0.1:9/viewtopic.php?t={n}" for n in range(1, 7)]


def _resumed_spider(tmp_path, *, crawling=False):
    job = tmp_path / "job"
    journal = Journal(job)
    journal.start("run1", fresh=True)
    journal.requested(SITE, "s1", depth=0, render=False, priority=0)
    for url in THREADS:  # the board page's links: journalled, then only in the killed queue
        journal.requested(url, "s1", depth=1, render=False, priority=19)
    journal.finished(SITE, SITE)
    journal.close()
    return _spider_on_job(tmp_path, crawling=crawling)


def _spider_on_job(tmp_path, *, crawling=False):
    """The sweep spider over the journal in tmp_path/job, opened as a crawl opens it."""
    from scrapy import signals
    from scrapy.utils.test import get_crawler

    from crawler.spiders.sweep import SweepSpider

    crawler = get_crawler(
        SweepSpider,
        sweep_settings(
            WUZHA_JOB_DIR=str(tmp_path / "job"),
            WUZHA_RESUME=True,
            WUZHA_RENDER=False,
            DOWNLOAD_HANDLERS={},
            # the sweep's own pages here; the site checks' variants: test_sitecheck_e2e
            WUZHA_SITECHECK_EXTRA_REQUESTS=0,
        ),
    )
    spider = SweepSpider.from_crawler(
        crawler, site_list=[{"id": "s1", "url": SITE, "name": "论坛"}]
    )
    crawler.crawling = crawling  # as Crawler.crawl() sets it before the spider opens
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    state = crawler.get_extension(CrawlState)
    return spider, state, state.states["s1"]


def _item_done(spider, item):
    """The item went through the pipelines (Scrapy's item_scraped signal)."""
    from scrapy import signals

    spider.crawler.signals.send_catch_log(
        signals.item_scraped, item=item, response=None, spider=spider
    )


def _outputs(callback):
    """What an (async) spider callback yields."""

    async def collect():
        return [output async for output in callback]

    return asyncio.run(collect())


async def _answer_404(spider, request):
    from scrapy.http import HtmlResponse

    response = HtmlResponse(request.url, status=404, body=b"", request=request)
    assert [output async for output in spider.parse_page(response)] == []


def test_a_resumed_site_gets_its_whole_frontier_back_even_when_requests_return_one_by_one(tmp_path):
    """Scrapy pulls start requests lazily: each resumed request may be fetched and answered
    before the next is pulled. The site must not be settled in between, dropping the rest."""
    spider, _, state = _resumed_spider(tmp_path)

    async def replay():
        handed = []
        async for request in spider.start():
            handed.append(request.url)
            await _answer_404(spider, request)  # fetched and finished before the next is pulled
        return handed

    handed = asyncio.run(replay())
    assert handed == THREADS
    assert state.finished and state.requested == 1 + len(THREADS)
    done = [
        json.loads(line)["u"] for line in (tmp_path / "job" / "done.jsonl").read_text().splitlines()
    ]
    assert done[1:] == THREADS


def test_a_site_is_settled_only_when_its_last_page_is_through_the_pipelines(tmp_path):
    """Journalled as finished while a page was still in the pipelines, a site killed at that
    moment would be skipped on resume and the page lost."""
    from scrapy.http import HtmlResponse

    spider, _, state = _resumed_spider(tmp_path)

    async def first():
        return [r async for r in spider.start()]

    requests = asyncio.run(first())
    for request in requests[1:]:
        asyncio.run(_answer_404(spider, request))
    body = ("<html><body><p>" + "正文" * 60 + "</p></body></html>").encode()
    response = HtmlResponse(
        requests[0].url,
        body=body,
        request=requests[0],
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    [item] = _outputs(spider.parse_page(response))
    assert not state.finished  # the item is still on its way to pages.jsonl
    _item_done(spider, item)
    assert state.finished
    sites = (tmp_path / "job" / "sites.jsonl").read_text().splitlines()
    assert [json.loads(line)["s"] for line in sites] == ["s1"]


# --- written to the files is not the same as indexed -------------------------------------------


def test_done_pages_the_index_never_got_are_listed_for_fetching_again(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    for n in range(4):
        journal.requested(f"http://a.cn/{n}", "s1", depth=1, render=False, priority=3)
    journal.finished("http://a.cn/0", "http://a.cn/0")
    journal.finished("http://a.cn/1", "http://a.cn/moved")  # redirected: the item has its own URL
    journal.finished("http://a.cn/2")  # failed for good: nothing to index
    journal.indexed(["http://a.cn/0"])  # its batch was sent; /moved was still in the buffer
    journal.close()
    state = Journal(tmp_path / "job").load()
    assert state.indexed == {"http://a.cn/0"}
    assert [(e["u"], e["d"], e["p"]) for e in state.unindexed()] == [("http://a.cn/1", 1, 3)]
    assert [e["u"] for e in state.pending()] == ["http://a.cn/3"]
    Journal(tmp_path / "job").start("run2", fresh=True)
    assert not Journal(tmp_path / "job").load().indexed  # a fresh start forgets it too


def _page_response(request, text="正文"):
    from scrapy.http import HtmlResponse

    links = "".join(f'<a href="{url}">帖子{n}</a>' for n, url in enumerate(THREADS))
    body = f"<html><body><p>{text * 60}</p>{links}</body></html>".encode()
    return HtmlResponse(
        request.url,
        body=body,
        request=request,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def test_a_done_page_missing_from_the_index_is_sent_again_once_without_counting_twice(tmp_path):
    """Killed while the board page sat in the bulk writer's buffer: done and in pages.jsonl,
    never in Elasticsearch. With indexing on, the resume fetches it again and emits it for the
    index, without following its links (they are journalled) or counting it as a new page."""
    spider, crawl, state = _resumed_spider(tmp_path)
    assert crawl.track_indexing() is crawl.journal
    pages_before, requested_before = state.pages, state.requested

    async def start():
        return [r async for r in spider.start()]

    requests = asyncio.run(start())
    assert [r.url for r in requests] == [*THREADS, SITE]
    again = requests[-1]
    assert again.dont_filter and again.meta["wz_reindex"] and again.meta["depth"] == 0
    for request in requests[:-1]:
        asyncio.run(_answer_404(spider, request))
    outputs = _outputs(spider.parse_page(_page_response(again)))
    assert [o.url for o in outputs if isinstance(o, PageItem)] == [SITE]
    assert not [o for o in outputs if not isinstance(o, PageItem)]  # links not followed again
    assert (state.pages, state.requested) == (pages_before, requested_before)
    _item_done(spider, outputs[0])
    assert state.finished
    # a second fetch of it in the same run (another link to it) is not emitted again
    outputs = _outputs(spider.parse_page(_page_response(again)))
    assert [o for o in outputs if isinstance(o, PageItem)] == []


def test_without_indexing_or_once_indexed_a_done_page_is_not_fetched_again(tmp_path):
    spider, crawl, _ = _resumed_spider(tmp_path)  # no index pipeline: the files are all there is

    async def start(s):
        return [r.url async for r in s.start()]

    assert asyncio.run(start(spider)) == THREADS
    crawl.journal.close()
    journal = Journal(tmp_path / "job")
    journal.indexed([SITE])
    journal.close()
    spider, crawl, _ = _spider_on_job(tmp_path)
    crawl.track_indexing()
    assert asyncio.run(start(spider)) == THREADS


def test_a_render_closed_by_the_shutdown_is_retried_on_resume_not_the_sites_failure(tmp_path):
    """Ctrl-C while Chromium renders the site's only page: Playwright fails the page with
    TargetClosedError. That is the shutdown's doing: the site stays unsettled (no "failed: 0
    pages"), and the request stays pending, so --resume fetches it again."""
    from playwright._impl._errors import TargetClosedError
    from twisted.python.failure import Failure

    spider, crawl, state = _resumed_spider(tmp_path, crawling=True)

    async def first_request():
        async for request in spider.start():
            return request

    request = asyncio.run(first_request())
    spider.crawler.crawling = False  # what Crawler.stop() does first on Ctrl-C / SIGTERM
    failure = Failure(TargetClosedError("Target page, context or browser has been closed"))
    failure.request = request
    spider.on_error(failure)

    assert (state.errors, state.status, state.finished) == (0, "running", False)
    crawl.spider_closed(spider, "shutdown")
    assert request.url in {e["u"] for e in Journal(tmp_path / "job").load().pending()}
