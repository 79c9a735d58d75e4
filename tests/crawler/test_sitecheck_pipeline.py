"""The site-check pipeline in a crawler without a crawl: page facts collected, verdicts added to
the site's state when the crawl state settles it, facts journalled so --resume judges both runs."""

from __future__ import annotations

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.crawlstate import CrawlState
from crawler.items import PageItem
from crawler.sitecheck import SiteCheckPipeline
from tests.pipeline_items import FakeSweep, sweep_settings
from tests.sitecheck.test_judge import CASINO, NOTICE, SITE, _page

HIDDEN = (
    '<div style="display:none">'
    + "".join(f'<a href="/qzv/{i}.html">鼎盛体育官网入口{i}</a>' for i in range(8))
    + "</div>"
)


def _items():
    pages = [_page("/", f"首页 - {SITE['name']}", NOTICE, extra=HIDDEN)]
    pages += [_page(f"/zwgk/t{i}.html", f"通知{i}", NOTICE) for i in range(3)]
    pages += [_page(f"/qzv/{i}.html", f"鼎盛体育官网入口{i}", CASINO) for i in range(8)]
    return [
        PageItem.from_page(
            page,
            original_url=page.url,
            run_id="run-1",
            site=dict(SITE),
            status=200,
            fetched_at="2024-03-11T08:00:00+00:00",
            depth=0 if page.url.endswith(".cn/") else 1,
            rendered=False,
        )
        for page in pages
    ]


def _crawler(job_dir, resume=False):
    crawler = get_crawler(
        FakeSweep,
        sweep_settings(WUZHA_RUN_ID="run-1", WUZHA_JOB_DIR=str(job_dir), WUZHA_RESUME=resume),
    )
    state = crawler.get_extension(CrawlState)
    state.add_sites([SITE])
    site = state.states[SITE["id"]]
    if not site.finished:
        site.start()
    pipeline = SiteCheckPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, state, pipeline


def _feed(state, pipeline, items):
    site = state.states[SITE["id"]]
    for item in items:
        site.pages += 1
        pipeline.process_item(item)


def _close(crawler, reason):
    crawler.signals.send_catch_log(signals.spider_closed, spider=FakeSweep(), reason=reason)


def test_verdicts_are_in_the_site_summary_when_the_site_settles(tmp_path):
    crawler, state, pipeline = _crawler(tmp_path / "job")
    _feed(state, pipeline, _items())
    _close(crawler, "finished")
    compromise = state.site_states[SITE["id"]]["compromise"]
    assert [v["kind"] for v in compromise] == ["spam_injected"]
    assert compromise[0]["evidence"]["parasitic_pages"] == 8
    assert crawler.stats.get_value("sitecheck/verdicts/spam_injected") == 1


def test_a_resumed_crawl_judges_the_pages_of_both_runs(tmp_path):
    items = _items()
    crawler, state, pipeline = _crawler(tmp_path / "job")
    _feed(state, pipeline, items[:7])
    _close(crawler, "shutdown")  # interrupted: the site stays unsettled
    assert state.site_states[SITE["id"]]["compromise"] == []
    assert (tmp_path / "job" / "sitefacts.jsonl").exists()

    crawler, state, pipeline = _crawler(tmp_path / "job", resume=True)
    _feed(state, pipeline, items[7:])
    _close(crawler, "finished")
    [verdict] = state.site_states[SITE["id"]]["compromise"]
    assert verdict["evidence"]["parasitic_pages"] == 8  # 3 from the first run, 5 from this one


def test_a_fresh_crawl_forgets_the_facts_of_the_last_one(tmp_path):
    crawler, state, pipeline = _crawler(tmp_path / "job")
    _feed(state, pipeline, _items()[4:])
    _close(crawler, "shutdown")
    crawler, state, pipeline = _crawler(tmp_path / "job")  # not --resume
    _feed(state, pipeline, _items()[:4])
    _close(crawler, "finished")
    assert state.site_states[SITE["id"]]["compromise"][0]["evidence"]["parasitic_pages"] == 0
