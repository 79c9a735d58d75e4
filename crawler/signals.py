"""The sweep's own signals (Scrapy's are in ``scrapy.signals``).

Connect with ``crawler.signals.connect(handler, signal=site_finished)``.
"""

from __future__ import annotations

#: A site's crawl is over and its final state settled. Arguments: ``site_id`` and ``summary``
#: (the site's entry of ``CrawlState.site_states``). Sent by :class:`crawler.crawlstate.CrawlState`.
site_finished = object()

#: A site's crawl is over and its final status set, but its summary not yet taken: the last
#: moment to add site-level verdicts (``state.compromise``). Argument: ``state`` (the site's
#: :class:`crawler.sitestate.SiteState`). Sent by :class:`crawler.crawlstate.CrawlState`, just
#: before ``site_finished``.
site_settling = object()
