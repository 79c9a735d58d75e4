"""What a page worker runs: one fetched page read (decode → extract), one page scanned.

The sweep hands this CPU-heavy work to a small pool of worker processes
(:mod:`crawler.pageworkers`), each task under a time limit it cannot outlive: a page built to
be slow (100,000 nested tags) costs its own worker, never the thread that drives the downloads.
Everything here is a plain function of picklable values, and what it returns pickles too:
a body that is no page comes back as :class:`PageRead` with ``not_html`` set rather than as
``pagemodel.encoding.NotHtml`` (an exception's extra attributes do not cross a process boundary).

:func:`warm` makes a process ready (the modules imported, the rule engine loaded, jieba's
dictionary read): ``pagemodel.worker_warm`` calls it in the process the workers are forked from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagemodel.encoding import NotHtml, decode_html
from pagemodel.model import Page, page_from_html
from pagemodel.scan import scan_page


@dataclass
class PageRead:
    """A fetched page as the sweep reads it: the page model's :class:`Page` and the decoded
    HTML (the render decision and the site checks look at it), or, for a body that is no page,
    ``not_html`` = :attr:`NotHtml.reason` and no page."""

    page: Page | None
    html: str = ""
    not_html: str | None = None


def read(
    body: bytes,
    url: str,
    content_type: str | None,
    served: tuple[bytes, str | None] | None = None,
) -> PageRead:
    """Decode and extract one response body. ``served``: on a rendered page, the body and
    content type the server sent for it (text that scripts added becomes ``scripted``
    blocks)."""
    try:
        html, charset, source = decode_html(body, content_type)
    except NotHtml as err:
        return PageRead(None, not_html=err.reason)
    original = _served_html(*served) if served else None
    page = page_from_html(html, url, charset, source, original_html=original)
    return PageRead(page, html)


def _served_html(body: bytes, content_type: str | None) -> str:
    try:
        return decode_html(body, content_type)[0]
    except NotHtml:
        return ""


def scan(page: Page, model: bool) -> dict[str, Any]:
    """:func:`pagemodel.scan.scan_page` with the default rule packs (loaded once a process),
    the text model on or off as the sweep's settings say."""
    from rules import load_engine

    return scan_page(load_engine(model=model), page)


def timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``function(*args)`` and the CPU seconds it took in this process."""
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def ready() -> bool:
    """Nothing: a first task that makes a pool fork its workers."""
    return True


def warm(model: bool) -> None:
    """Load what :func:`read` and :func:`scan` need, so the first page does not pay for it:
    the rule engine and its word-boundary tokenizer (jieba's dictionary)."""
    from rules import load_engine

    load_engine(model=model).boundaries.load()
    read("<p>预热</p>".encode(), "http://warm.invalid/", "text/html")
