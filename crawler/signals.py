"""The sweep's own signals (Scrapy's are in ``scrapy.signals``).

Connect with ``crawler.signals.connect(handler, signal=site_finished)``.
"""

from __future__ import annotations

#: A site's crawl is over and its final state settled. Arguments: ``site_id`` and ``summary``
#: (the site's entry of ``CrawlState.site_states``). Sent by :class:`crawler.crawlstate.CrawlState`.
site_finished = object()
