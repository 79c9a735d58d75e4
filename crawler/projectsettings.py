"""wuzha's settings as Scrapy settings: the one mapping, and the add-on that applies it.

An operator configures wuzha once (environment or ``wuzha.toml``: :class:`ground.settings.Settings`);
the Scrapy settings that follow from it are derived by :func:`scrapy_settings`, the same way for
``scrapy crawl sweep`` and ``wuzha crawl``. crawler/settings.py lists :class:`ProjectSettings`
in ``ADDONS``; its ``update_settings`` takes the Settings object from ``WUZHA_SETTINGS`` (what
``wuzha crawl`` passes for the run) or, under ``scrapy crawl``, from ``get_settings()``, and sets
the mapped values at project priority: over the defaults of crawler/settings.py, under ``-s``
and the options of one run (``crawler.run``, cmdline priority).
"""

from __future__ import annotations

from typing import Any

from crawler.chromium import CHROMIUM_ARGS
from crawler.render import PLAYWRIGHT_HANDLER
from ground.settings import Settings, get_settings


def scrapy_settings(config: Settings) -> dict[str, Any]:
    """The Scrapy settings that come from wuzha's settings (Playwright and scrapy-redis too)."""
    values: dict[str, Any] = {
        "ROBOTSTXT_OBEY": config.crawl_robots_txt,
        "CONCURRENT_REQUESTS": config.crawl_concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.crawl_concurrency_per_site,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.crawl_concurrency_per_site),
        # Scrapy applies DOWNLOAD_MAXSIZE to the body as received *and* after decompression
        # (HttpCompressionMiddleware stops a gzip/deflate/brotli bomb while inflating it).
        "DOWNLOAD_MAXSIZE": config.crawl_max_response_bytes,
        "DOWNLOAD_WARNSIZE": config.crawl_max_response_bytes // 2,
        "DOWNLOAD_TIMEOUT": config.crawl_download_timeout,
        "URLLENGTH_LIMIT": config.crawl_max_url_length,
        "WUZHA_MAX_PAGES": config.crawl_max_pages,
        "WUZHA_MAX_DEPTH": config.crawl_max_depth,
        "WUZHA_SITE_TIMEOUT": config.crawl_site_timeout,
        "WUZHA_SITE_MAX_ERRORS": config.crawl_site_max_errors,
        "WUZHA_RENDER": config.crawl_playwright,
        "WUZHA_PAGE_WORKERS": config.crawl_page_workers,
        "WUZHA_PAGE_TIME_LIMIT": config.crawl_page_time_limit,
        "WUZHA_SITECHECK_EXTRA_REQUESTS": config.sitecheck_extra_requests,
        "WUZHA_SITECHECK_CRAWLER_AGENTS": list(config.sitecheck_crawler_agents),
        "WUZHA_SITECHECK_MOBILE_AGENT": config.sitecheck_mobile_agent,
        "WUZHA_SITECHECK_SEARCH_REFERER": config.sitecheck_search_referer,
    }
    if config.crawl_playwright:
        values.update(_playwright(str(config.chromium_path)))
    if config.redis_url:
        values.update(_redis(config.redis_url))
    return values


def _playwright(chromium_path: str) -> dict[str, Any]:
    """Route http(s) through scrapy-playwright; it renders only requests with meta playwright=True
    and starts Chromium on the first of them, so a crawl that renders nothing never launches it."""
    return {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path,
            "headless": True,
            "args": CHROMIUM_ARGS,
        },
    }


def _redis(redis_url: str) -> dict[str, Any]:
    """Share the request queue and the de-duplication set between crawler processes."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "crawler.fingerprint.CanonicalRedisDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,  # the shared queue survives a process: that is the resume
        "REDIS_URL": redis_url,
        # The shared queue feeds whichever process asks first; a process idles a while before
        # closing so that pages found by the others are still picked up (their links reach
        # the queue only once a page worker has read the page: seconds on a busy machine).
        "SCHEDULER_IDLE_BEFORE_CLOSE": 10,
    }


def project_settings(settings: Any) -> Settings:
    """wuzha's settings of this crawl: the run's (``WUZHA_SETTINGS``), else the process's."""
    return settings.get("WUZHA_SETTINGS") or get_settings()


class ProjectSettings:
    """Scrapy add-on: applies :func:`scrapy_settings` to the crawl's settings."""

    def update_settings(self, settings: Any) -> None:
        settings.update(scrapy_settings(project_settings(settings)), priority="project")
