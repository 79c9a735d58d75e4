"""Two crawler processes share one queue and one seen-set through Redis (scrapy-redis):
together they crawl the farm, and no page is fetched twice."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from farm import build_farm
from farm.runner import free_base_port, running
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, sites_from_truth
from tests.crawler.helpers import read_jsonl, run_wuzha, start_wuzha

pytestmark = [pytest.mark.redis, pytest.mark.slow]

KINDS = {"news_portal", "discuz_forum", "local_news_gbk", "company", "phpbb_forum", "bom_site"}


def test_two_processes_share_the_crawl(redis_url, tmp_path):
    import redis

    farm = build_farm(12, base_port=free_base_port(12))
    with running(farm, control=True) as handle:
        truth = farm.truth()
        sites = sites_from_truth(truth, tmp_path / "sites.jsonl", only=lambda s: s["kind"] in KINDS)
        # the site-check variants fetch home pages again on purpose: off, this is about pages
        env = {**CRAWL_ENV, "REDIS_URL": redis_url, "WUZHA_SITECHECK_EXTRA_REQUESTS": "0"}
        common = ["crawl", "--sites", str(sites), "--no-render", *CRAWL_ARGS]
        first = start_wuzha([*common, "--out", str(tmp_path / "a")], tmp_path / "a.jsonl", env=env)
        time.sleep(2.0)  # the first process creates (flushes) the shared queue; the second joins
        second = run_wuzha(
            [*common, "--out", str(tmp_path / "b"), "--resume"], tmp_path / "b.jsonl", env=env
        )
        assert first.wait(240) == 0
        assert second.returncode == 0, second.stderr[-3000:]
        fetched = Counter(
            (r["port"], r["path"]) for r in handle.requests() if r["path"] != "/robots.txt"
        )
    assert fetched, "nothing was fetched"
    assert [key for key, n in fetched.items() if n > 1] == []
    pages_a = read_jsonl(tmp_path / "a" / "pages.jsonl")
    pages_b = read_jsonl(tmp_path / "b" / "pages.jsonl")
    assert pages_a and pages_b, "both processes took part"
    assert not {p["url"] for p in pages_a} & {p["url"] for p in pages_b}
    redis.Redis.from_url(redis_url).flushdb()
