"""Title, meta description and meta keywords."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from pagemodel.textutil import squash

MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_CHARS = 2000
MAX_KEYWORDS = 50
MAX_KEYWORD_CHARS = 100

# Chinese sites separate keywords with ASCII or full-width commas, 顿号, semicolons or bars.
_KEYWORD_SEPARATORS = re.compile(r"[,，、;；|｜]+")


def extract_meta(tree: LexborHTMLParser) -> tuple[str, str, list[str]]:
    """``(title, description, keywords)`` of a parsed page."""
    title = ""
    node = tree.css_first("title")
    if node is not None:
        title = squash(node.text(), MAX_TITLE_CHARS)
    description = ""
    keywords_raw = ""
    for meta in tree.css("meta[name], meta[property]"):
        attrs = meta.attributes
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        content = attrs.get("content") or ""
        if name == "description" and not description:
            description = squash(content, MAX_DESCRIPTION_CHARS)
        elif name == "keywords" and not keywords_raw:
            keywords_raw = content
        elif name == "og:title" and not title:
            title = squash(content, MAX_TITLE_CHARS)
    if not title:
        heading = tree.css_first("h1")
        if heading is not None:
            title = squash(heading.text(), MAX_TITLE_CHARS)
    return title, description, split_keywords(keywords_raw)


def split_keywords(raw: str) -> list[str]:
    """``"刷单,兼职， 日结"`` → ``["刷单", "兼职", "日结"]`` (unique, in order, capped)."""
    parts = _KEYWORD_SEPARATORS.split(raw or "")
    if len(parts) == 1 and " " in parts[0].strip():
        parts = parts[0].split()  # some sites separate with spaces only
    seen: dict[str, None] = {}
    for part in parts:
        word = squash(part, MAX_KEYWORD_CHARS)
        if word and word not in seen:
            seen[word] = None
            if len(seen) >= MAX_KEYWORDS:
                break
    return list(seen)
