"""Walking forums (Discuz!, phpBB, PHPWind): which links first, and paging without depth.

Fraud in forums sits in threads, often on the later pages of long threads, so within a site's
budget thread pages come first, then board pages (which lead to threads), then everything else.
The next page of a board or thread is the same place continued, not a level deeper: following
it keeps the depth, so a thread's page 7 is reachable with a depth budget of 4. How deep paging
may go is bounded by the trap rules (:mod:`crawler.scope`). URL shapes are recognised by the
extractor's :func:`pagemodel.forum_url_info`, one definition for both.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pagemodel import forum_url_info

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


# Pages of forum software that hold no posts: log-in and registration forms, posting forms,
# user profiles, searches, and per-post redirect links (Discuz! `mod=redirect&goto=findpost`,
# phpBB `viewtopic.php?p=`) that lead to thread pages reached anyway. A big forum has one such
# link per post; following them would spend the page budget on redirects.
_UTILITY_SCRIPTS = frozenset(
    [
        "member.php",
        "logging.php",
        "register.php",
        "search.php",
        "misc.php",
        "home.php",
        "space.php",
        "posting.php",
        "ucp.php",
        "memberlist.php",
        "viewonline.php",
        "faq.php",
        "report.php",
        "post.php",
        "login.php",
        "profile.php",
        "u.php",
        "logout.php",
        "signup.php",
    ]
)
_UTILITY_DISCUZ_MODS = frozenset(
    ["redirect", "post", "misc", "attachment", "spacecp", "logging", "register"]
)
_UTILITY_PATH = re.compile(
    r"/(?:space-(?:uid|username)-[^/]*\.html|(?:login|logout|register|signup)(?:/|\.\w+)?$)",
    re.IGNORECASE,
)


def utility_page(url: str) -> bool:
    """True for forum-software pages without content (forms, profiles, per-post redirects)."""
    parts = urlsplit(url)
    script = parts.path.rsplit("/", 1)[-1].lower()
    if script in _UTILITY_SCRIPTS or _UTILITY_PATH.search(parts.path):
        return True
    if script == "forum.php" or script == "viewtopic.php":
        query = {k.lower(): v[0] for k, v in parse_qs(parts.query).items() if v}
        if script == "forum.php" and query.get("mod", "").lower() in _UTILITY_DISCUZ_MODS:
            return True
        if script == "viewtopic.php" and "p" in query and "t" not in query:
            return True
    return False
