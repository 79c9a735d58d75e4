"""Stop the sweep cleanly when the spool cannot be written.

With Elasticsearch away, the spool is the only safe place for a page's documents. When it
cannot take them (disk full, read-only), crawling on would fetch pages whose documents have
nowhere to go, so the sweep stops with the close reason :data:`REASON`: the crawl state stops
journalling pages as done (:meth:`crawler.crawlstate.CrawlState.halt`), so ``--resume``
fetches again every page whose documents were not made safe, and ``wuzha crawl`` exits
non-zero with a sentence saying what to do.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawler.crawlstate import CrawlState
from indexer.errors import SpoolUnwritable

log = logging.getLogger(__name__)

REASON = "spool_unwritable"  # the sweep's close reason (finish_reason in the stats)
ERROR_STAT = "spool/unwritable"  # what the system said ("no space left on device")


def stop_sweep(crawler: Any, err: SpoolUnwritable, *, opening: bool = False) -> None:
    """Stop the sweep because of `err` (once; later calls do nothing). While the pipelines
    are `opening`, raises :class:`CloseSpider` (the engine closes the spider once it is open)."""
    if not crawler.stats.get_value(ERROR_STAT):
        crawler.stats.set_value(ERROR_STAT, err.reason or "cannot be written")
        log.error("%s The sweep stops here; nothing more is fetched.", err)
        state = crawler.get_extension(CrawlState)
        if state is not None:
            state.halt(REASON)
        if not opening:
            deferred_from_coro(crawler.engine.close_spider_async(reason=REASON))
    if opening:
        raise CloseSpider(REASON)
