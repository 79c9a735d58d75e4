"""What a page worker runs: one fetched page read (decode → extract), one page scanned.

The sweep hands this CPU-heavy work to a small pool of worker processes
(:mod:`crawler.extensions.pageworkers`), each task under a time limit it cannot outlive: a page built to
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


class WorkFailed(Exception):
    """What `read` or `scan` raised, as plain strings: the exceptions of C libraries (lxml's
    among them) do not survive pickling, and the crawler must still learn what went wrong."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``function(*args)`` and the CPU seconds this thread spent on it; what it raises comes
    out as :class:`WorkFailed`."""
    started = time.thread_time()
    try:
        result = function(*args)
    except Exception as err:  # noqa: BLE001 - handed to the crawler, which records it
        raise WorkFailed(type(err).__name__, str(err)[:500]) from None
    return result, time.thread_time() - started


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux): a worker busy on a slow
    page, or the fork server, must not outlive a crawler killed with SIGKILL."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return


def ready() -> bool:
    """Nothing: a first task that makes a pool fork its workers."""
    return True


def warm(model: bool) -> None:
    """Load what :func:`read` and :func:`scan` need, so the first page does not pay for it:
    the rule engine and its word-boundary tokenizer (jieba's dictionary)."""
    from rules import load_engine

    load_engine(model=model).boundaries.load()
    read("<p>预热</p>".encode(), "http://warm.invalid/", "text/html")
