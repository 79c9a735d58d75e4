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
# The spool failed on the closing documents (sites' risks, the run's record), after every page
# was made safe and every site journalled as finished: --resume would fetch nothing again.
CLOSING_REASON = "spool_unwritable_closing"
ERROR_STAT = "spool/unwritable"  # what the system said ("no space left on device")


def stop_sweep(crawler: Any, err: SpoolUnwritable, *, opening: bool = False) -> None:
    """Stop the sweep because of `err` (once; later calls do nothing). While the pipelines
    are `opening`, raises :class:`CloseSpider` (the engine closes the spider once it is open)."""
    if _record(crawler, err, REASON, "The sweep stops here; nothing more is fetched.") and (
        not opening
    ):
        deferred_from_coro(crawler.engine.close_spider_async(reason=REASON))
    if opening:
        raise CloseSpider(REASON)


def stop_closing(crawler: Any, err: SpoolUnwritable) -> None:
    """The spool failed while the closed sweep wrote its closing documents: the sweep does
    not count as finished (:data:`CLOSING_REASON`), though nothing is left to fetch."""
    _record(crawler, err, CLOSING_REASON, "The sites' risks and the run's record were not kept.")


def _record(crawler: Any, err: SpoolUnwritable, reason: str, said: str) -> bool:
    """Note `err` and halt the crawl state with `reason`; False if an earlier error was noted."""
    if crawler.stats.get_value(ERROR_STAT):
        return False
    crawler.stats.set_value(ERROR_STAT, err.reason or "cannot be written")
    log.error("%s %s", err, said)
    state = crawler.get_extension(CrawlState)
    if state is not None:
        state.halt(reason)
    return True
