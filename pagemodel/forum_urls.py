"""Recognise forum board and thread URLs: Discuz! above all (with its Archiver and mobile
pages), also phpBB and PHPWind (7–9 and its text-only archive).

``forum_url_info(url)`` → ``{"engine", "kind", "board_id", "thread_id", "page"}`` or None. The
spider uses it to walk boards and thread paging; the extractor to label pages.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

# phpBB's defaults (posts/topics per page) turn ?start=N into a page number.
PHPBB_POSTS_PER_PAGE = 10
PHPBB_TOPICS_PER_PAGE = 25

_DISCUZ_THREAD = re.compile(r"/thread-(\d+)-(\d+)-\d+\.html?$", re.IGNORECASE)
_DISCUZ_BOARD = re.compile(r"/forum-(\w+)-(\d+)\.html?$", re.IGNORECASE)
# Archiver: /archiver/?tid-N.html (the id is in the query), /archiver/tid-N.html when rewritten.
_DISCUZ_ARCHIVER = re.compile(
    r"/archiver/(?:index\.php)?\??(tid|fid)-(\d+)(?:-page-(\d+)|-(\d+))?\.html?(?:$|&)",
    re.IGNORECASE,
)
# PHPWind's text-only archive: /simple/?t123.html, /simple/index.php?t123_2.html, ?f5.html
_PHPWIND_SIMPLE = re.compile(
    r"/simple/(?:index\.php)?\?([tf])(\d+)(?:_(\d+))?\.html", re.IGNORECASE
)
_PHPWIND_READ = re.compile(r"/read-htm-tid-(\d+)(?:-page-(\d+))?", re.IGNORECASE)
_PHPWIND_THREAD = re.compile(r"/thread-htm-fid-(\d+)(?:-page-(\d+))?", re.IGNORECASE)


def forum_url_info(url: str) -> dict | None:
    """What forum page ``url`` is, from its shape alone; None if it is not a forum URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path
    name = path.rsplit("/", 1)[-1].lower()
    query = {key.lower(): values[0] for key, values in parse_qs(parts.query).items() if values}

    if match := _DISCUZ_THREAD.search(path):
        return _info("discuz", "thread", None, match.group(1), match.group(2))
    if match := _DISCUZ_BOARD.search(path):
        return _info("discuz", "board", match.group(1), None, match.group(2))
    with_query = f"{path}?{parts.query}" if parts.query else path
    if match := _DISCUZ_ARCHIVER.search(with_query):
        kind = "thread" if match.group(1).lower() == "tid" else "board"
        ident = match.group(2)
        return _info(
            "discuz",
            kind,
            None if kind == "thread" else ident,
            ident if kind == "thread" else None,
            match.group(3) or match.group(4) or query.get("page"),
        )
    if name == "forum.php":
        mod = query.get("mod", "")
        if mod == "viewthread" and "tid" in query:
            return _info("discuz", "thread", query.get("fid"), query["tid"], query.get("page"))
        if mod == "forumdisplay" and "fid" in query:
            return _info("discuz", "board", query["fid"], None, query.get("page"))
        return None
    if name in ("viewthread.php", "redirect.php") and "tid" in query:  # Discuz! 6/7
        return _info("discuz", "thread", query.get("fid"), query["tid"], query.get("page"))
    if name == "forumdisplay.php" and "fid" in query:
        return _info("discuz", "board", query["fid"], None, query.get("page"))

    if name == "viewtopic.php" and ("t" in query or "p" in query):
        page = _page_from_start(query.get("start"), PHPBB_POSTS_PER_PAGE)
        return _info("phpbb", "thread", query.get("f"), query.get("t"), page)
    if name == "viewforum.php" and "f" in query:
        page = _page_from_start(query.get("start"), PHPBB_TOPICS_PER_PAGE)
        return _info("phpbb", "board", query["f"], None, page)

    if name == "index.php" and query.get("c") in ("read", "thread"):  # PHPWind 9
        if query["c"] == "read" and "tid" in query:
            return _info("phpwind", "thread", query.get("fid"), query["tid"], query.get("page"))
        if query["c"] == "thread" and "fid" in query:
            return _info("phpwind", "board", query["fid"], None, query.get("page"))
    if match := _PHPWIND_SIMPLE.search(with_query):
        kind = "thread" if match.group(1).lower() == "t" else "board"
        ident = match.group(2)
        board, thread = (None, ident) if kind == "thread" else (ident, None)
        return _info("phpwind", kind, board, thread, match.group(3))
    if name == "read.php" and "tid" in query:
        return _info("phpwind", "thread", query.get("fid"), query["tid"], query.get("page"))
    if name == "thread.php" and "fid" in query:
        return _info("phpwind", "board", query["fid"], None, query.get("page"))
    if match := _PHPWIND_READ.search(path):
        return _info("phpwind", "thread", None, match.group(1), match.group(2))
    if match := _PHPWIND_THREAD.search(path):
        return _info("phpwind", "board", match.group(1), None, match.group(2))
    return None


def _info(engine: str, kind: str, board_id, thread_id, page) -> dict:
    return {
        "engine": engine,
        "kind": kind,
        "board_id": _ident(board_id),
        "thread_id": _ident(thread_id),
        "page": _page(page),
    }


def _ident(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value[:64] or None


def _page(value) -> int:
    try:
        page = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= 1_000_000 else 1


def _page_from_start(start, per_page: int) -> int:
    try:
        offset = int(start)
    except (TypeError, ValueError):
        return 1
    return max(0, offset) // per_page + 1
