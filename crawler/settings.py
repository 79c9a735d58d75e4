"""Scrapy settings of the wuzha crawler: the one place their defaults live.

``scrapy crawl sweep -a sites=FILE`` reads this module (scrapy.cfg points here); ``wuzha crawl``
starts from it too and adds the options of its run (``crawler.run``). Nothing here reads the
environment: values an operator may change are wuzha's settings (:class:`ground.settings.Settings`,
from the environment or ``wuzha.toml``), mapped onto the keys below by the add-on
:class:`crawler.projectsettings.ProjectSettings` when a crawl starts. Where a key takes its value
from there, its default here is that setting's default (``default_of``), so each number lives once.

Settings of our own components are prefixed ``WUZHA_``:

* ``WUZHA_SETTINGS`` – the run's :class:`ground.settings.Settings` object (``wuzha crawl`` sets
  it); unset under ``scrapy crawl``: the add-on and the pipelines call ``get_settings()``;
* ``WUZHA_RUN_ID`` – id of this crawl run (set per run by ``wuzha crawl``; generated if empty);
* ``WUZHA_OUT_DIR`` – where the pipelines write pages.jsonl/findings.jsonl/summary.json/report.html
  (empty: no files);
* ``WUZHA_JOB_DIR`` – the crawl journal that makes ``--resume`` exact (see crawler/journal.py);
* ``WUZHA_RESUME`` – continue the job in WUZHA_JOB_DIR instead of starting afresh;
* ``WUZHA_ALLOW_PRIVATE`` – networks exempt from the SSRF guard (tests and the demo only);
* ``WUZHA_MAX_PAGES``, ``WUZHA_MAX_DEPTH``, ``WUZHA_SITE_TIMEOUT``, ``WUZHA_SITE_MAX_ERRORS`` –
  each site's budgets (crawler/sitestate.py);
* ``WUZHA_RENDER``, ``WUZHA_RENDER_MIN_TEXT`` – JavaScript rendering (crawler/render.py);
* ``WUZHA_PAGE_WORKERS``, ``WUZHA_PAGE_TIME_LIMIT`` – the worker processes that read and scan
  pages, and each page's time limit there (crawler/extensions/pageworkers.py);
* ``WUZHA_SITECHECK_*`` – the site checks' extra requests (crawler/variants.py);
* ``WUZHA_ACTIVE_SITES`` – sites crawled at once;
* ``WUZHA_TRAP_*`` – the spider-trap rules (``crawler.scope.TrapLimits``);
* ``WUZHA_PROGRESS_CALLBACK``, ``WUZHA_PROGRESS_INTERVAL`` – the live display
  (crawler/extensions/progress.py).
"""

from __future__ import annotations

from crawler.scope import TrapLimits
from ground.settings import default_of

BOT_NAME = "wuzha"
# wuzha's settings -> the keys marked "(add-on)" below, Playwright and scrapy-redis.
ADDONS = {"crawler.projectsettings.ProjectSettings": 0}
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
ROBOTSTXT_OBEY = default_of("crawl_robots_txt")  # (add-on)
CONCURRENT_REQUESTS = default_of("crawl_concurrency")  # (add-on)
CONCURRENT_REQUESTS_PER_DOMAIN = default_of("crawl_concurrency_per_site")  # (add-on)
AUTOTHROTTLE_TARGET_CONCURRENCY = float(CONCURRENT_REQUESTS_PER_DOMAIN)  # (add-on)
DOWNLOAD_TIMEOUT = default_of("crawl_download_timeout")  # (add-on)

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
# as Scrapy: a refresh inside <noscript> is for browsers without scripts
METAREFRESH_IGNORE_TAGS = ["noscript"]
URLLENGTH_LIMIT = default_of("crawl_max_url_length")  # (add-on) redirects too: URLCapMiddleware
# Applied to the body as received and after decompression (a compression bomb stops there).
DOWNLOAD_MAXSIZE = default_of("crawl_max_response_bytes")  # (add-on)
DOWNLOAD_WARNSIZE = DOWNLOAD_MAXSIZE // 2  # (add-on)
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
    # An HTTP `Refresh:` header is a redirect too: after RedirectMiddleware (600), before
    # MetaRefreshMiddleware (580), as a browser reads the header before the page.
    "crawler.middlewares.refresh.RefreshHeaderMiddleware": 590,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,  # no remote shell on a crawler box
    # Before the progress display: it settles the sites on spider_closed before that reports.
    "crawler.crawlstate.CrawlState": 100,
    # Queued and in-flight downloads of a site end with its wall-time budget.
    "crawler.extensions.sitecutoff.SiteCutoff": 200,
    # Reads and scans pages off the download thread, each under a time limit.
    "crawler.extensions.pageworkers.PageWorkers": 300,
    "crawler.extensions.progress.CrawlProgress": 500,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ScanPipeline": 300,  # rule engine: item.scan
    "crawler.sitecheck.SiteCheckPipeline": 350,  # page facts → site verdicts (state.compromise)
    "crawler.pipelines.IndexPipeline": 400,  # Elasticsearch (off when none is configured)
    "crawler.pipelines.OutputPipeline": 500,  # WUZHA_OUT_DIR files (off when unset)
}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0

# --- scrapy-playwright (its download handlers are installed by the add-on when a crawl may render)
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # 8 tabs at most: Chromium costs ~50-100 MB per tab
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 15_000  # ms
PLAYWRIGHT_ABORT_REQUEST = "crawler.playwright.abort_request"
# Chromium behind the crawl's guard proxy: every connection it makes passes the address guard.
PLAYWRIGHT_BROWSER_PROVIDER = "crawler.browserprovider.GuardedBrowserProvider"

# --- our own components -----------------------------------------------------------------------
WUZHA_SETTINGS = None  # ground.settings.Settings of the run; None: get_settings()
WUZHA_RUN_ID = ""
WUZHA_OUT_DIR = ""
WUZHA_JOB_DIR = ""
WUZHA_RESUME = False
WUZHA_ALLOW_PRIVATE: list[str] = []
# Each site's budgets.
WUZHA_MAX_PAGES = default_of("crawl_max_pages")  # (add-on)
WUZHA_MAX_DEPTH = default_of("crawl_max_depth")  # (add-on)
WUZHA_SITE_TIMEOUT = default_of("crawl_site_timeout")  # (add-on) seconds of wall time
WUZHA_SITE_MAX_ERRORS = default_of("crawl_site_max_errors")  # (add-on) consecutive failures
WUZHA_RENDER = default_of("crawl_playwright")  # (add-on) renders only with Playwright's handler
WUZHA_RENDER_MIN_TEXT = 80  # fewer characters of text than this + scripts => render it
# Pages read and scanned in worker processes, each under a time limit (crawler/extensions/pageworkers.py).
WUZHA_PAGE_WORKERS = default_of("crawl_page_workers")  # (add-on) 0: in this process, no limit
WUZHA_PAGE_TIME_LIMIT = default_of("crawl_page_time_limit")  # (add-on) seconds per page and task
# The site checks' extra requests (crawler/variants.py).
WUZHA_SITECHECK_EXTRA_REQUESTS = default_of("sitecheck_extra_requests")  # (add-on)
WUZHA_SITECHECK_CRAWLER_AGENTS = list(default_of("sitecheck_crawler_agents"))  # (add-on)
WUZHA_SITECHECK_MOBILE_AGENT = default_of("sitecheck_mobile_agent")  # (add-on)
WUZHA_SITECHECK_SEARCH_REFERER = default_of("sitecheck_search_referer")  # (add-on)
WUZHA_ACTIVE_SITES = 0  # sites crawled at once; 0: CONCURRENT_REQUESTS / per-site limit * 2
WUZHA_TRAP_MAX_QUERY_VARIANTS = TrapLimits.max_query_variants  # sort/filter combinations
WUZHA_TRAP_MAX_PAGE_NUMBER = TrapLimits.max_page_number  # deepest page of a list or thread
WUZHA_TRAP_MAX_OFFSETS = TrapLimits.max_offsets  # distinct start=/offset= values of a list
WUZHA_TRAP_DATE_WINDOW_DAYS = TrapLimits.date_window_past_days  # calendar pages in the past
WUZHA_PROGRESS_CALLBACK = None  # callable(snapshot: dict), set by `wuzha crawl`
WUZHA_PROGRESS_INTERVAL = 0.5  # seconds between snapshots
