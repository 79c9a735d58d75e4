"""When a page is rendered in Chromium, and how its request asks scrapy-playwright for it.

A site flagged ``render_js`` in the registry is rendered from its start page on; any other page
is rendered only when its plain HTML looks like an empty shell that scripts fill in
(:meth:`RenderPolicy.needs_render`). Rendering is possible only when it is switched on
(``WUZHA_RENDER``) *and* scrapy-playwright handles the downloads (``DOWNLOAD_HANDLERS``, set from
``crawl_playwright`` by :mod:`crawler.projectsettings`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pagemodel.model import Page

_HANDLER_CLASS = "ScrapyPlaywrightDownloadHandler"
NETWORK_IDLE_MS = 5_000  # after "load", content fetched by scripts gets this long to arrive
PLAYWRIGHT_HANDLER = f"scrapy_playwright.handler.{_HANDLER_CLASS}"


@dataclass(frozen=True)
class RenderPolicy:
    enabled: bool
    min_text: int  # fewer characters of main text than this (and scripts): render it

    @classmethod
    def from_settings(cls, settings: Any) -> RenderPolicy:
        handler = str(settings.getdict("DOWNLOAD_HANDLERS").get("http", ""))
        return cls(
            enabled=settings.getbool("WUZHA_RENDER") and handler.endswith(_HANDLER_CLASS),
            min_text=settings.getint("WUZHA_RENDER_MIN_TEXT"),
        )

    def for_site(self, site: dict[str, Any]) -> bool:
        """Whether every page of `site` is rendered (the registry flags it)."""
        return bool(site.get("render_js")) and self.enabled

    def needs_render(self, page: Page, html: str) -> bool:
        """A page whose content only scripts can produce: it has scripts and its content blocks
        (headings, paragraphs, list entries, posts) are empty or nearly so — however much its
        navigation, sidebars and footer say (a shell with a menu, a footer and an empty app
        container is the common real case; list pages have their entries as content)."""
        if not self.enabled:
            return False
        if len(page.text.strip()) >= self.min_text or _is_link_list(page):
            return False
        return "<script" in html.lower()


# A page with this many on-site links whose anchors read like titles (a menu's labels are short)
# is a list page: its entries are its content, already there.
LIST_PAGE_TITLES = 6
TITLE_LIKE_CHARS = 10


def _is_link_list(page: Page) -> bool:
    titles = sum(
        1
        for link in page.links
        if link.get("internal") and len((link.get("text") or "").strip()) >= TITLE_LIKE_CHARS
    )
    return titles >= LIST_PAGE_TITLES


class ServedDocuments:
    """The HTML the server sent for each rendered page, as Chromium received it, kept until the
    spider reads the rendered page: text of the rendered DOM that this HTML lacks is what
    scripts wrote (``scripted`` blocks). Bounded: a page that is never parsed is forgotten."""

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self._bodies: OrderedDict[str, tuple[bytes, str | None]] = OrderedDict()

    async def keep(self, response: Any) -> None:
        """Playwright ``response`` event handler: keep the top frame's document."""
        request = response.request
        if request.resource_type != "document" or response.frame.parent_frame is not None:
            return
        try:
            body = await response.body()
        except Exception:  # noqa: BLE001 - redirects and aborted loads have no body
            return
        self._bodies[response.url] = (body, response.headers.get("content-type"))
        while len(self._bodies) > self.limit:
            self._bodies.popitem(last=False)

    def take(self, url: str) -> tuple[bytes, str | None] | None:
        return self._bodies.pop(url, None)


class NavigationFailed(Exception):
    """The rendered page's document is Chromium's error page: a navigation (the first one, or
    one a script, a form or a refresh started) was refused by the guard or failed. The page is
    recorded as failed with this reason, never read: the error page's title is the target host."""


ERROR_PAGE_SCHEME = "chrome-error:"


async def settle(
    page: Any, timeout_ms: float = NETWORK_IDLE_MS, deadline: float | None = None
) -> None:
    """After "load", give content fetched by scripts a moment to arrive: up to
    ``timeout_ms`` of network idle, and not past `deadline` (``time.monotonic()``; the end of
    the site's budget, set by :func:`cap_render`). A page that keeps polling is read as it is
    then (its DOM is what a visitor sees), not lost. A page whose document has become
    Chromium's error page raises :class:`NavigationFailed`."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    wait_ms = float(timeout_ms)
    if deadline is not None:
        wait_ms = max(0.0, min(wait_ms, (deadline - time.monotonic()) * 1000))
    failed: list[tuple[str, str]] = []

    def on_failed(request: Any) -> None:
        if request.is_navigation_request() and request.frame == page.main_frame:
            failed.append((request.url, request.failure or "failed"))

    page.on("requestfailed", on_failed)
    try:
        if wait_ms > 0:
            await page.wait_for_load_state("networkidle", timeout=wait_ms)
    except PlaywrightTimeout:
        pass
    finally:
        page.remove_listener("requestfailed", on_failed)
    await check_document(page, failed)


async def check_document(page: Any, failed: list[tuple[str, str]] = ()) -> None:
    """Raise :class:`NavigationFailed` when the page shows Chromium's error page (its
    ``page.url`` still names the address asked for; the document's own location does not)."""
    location = str(await page.evaluate("location.href"))
    if not location.startswith(ERROR_PAGE_SCHEME):
        return
    if failed:
        url, why = failed[-1]
        raise NavigationFailed(f"navigation to {url[:200]} failed ({why}): not read")
    raise NavigationFailed("navigation ended on Chromium's error page: not read")


async def close_popup(popup: Any) -> None:
    """Playwright ``popup`` handler: a page's ``window.open`` is not part of what is read (its
    connections pass the guard proxy all the same); it is closed at once."""
    await popup.close()


def cap_render(meta: dict[str, Any], timeout: float, deadline: float) -> None:
    """Make a rendered request end within its site's budget: scrapy-playwright ignores
    ``download_timeout``, so the navigation gets `timeout` seconds and :func:`settle` stops
    waiting at `deadline` (``time.monotonic()``)."""
    from scrapy_playwright.page import PageMethod

    meta["playwright_page_goto_kwargs"] = {
        **(meta.get("playwright_page_goto_kwargs") or {}),
        "timeout": timeout * 1000,
    }
    methods = meta.get("playwright_page_methods")
    if methods:
        meta["playwright_page_methods"] = [
            PageMethod(settle, *m.args, **{**m.kwargs, "deadline": deadline})
            if isinstance(m, PageMethod) and m.method is settle
            else m
            for m in methods
        ]


def render_meta(served_handler: str | None = None) -> dict[str, Any]:
    """Request meta that has scrapy-playwright render the page in Chromium; with
    ``served_handler`` (the name of a spider method that passes Playwright responses to
    :meth:`ServedDocuments.keep`), the server's HTML is kept too."""
    from scrapy_playwright.page import PageMethod

    meta: dict[str, Any] = {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_methods": [PageMethod(settle)],
    }
    handlers: dict[str, Any] = {"popup": close_popup}
    if served_handler:
        handlers["response"] = served_handler
    meta["playwright_page_event_handlers"] = handlers
    return meta
