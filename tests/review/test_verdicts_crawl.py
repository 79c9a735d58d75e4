"""A crawl's IndexPipeline records each site's verdicts (``SiteState.compromise``) in the sites
index at the crawl's end: open at the first crawl, repaired when the next one, which ran
normally, no longer finds them; a site that failed keeps its verdict as it was."""

from __future__ import annotations

import pytest

from crawler.crawlstate import CrawlState
from crawler.pipelines import IndexPipeline, ScanPipeline
from indexer.templates import alias_name
from sitecheck.verdict import KINDS, Verdict
from tests.pipeline_items import DEAD_SITE, SITE, close, forum_item, make_crawler, scanned

pytestmark = pytest.mark.elasticsearch


def crawl(
    settings,
    run_id,
    verdicts: dict[str, list[dict]],
    *,
    elsewhere: bool = False,
    checked: frozenset[str] = frozenset(KINDS),
):
    """One crawl's pipeline end; `elsewhere`: another crawler process (a shared queue) crawled
    site-bbs, this one fetched none of its pages; `checked`: the verdict kinds the detectors
    looked for on every site."""
    crawler, spider = make_crawler({"WUZHA_SETTINGS": settings}, run_id=run_id)
    state = crawler.get_extension(CrawlState)
    if elsewhere:
        state.distributed, state.states[SITE["id"]].pages = True, 0
    for site_state in state.states.values():
        site_state.checked = set(checked)  # what the detectors looked for
    for site_id, records in verdicts.items():
        state.states[site_id].compromise = records  # what the detectors leave there
    scan, pipeline = ScanPipeline.from_crawler(crawler), IndexPipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.process_item(scanned(scan, forum_item(run_id=run_id)))
    close(crawler, spider, pipeline)
    return crawler


def test_the_crawl_records_verdicts_and_the_next_one_repairs_them(es, rv_settings):
    hijack = Verdict("hijack_redirect", (SITE["url"],), "mobile visitors sent to a casino")
    dead = Verdict("takeover_suspected", (DEAD_SITE["url"],), "ICP number of another entity")
    first = crawl(
        rv_settings,
        "run-verdicts-1",
        {SITE["id"]: [hijack.to_record()], DEAD_SITE["id"]: [dead.to_record()]},
    )
    assert first.stats.get_value("verdicts/opened") == 2
    sites = alias_name(rv_settings.index_prefix, "sites")
    bbs = es.get(index=sites, id=SITE["id"])["_source"]["site"]["compromise"]
    assert bbs["hijack_redirect"]["state"] == "open"
    assert bbs["hijack_redirect"]["run_id"] == "run-verdicts-1"

    # a crawler process that did not crawl site-bbs itself says nothing about its verdicts
    crawl(rv_settings, "run-verdicts-2a", {}, elsewhere=True)
    bbs = es.get(index=sites, id=SITE["id"])["_source"]["site"]["compromise"]
    assert bbs["hijack_redirect"]["state"] == "open"

    second = crawl(rv_settings, "run-verdicts-2", {})
    assert second.stats.get_value("verdicts/repaired") == 1
    bbs = es.get(index=sites, id=SITE["id"])["_source"]["site"]["compromise"]
    assert bbs["hijack_redirect"]["state"] == "repaired"
    failed = es.get(index=sites, id=DEAD_SITE["id"])["_source"]["site"]["compromise"]
    assert failed["takeover_suspected"]["state"] == "open"  # it failed: absence proves nothing


def test_a_crawl_that_did_not_look_for_a_kind_leaves_its_verdict_open(es, rv_settings):
    # e.g. a sweep with --no-render: the hijack check (a rendered mobile visit) did not run
    hijack = Verdict("hijack_redirect", (SITE["url"],), "mobile visitors sent to a casino")
    crawl(rv_settings, "run-unchecked-1", {SITE["id"]: [hijack.to_record()]})
    judged_only = frozenset({"takeover_suspected", "spam_injected", "cloaking"})
    crawl(rv_settings, "run-unchecked-2", {}, checked=judged_only)
    sites = alias_name(rv_settings.index_prefix, "sites")
    bbs = es.get(index=sites, id=SITE["id"])["_source"]["site"]["compromise"]
    assert bbs["hijack_redirect"]["state"] == "open"
