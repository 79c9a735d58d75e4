"""What one crawled page tells about its site as a whole, kept small enough to journal.

:func:`page_facts` reads a page (``pagemodel.model.Page``), the rules' scan of it (a dict, as
``pagemodel.scan.scan_page`` returns it) and the site's registry row, and keeps only what the
judge (:mod:`sitecheck.judge`) compares across the site's pages: the ICP number the page shows,
whether the registered name and owner appear, what its content is about (the categories of the
medium and high hits in its content blocks, not in its title or hidden text), planted spam in its title, meta
keywords and description, hidden blocks that carry spam, and the directories its visible
internal links lead to (the site's own navigation, as far as this page shows it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ground.blocks import CONTENT_KINDS, BlockKind
from ground.levels import is_fraud
from pagemodel.model import Page
from sitecheck.spam import fold, spam_wording

# Content categories that a registered company or government site does not carry on its own
# pages: the site itself became a casino or a loan shop.
OFF_TYPE_CATEGORIES = frozenset({"gambling", "fake_loan"})
MAX_DIRS = 200
MAX_EXAMPLES = 3
MAX_TITLE_CHARS = 200
MIN_HIDDEN_SPAM = 2  # spam anchors that make a hidden block of links a planted one
SMALL_BLOCK_LINKS = 3  # … or one, in a hidden block of at most this many links
SHORT_BLOCK = 200  # a hidden text without links: planted when short and spam
# Suffixes of a registered site name that its pages leave out (longest first).
NAME_SUFFIXES = ("门户网站", "官方网站", "网站", "官网")
MIN_NAME_CHARS = 2


def directory(url: str) -> str:
    """The first path segment of a URL ("/" for the root and pages directly under it):
    parasitic pages sit together under a directory of their own."""
    path = urlsplit(url).path or "/"
    parts = [p for p in path.split("/") if p]
    if not parts or (len(parts) == 1 and not path.endswith("/")):
        return "/"
    return "/" + parts[0] + "/"


def _bare_name(name: str | None) -> str:
    """The registered name without its "…门户网站" / "…官网" suffix: pages name the site
    ("临江市人民政府"), rarely the registry's "临江市人民政府门户网站"."""
    name = fold(name or "").strip()
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_NAME_CHARS:
            return name[: -len(suffix)].strip(" -_·")
    return name


def _mentions(haystack: str, name: str | None) -> bool:
    name = _bare_name(name)
    return bool(name) and name in haystack


def page_facts(
    page: Page, scan: dict[str, Any] | None, site: dict[str, Any], *, depth: int = 0
) -> dict[str, Any]:
    """The page's facts (a JSON-ready dict; see the module docstring)."""
    scan = scan or {}
    content_categories = sorted(
        {
            hit.get("category")
            for hit in scan.get("hits") or ()
            if hit.get("field") in CONTENT_KINDS
            and hit.get("category")
            and is_fraud(hit.get("level"))  # a weak hit says nothing of what a page is about
        }
    )
    hidden = page.blocks_of(BlockKind.HIDDEN)
    hidden_text = "\n".join(b.text for b in hidden)
    hidden_spam: list[str] = []  # the spam wording of each hidden spam block
    hidden_links = 0
    for block in hidden:
        anchors = [link for link in page.links if link.get("text") and link["text"] in block.text]
        spam = [w for w in (spam_wording(link["text"]) for link in anchors) if w]
        if not anchors:
            spam = [w for w in [spam_wording(block.text)] if w and len(block.text) <= SHORT_BLOCK]
        # planted links come in bunches; one odd word in a hidden menu is no spam block
        if len(spam) >= MIN_HIDDEN_SPAM or (spam and len(anchors) <= SMALL_BLOCK_LINKS):
            hidden_spam.append(spam[0])
            hidden_links += len(spam)
    visible_dirs = {
        directory(link["url"])
        for link in page.links
        if link.get("internal") and not (link.get("text") and link["text"] in hidden_text)
    }
    whole = fold(" ".join(b.text for b in page.blocks))
    title = fold(page.title)
    path = urlsplit(page.url).path or "/"
    return {
        "url": page.url,
        "dir": directory(page.url),
        "home": depth == 0 or path in ("/", "/index.html", "/index.php", "/index.htm"),
        "title": (page.title or "")[:MAX_TITLE_CHARS],
        "icp": page.icp,
        "level": scan.get("level") or "none",
        "categories": sorted(scan.get("categories") or ()),
        "content_categories": content_categories,
        "off_type": sorted(OFF_TYPE_CATEGORIES.intersection(content_categories)),
        "title_spam": spam_wording(page.title),
        "meta_spam": spam_wording(page.description) or spam_wording(" ".join(page.keywords)),
        "hidden_spam": len(hidden_spam),
        "hidden_examples": hidden_spam[:MAX_EXAMPLES],
        "hidden_links": hidden_links,
        "links_dirs": sorted(visible_dirs)[:MAX_DIRS],
        "name_in_title": _mentions(title, site.get("name")),
        "name_shown": _mentions(whole, site.get("name")) or _mentions(title, site.get("name")),
        "owner_shown": _mentions(whole, site.get("owner")) or _mentions(title, site.get("owner")),
    }
