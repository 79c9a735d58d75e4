"""The crawler's Scrapy settings: every WUZHA_* key declared once, defaults taken from wuzha's
settings, and one mapping from those onto Scrapy's applied by the add-on."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings as ScrapySettings

from crawler import settings as declared
from crawler.projectsettings import scrapy_settings
from ground.settings import Settings, settings_with

CRAWLER = Path(declared.__file__).parent


def test_every_wuzha_key_the_crawler_reads_is_declared():
    read = set()
    for path in CRAWLER.rglob("*.py"):
        read |= set(re.findall(r"get\w*\(\s*\"(WUZHA_[A-Z_]+)\"", path.read_text("utf-8")))
    assert read, "no settings found: the pattern is stale"
    assert sorted(read - set(dir(declared))) == []


def test_declared_defaults_are_wuzha_defaults():
    """A key mapped from wuzha's settings has that setting's default: one number, one place."""
    for key, value in scrapy_settings(Settings.model_construct()).items():
        if hasattr(declared, key) and key not in ("DOWNLOAD_HANDLERS",):
            assert getattr(declared, key) == value, key


def test_the_module_does_no_import_time_work(monkeypatch):
    monkeypatch.setenv("WUZHA_CRAWL_MAX_PAGES", "7")
    assert importlib.reload(declared).WUZHA_MAX_PAGES == 200


def _applied(config: Settings | None = None, **cmdline) -> ScrapySettings:
    from crawler.spiders.sweep import SweepSpider

    settings = ScrapySettings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict({"WUZHA_SETTINGS": config, **cmdline}, priority="cmdline")
    crawler = Crawler(SweepSpider, settings)
    crawler.addons.load_settings(crawler.settings)
    return crawler.settings


def test_the_add_on_maps_wuzha_settings_under_the_command_line():
    config = settings_with(crawl_max_pages=7, crawl_concurrency_per_site=3, crawl_playwright=False)
    applied = _applied(config, CONCURRENT_REQUESTS=5)
    assert applied.getint("WUZHA_MAX_PAGES") == 7
    assert applied.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert applied.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") == 3.0
    assert applied.getint("CONCURRENT_REQUESTS") == 5  # -s / the run's options win
    assert applied.getdict("DOWNLOAD_HANDLERS") == {}


@pytest.mark.parametrize("playwright", [True, False])
def test_playwright_only_when_it_may_render(playwright):
    applied = _applied(settings_with(crawl_playwright=playwright))
    handler = applied.getdict("DOWNLOAD_HANDLERS").get("http", "")
    assert handler.endswith("ScrapyPlaywrightDownloadHandler") is playwright
    assert applied.getbool("WUZHA_RENDER") is playwright


def test_redis_shares_queue_and_seen_set():
    applied = _applied(settings_with(redis_url="redis://127.0.0.1:1/0"))
    assert applied.get("SCHEDULER") == "scrapy_redis.scheduler.Scheduler"
    assert applied.get("DUPEFILTER_CLASS") == "crawler.fingerprint.CanonicalRedisDupeFilter"
    assert applied.get("REDIS_URL") == "redis://127.0.0.1:1/0"
