"""Walking forums (Discuz!, phpBB, PHPWind): which links first, and paging without depth.

Fraud in forums sits in threads, often on the later pages of long threads, so within a site's
budget thread pages come first, then board pages (which lead to threads), then everything else.
The next page of a board or thread is the same place continued, not a level deeper: following
it keeps the depth, so a thread's page 7 is reachable with a depth budget of 4. How deep paging
may go is bounded by the trap rules (:mod:`crawler.scope`). URL shapes are recognised by the
extractor's :func:`crawler.extract.forum_url_info`, one definition for both.
"""

from __future__ import annotations

from typing import Any

from crawler.extract import forum_url_info

THREAD_PRIORITY = 20
BOARD_PRIORITY = 10
OTHER_PRIORITY = 0


def link_priority(info: dict[str, Any] | None) -> int:
    if info is None:
        return OTHER_PRIORITY
    return THREAD_PRIORITY if info.get("kind") == "thread" else BOARD_PRIORITY


def same_listing(page: dict[str, Any] | None, link: dict[str, Any] | None) -> bool:
    """True when `link` is another page of the same board or thread as `page`."""
    if not page or not link:
        return False
    return (
        page.get("engine") == link.get("engine")
        and page.get("kind") == link.get("kind")
        and page.get("board_id") == link.get("board_id")
        and page.get("thread_id") == link.get("thread_id")
        and page.get("page") != link.get("page")
    )


def classify(url: str) -> dict[str, Any] | None:
    return forum_url_info(url)
