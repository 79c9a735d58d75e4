"""A real crawl's IndexPipeline raises `recurred` on a taken-down site that shows fraud again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.pipelines import IndexPipeline
from indexer import review
from indexer.templates import alias_name
from tests.pipeline_items import SITE, forum_item, run_pipelines

pytestmark = pytest.mark.elasticsearch


def crawl(settings, run_id, items):
    return run_pipelines(IndexPipeline, items, {"WUZHA_SETTINGS": settings}, run_id=run_id)


def test_crawl_after_takedown_marks_the_site_recurred(es, rv_settings):
    url = "http://bbs.binjiang.test:8001/thread-9001-1-1.html"
    first = crawl(rv_settings, "run-recur-1", [forum_item(url, "run-recur-1")])
    assert not first.stats.get_value("review/recurred")  # nothing was taken down yet
    for status in ("confirmed", "takedown_requested", "taken_down"):
        review.mark_site(es, rv_settings, SITE["id"], status, "吴审核")

    later = forum_item(url, "run-recur-2")
    later.fetched_at = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    second = crawl(rv_settings, "run-recur-2", [later])

    assert second.stats.get_value("review/recurred") == 1
    stored = es.get(index=alias_name(rv_settings.index_prefix, "sites"), id=SITE["id"])["_source"]
    assert stored["review"]["status"] == "recurred" and stored["review"]["by"] == "wuzha"
    assert stored["review"]["previous_status"] == "taken_down"
