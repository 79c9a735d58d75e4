"""The crawl state extension on its own: what it admits, when a site is settled, what it tells
the others (``site_finished``), and what an interrupted sweep leaves for --resume."""

from __future__ import annotations

import pytest
from scrapy import Request, signals
from scrapy.utils.test import get_crawler

from crawler.crawlstate import SITE_ID, TOKEN, CrawlState
from crawler.signals import site_finished
from tests.pipeline_items import FakeSweep, sweep_settings

SITE = {"id": "s1", "url": "http://127.0.0.1:9/", "name": "论坛"}


def crawl_state(**settings) -> CrawlState:
    crawler = get_crawler(FakeSweep, sweep_settings(**settings))
    state = crawler.get_extension(CrawlState)
    state.add_sites([SITE])
    return state


def test_the_run_id_is_the_one_given_or_a_new_one():
    assert crawl_state(WUZHA_RUN_ID="run-7").run_id == "run-7"
    assert len({crawl_state().run_id for _ in range(3)}) == 3


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        ("http://127.0.0.1:9/a.html?utm_source=wx", "http://127.0.0.1:9/a.html"),
        ("mailto:x@example.cn", None),
        ("http://127.0.0.1:9/" + "a/" * 20, None),  # trap: path too deep
    ],
)
def test_admit_gives_the_canonical_url_or_none(url, admitted):
    state = crawl_state()
    site = state.site("s1")
    assert state.admit(site, url, depth=1, priority=0, render=False) == admitted
    # the same page again is never admitted twice
    assert state.admit(site, url, depth=1, priority=0, render=False) is None


def test_the_page_budget_stops_admitting():
    state = crawl_state(WUZHA_MAX_PAGES=2)
    site = state.site("s1")
    urls = [f"http://127.0.0.1:9/{n}.html" for n in range(3)]
    assert [state.admit(site, u, depth=1, priority=0, render=False) for u in urls] == [
        *urls[:2],
        None,
    ]
    assert site.budget_hit


def test_a_site_is_settled_when_its_last_token_comes_back_and_others_hear_of_it():
    state = crawl_state()
    heard = []

    def on_finished(site_id, summary):
        heard.append((site_id, summary["status"]))

    state.signals.connect(on_finished, signal=site_finished)
    site = state.site("s1")
    state.activate(site)
    first, second = state.take_token(site), state.take_token(site)
    site.pages = 1
    state.release(site, first)
    assert not site.finished and heard == []
    state.release(site, second)
    assert site.finished and heard == [("s1", "done")]
    assert state.site_states["s1"]["status"] == "done"


@pytest.mark.parametrize(("reason", "settled"), [("finished", True), ("shutdown", False)])
def test_closing_settles_running_sites_only_when_the_sweep_finished(reason, settled):
    state = crawl_state()
    site = state.site("s1")
    state.activate(site)
    state.take_token(site)  # still in flight
    state.spider_closed(FakeSweep(), reason)
    assert site.finished is settled
    assert state.site_states["s1"]["status"] == ("failed" if settled else "running")


def test_a_page_emitted_once_is_not_emitted_again():
    state = crawl_state()
    site = state.site("s1")
    url = "http://127.0.0.1:9/"
    assert state.emit(site, url, url, state.take_token(site))
    assert not state.emit(site, url, url, state.take_token(site))
    assert site.pages == 1 and state.stats.get_value("sweep/skipped/already_emitted") == 1


def test_the_journal_gets_the_run_id_and_a_resume_keeps_it(tmp_path):
    job = str(tmp_path / "job")
    first = crawl_state(WUZHA_JOB_DIR=job)
    first.journal.close()
    again = crawl_state(WUZHA_JOB_DIR=job, WUZHA_RESUME=True)
    assert again.resumed is not None and again.run_id == first.run_id
    fresh = crawl_state(WUZHA_JOB_DIR=job)
    assert fresh.resumed is None and fresh.run_id != first.run_id


def test_a_dropped_request_gives_its_token_back():
    crawler = get_crawler(FakeSweep, sweep_settings())
    state = crawler.get_extension(CrawlState)
    state.add_sites([SITE])
    site = state.site("s1")
    state.activate(site)
    request = Request(SITE["url"], meta={SITE_ID: "s1", TOKEN: state.take_token(site)})
    crawler.signals.send_catch_log(signals.request_dropped, request=request, spider=FakeSweep())
    assert site.finished and not site.tokens


def test_a_resume_keeps_the_verdicts_of_the_sites_finished_before_the_kill(tmp_path):
    job = str(tmp_path / "job")
    first = crawl_state(WUZHA_JOB_DIR=job)
    site = first.site("s1")
    first.activate(site)
    token = first.take_token(site)
    site.pages = 1
    site.compromise = [{"kind": "cloaking", "evidence": {"urls": [SITE["url"]], "detail": "d"}}]
    first.release(site, token)  # finished and journalled with its verdicts
    first.journal.close()
    again = crawl_state(WUZHA_JOB_DIR=job, WUZHA_RESUME=True)
    assert again.site_states["s1"]["status"] == "done"
    assert again.site_states["s1"]["compromise"] == site.compromise


def test_the_finish_reason_of_a_halted_sweep_is_why_it_was_halted():
    state = CrawlState.from_crawler(get_crawler(FakeSweep, sweep_settings()))
    assert state.finish_reason("finished") == "finished"
    state.halt("spool_unwritable_closing")  # halted while closing: Scrapy still says finished
    assert state.finish_reason("finished") == "spool_unwritable_closing"
