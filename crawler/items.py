"""The sweep's page item: one crawled page, as the spider emits it and the pipelines fill it in.

The spider sets the fetch facts and what the page model extracted; ``ScanPipeline`` adds
``scan`` (the rule engine's result as a dict) and ``external_link_text`` (the off-site anchor
texts it scanned). The indexer is a lower floor and knows nothing of this class: it gets the
item as a plain mapping (:meth:`PageItem.as_fields`, read as ``indexer.documents.PageFields``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class PageItem:
    url: str  # canonical URL of the page as fetched (after redirects)
    original_url: str  # the URL first requested (before redirects)
    run_id: str
    site: dict[str, Any]  # the registry row (crawler.sitestate.SITE_FIELDS)
    status: int
    fetched_at: str  # ISO 8601, UTC, seconds
    depth: int
    rendered: bool  # fetched through Chromium
    charset: str | None
    charset_source: str | None
    title: str = ""
    text: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    icp: str | None = None
    links: list[dict[str, Any]] = field(default_factory=list)
    apk_links: list[str] = field(default_factory=list)
    qr_images: list[str] = field(default_factory=list)
    forum: dict[str, Any] | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    content_hash: str = ""
    # --- set by ScanPipeline (None: not scanned, e.g. the engine failed on the page) ---
    external_link_text: str | None = None
    scan: dict[str, Any] | None = None

    @classmethod
    def from_page(cls, page: dict[str, Any], **fetch: Any) -> PageItem:
        """The item of a page the page model extracted (``pagemodel.extract_page``'s dict) and
        its fetch facts (``url``, ``original_url``, ``run_id``, ``site``, ``status``, …)."""
        text = page.get("text", "")
        return cls(
            **fetch,
            title=page.get("title", ""),
            text=text,
            description=page.get("description", ""),
            keywords=page.get("keywords", []),
            icp=page.get("icp"),
            links=page.get("links", []),
            apk_links=page.get("apk_links", []),
            qr_images=page.get("qr_images", []),
            forum=page.get("forum"),
            posts=page.get("posts", []),
            content_hash=hashlib.sha1(text.encode("utf-8")).hexdigest(),
        )

    def as_fields(self) -> dict[str, Any]:
        """The item as a mapping of its fields (shallow: values are shared, not copied), the
        form the indexer's document builders read."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
