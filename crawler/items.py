"""The sweep's page item: one crawled page, as the spider emits it and the pipelines fill it in.

The spider sets the fetch facts and what the page model read (``pagemodel.model.Page``: its
fields and its blocks); ``ScanPipeline`` adds ``scan`` (the rule engine's result as a dict). The indexer is a lower floor and knows nothing of this class: it gets the
item as a plain mapping (:meth:`PageItem.as_fields`, read as ``indexer.documents.PageFields``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

from ground.blocks import BlockKind
from pagemodel.model import Page, unblocked_page


@dataclass(kw_only=True)
class PageItem(Page):
    """A page as the page model read it (:class:`pagemodel.model.Page`: title, text, blocks,
    links, posts…; ``url`` the canonical URL as fetched, after redirects) and its fetch facts."""

    original_url: str  # the URL first requested (before redirects)
    run_id: str
    site: dict[str, Any]  # the registry row (crawler.sitestate.SITE_FIELDS)
    status: int
    fetched_at: str  # ISO 8601, UTC, seconds
    depth: int
    rendered: bool  # fetched through Chromium
    content_hash: str = ""
    external_link_text: str | None = None  # the off-site anchors (the link_text block)
    # --- set by ScanPipeline (None: not scanned, e.g. the engine failed on the page) ---
    scan: dict[str, Any] | None = None

    @classmethod
    def from_page(cls, page: Page, **fetch: Any) -> PageItem:
        """The item of a page the page model read and its fetch facts (``original_url``,
        ``run_id``, ``site``, ``status``, …; ``url`` too when it differs from the page's)."""
        read = {f.name: getattr(page, f.name) for f in fields(Page)}
        links = page.blocks_of(BlockKind.LINK_TEXT)
        return cls(
            **{**read, **fetch},
            content_hash=hashlib.sha1(page.text.encode("utf-8")).hexdigest(),
            external_link_text="\n".join(b.text for b in links) or None,
        )

    def page(self) -> Page:
        """The page as the rules read it (what the scan pipeline hands the engine); an item made
        without blocks is read as its text, posts, title and off-site anchors."""
        if not self.blocks:
            return unblocked_page(
                self.url, self.title, self.text, self.posts, self.external_link_text or ""
            )
        return self

    def as_fields(self) -> dict[str, Any]:
        """The item as a mapping of its fields (shallow: values are shared, not copied), the
        form the indexer's document builders read."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
