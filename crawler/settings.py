"""Scrapy settings of the wuzha crawler: the one place their defaults live.

``scrapy crawl sweep -a sites=FILE`` reads this module (scrapy.cfg points here); ``wuzha crawl``
starts from it too and overrides what its options say (see :func:`crawl_settings`). Values an
operator may want to change come from :class:`ground.settings.Settings` (environment or
``wuzha.toml``), so there is one source for them.

Settings of our own components are prefixed ``WUZHA_`` (read by the spider, middlewares and
pipelines through ``crawler.settings``):

* ``WUZHA_RUN_ID`` – id of this crawl run (set per run by ``wuzha crawl``; generated if empty);
* ``WUZHA_OUT_DIR`` – where the pipelines write pages.jsonl/findings.jsonl/summary.json/report.html
  (empty: no files);
* ``WUZHA_JOB_DIR`` – the crawl journal that makes ``--resume`` exact (see crawler/journal.py);
* ``WUZHA_RESUME`` – continue the job in WUZHA_JOB_DIR instead of starting afresh;
* ``WUZHA_ALLOW_PRIVATE`` – networks exempt from the SSRF guard (tests and the demo only);
* ``WUZHA_CONFIG`` – the :class:`ground.settings.Settings` object of the run (pipelines use it to
  reach Elasticsearch); unset under ``scrapy crawl``: they call ``get_settings()``.
"""

from __future__ import annotations

from typing import Any

from crawler.chromium import CHROMIUM_ARGS
from ground.settings import Settings, get_settings

BOT_NAME = "wuzha"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Say who we are: site owners who see us in their logs can find out why.
USER_AGENT = "Mozilla/5.0 (compatible; wuzha/0.1; fraud-content sweep of registered sites)"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# --- politeness ---------------------------------------------------------------------------
# Every request carries meta["download_slot"] = its site's registry id, so the "per domain"
# limits below are per *site* (farm sites all live on 127.0.0.1 and differ only by port).
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25  # first delay per site; AutoThrottle then follows the latency
AUTOTHROTTLE_MAX_DELAY = 30.0
DOWNLOAD_DELAY = 0  # the floor AutoThrottle may go down to
COOKIES_ENABLED = True  # forums (Discuz!) hand out a guest cookie before showing threads

# --- breadth-first within a site, sites interleaved by the downloader-aware queue ---------
# The spider sets meta["depth"] and the priority itself (forum paging keeps its depth, threads
# before boards before other pages, shallower first), so Scrapy's DepthMiddleware is off.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.depth.DepthMiddleware": None}
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# De-duplication on ground.urls.canonical_url (tracking and session parameters stripped).
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalRequestFingerprinter"

# --- retries and caps -----------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
REDIRECT_MAX_TIMES = 5  # a site needing more is broken or hostile
METAREFRESH_MAXDELAY = 10
HTTPERROR_ALLOW_ALL = True  # the spider records 4xx/5xx per site instead of losing them
# Every status reaches the spider, which decides; robots.txt and redirects still work as usual.

# --- components -----------------------------------------------------------------------------
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own offsite filter needs allowed_domains; our scope does that job per site.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.ssrf.SSRFGuardMiddleware": 40,  # before robots.txt is even fetched
    "crawler.middlewares.urlcap.URLCapMiddleware": 45,  # redirects too, not just spider links
    "crawler.middlewares.sitebudget.SiteBudgetMiddleware": 60,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,  # no remote shell on a crawler box
    # Before the progress display: it settles the sites on spider_closed before that reports.
    "crawler.crawlstate.CrawlState": 100,
    "crawler.extensions.progress.CrawlProgress": 500,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ScanPipeline": 300,  # rule engine: item.scan
    "crawler.pipelines.IndexPipeline": 400,  # Elasticsearch (off when none is configured)
    "crawler.pipelines.OutputPipeline": 500,  # WUZHA_OUT_DIR files (off when unset)
}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0

# --- scrapy-playwright (only switched on by `playwright_settings` when a crawl may render) ---
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # 8 tabs at most: Chromium costs ~50-100 MB per tab
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 15_000  # ms
PLAYWRIGHT_ABORT_REQUEST = "crawler.playwright.abort_request"

# --- our own components -----------------------------------------------------------------------
WUZHA_RUN_ID = ""
WUZHA_OUT_DIR = ""
WUZHA_JOB_DIR = ""
WUZHA_RESUME = False
WUZHA_ALLOW_PRIVATE: list[str] = []
WUZHA_SITE_MAX_ERRORS = 8  # consecutive network errors/5xx before a site is given up (config)
WUZHA_RENDER = True
WUZHA_RENDER_MIN_TEXT = 80  # fewer characters of text than this + scripts => render it
WUZHA_ACTIVE_SITES = 0  # sites crawled at once; 0: CONCURRENT_REQUESTS / per-site limit * 2
WUZHA_TRAP_MAX_QUERY_VARIANTS = 12
WUZHA_TRAP_MAX_PAGE_NUMBER = 30
WUZHA_TRAP_MAX_OFFSETS = 30
WUZHA_TRAP_DATE_WINDOW_DAYS = 366
WUZHA_PROGRESS_CALLBACK = None  # callable(snapshot: dict), set by `wuzha crawl`
WUZHA_PROGRESS_INTERVAL = 0.5


def from_config(config: Settings) -> dict[str, Any]:
    """The Scrapy settings that come from wuzha's configuration."""
    return {
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
        "WUZHA_CHROMIUM_PATH": str(config.chromium_path),
    }


def playwright_settings(chromium_path: str) -> dict[str, Any]:
    """Route http(s) through scrapy-playwright; it renders only requests with meta playwright=True
    and starts Chromium on the first of them, so a crawl that renders nothing never launches it."""
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path,
            "headless": True,
            "args": CHROMIUM_ARGS,
        },
    }


def redis_settings(redis_url: str) -> dict[str, Any]:
    """Share the request queue and the de-duplication set between crawler processes."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "crawler.fingerprint.CanonicalRedisDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,  # the shared queue survives a process: that is the resume
        "REDIS_URL": redis_url,
        # The shared queue feeds whichever process asks first; a process idles a little before
        # closing so that pages found by the others are still picked up.
        "SCHEDULER_IDLE_BEFORE_CLOSE": 2,
    }


_config = get_settings()
globals().update(from_config(_config))
if _config.crawl_playwright:
    globals().update(playwright_settings(str(_config.chromium_path)))
if _config.redis_url:
    globals().update(redis_settings(_config.redis_url))
