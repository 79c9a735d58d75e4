"""When a page is rendered in Chromium, and how its request asks scrapy-playwright for it.

A site flagged ``render_js`` in the registry is rendered from its start page on; any other page
is rendered only when its plain HTML looks like an empty shell that scripts fill in
(:meth:`RenderPolicy.needs_render`). Rendering is possible only when it is switched on
(``WUZHA_RENDER``) *and* scrapy-playwright handles the downloads (``DOWNLOAD_HANDLERS``, set from
``crawl_playwright`` by :mod:`crawler.projectsettings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_HANDLER_CLASS = "ScrapyPlaywrightDownloadHandler"
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

    def needs_render(self, page: dict[str, Any], html: str) -> bool:
        """A page whose content only scripts can produce: scripts, hardly any text and no
        links (list pages have little main text but many links; they are fine as they are)."""
        if not self.enabled:
            return False
        if len((page.get("text") or "").strip()) >= self.min_text:
            return False
        if len(page.get("links") or ()) >= 3:
            return False
        return "<script" in html.lower()


def render_meta() -> dict[str, Any]:
    """Request meta that has scrapy-playwright render the page in Chromium."""
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        # Content fetched by scripts after "load": give the network a moment to settle.
        "playwright_page_methods": [
            PageMethod("wait_for_load_state", "networkidle", timeout=5_000)
        ],
    }
