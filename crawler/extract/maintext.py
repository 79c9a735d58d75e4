"""Main text: the page without navigation, headers, footers, sidebars and link lists.

All on the selectolax (lexbor) tree, mostly in C: boilerplate is removed by tag and by
class/id/role, inline tags are unwrapped so each block becomes one text run, and blocks whose
text is mostly anchor text (menus, news lists, friend links) are dropped. What is left —
headings and paragraphs — comes out one block per line. The tree is modified in place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.textutil import squash

MAX_TEXT_CHARS = 200_000
# A block whose anchor text is more than this share of its text is navigation, not content.
MAX_LINK_SHARE = 0.5

# Removed with everything inside (before links are read: none of these carry content links).
JUNK_TAGS = [
    "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "object",
    "embed", "canvas", "audio", "video", "select", "option", "button", "input", "textarea",
]
# Tags whose text flows inside a line; unwrapped so a block's text is one run.
INLINE_TAGS = [
    "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
]
# Boilerplate by class token / id (Chinese CMSs and Discuz! included: hd, ft, pt, toptb, nv …).
BOILERPLATE_NAMES = (
    "nav", "navbar", "navigation", "menu", "mainnav", "topnav", "subnav", "breadcrumb",
    "breadcrumbs", "crumb", "crumbs", "footer", "foot", "copyright", "header", "topbar", "top-bar",
    "toolbar", "sidebar", "side", "share", "bdsharebuttonbox", "login", "search", "pagination",
    "pager", "pages", "pg", "pgs", "flink", "friendlink", "links", "hd", "ft", "pt", "toptb", "nv",
    "um", "scrolltop", "f_pst", "comment-form", "skip-link",
)
_BOILERPLATE_TAGS = (
    "nav, aside, header, footer, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=search], [role=complementary]"
)
# class="…" / id=… values in raw HTML, to build a selector of only the names a page uses:
# lexbor matches every element against every selector, so 100 unused ones cost ~1 ms a page.
_CLASS_OR_ID = re.compile(r"""\s(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_BOILERPLATE_SET = frozenset(BOILERPLATE_NAMES)


# Single-link blocks that are list entries (menus, news lists) rather than a sentence.
_LIST_ITEM_TAGS = {"li", "dt", "dd", "td", "th", "option"}
_CONTENT_ANCESTORS = {"article", "main"}
_HAS_WORD = re.compile(r"\w")
_BOILERPLATE_MARK = "data-wuzha-boilerplate"
_DENSE_MARK = "data-wuzha-link-dense"
_INLINE_SET = frozenset(INLINE_TAGS)
_BLOCK_SEPARATOR = "\x1f"  # never in text: lexbor puts it between text nodes


def strip_junk(tree: LexborHTMLParser) -> None:
    """Drop scripts, styles, forms' widgets and embedded objects (done once per page)."""
    tree.strip_tags(JUNK_TAGS)


def main_text(
    tree: LexborHTMLParser,
    html: str,
    anchors: list[LexborNode] | None = None,
    anchor_texts: list[str] | None = None,
) -> str:
    """The page's main text, one block per line, capped at MAX_TEXT_CHARS.

    ``anchors``/``anchor_texts``: the page's ``<a>`` nodes and their texts when the caller has
    them already (one pass serves links and link density); they must be fresh (no node removed
    since they were found).
    """
    body = tree.body
    if body is None:
        return ""
    if anchors is None:
        anchors = body.css("a")
        anchor_texts = [anchor.text() for anchor in anchors]
    # Mark first (attributes only), remove after: boilerplate removal frees nodes.
    _mark_link_dense_blocks(anchors, anchor_texts or [])
    _remove_boilerplate(body, html)
    _decompose_outermost(body, body.css(f"[{_DENSE_MARK}]"), _DENSE_MARK)
    body.unwrap_tags(INLINE_TAGS + ["a"])
    body.merge_text_nodes()
    # Text nodes are now whole blocks; newlines inside them are source formatting, not breaks.
    blocks = body.text(separator=_BLOCK_SEPARATOR).split(_BLOCK_SEPARATOR)
    lines = [line for line in map(squash, blocks) if line and _HAS_WORD.search(line)]
    return "\n".join(lines)[:MAX_TEXT_CHARS]


def _mark_link_dense_blocks(anchors: list[LexborNode], texts: list[str]) -> None:
    """Mark blocks whose text is mostly anchor text (menus, news lists, friend links)."""
    link_chars: dict[int, int] = {}
    link_count: dict[int, int] = {}
    blocks: dict[int, LexborNode] = {}
    for anchor, text in zip(anchors, texts, strict=True):
        block = anchor.parent
        # The block is the nearest non-inline ancestor (<li><span><a>… → li).
        while block is not None and block.tag in _INLINE_SET:
            block = block.parent
        if block is None or block.tag in ("body", "html"):
            continue
        key = block.mem_id
        blocks[key] = block
        link_chars[key] = link_chars.get(key, 0) + len(text.strip())
        link_count[key] = link_count.get(key, 0) + 1
    for key, block in blocks.items():
        if link_count[key] < 2 and block.tag not in _LIST_ITEM_TAGS:
            continue  # one link inside a sentence ("QQ: <a>…</a>") is content
        total = len(block.text(strip=True))
        if total and link_chars[key] / total > MAX_LINK_SHARE:
            block.attrs[_DENSE_MARK] = "1"


def _remove_boilerplate(body: LexborNode, html: str) -> None:
    matches = [
        node for node in body.css(_boilerplate_selector(html))
        # An article's own <header>/<footer> holds its title and byline.
        if not (node.tag in ("header", "footer") and _inside_content(node))
    ]
    _decompose_outermost(body, matches, _BOILERPLATE_MARK)


def _boilerplate_selector(html: str) -> str:
    names: set[str] = set()
    for match in _CLASS_OR_ID.finditer(html):
        value = match.group(1) or match.group(2) or match.group(3) or ""
        names.update(token for token in value.lower().split() if token in _BOILERPLATE_SET)
    return _selector_for(frozenset(names))


@lru_cache(maxsize=4096)
def _selector_for(names: frozenset[str]) -> str:
    parts = [_BOILERPLATE_TAGS]
    for name in sorted(names):
        parts.append(f"[class~={name}], [id={name}]")
    return ", ".join(parts)


def _decompose_outermost(body: LexborNode, nodes: list[LexborNode], mark: str) -> None:
    """Remove nodes, skipping those inside another one being removed.

    Which nodes are nested is decided in C (mark, then one CSS query) before the first
    removal: a node inside a removed subtree is freed memory and must never be touched.
    """
    if not nodes:
        return
    unique = {node.mem_id: node for node in nodes}
    for node in unique.values():
        node.attrs[mark] = "1"
    nested = {node.mem_id for node in body.css(f"[{mark}] [{mark}]")}
    for key, node in unique.items():
        if key not in nested:
            node.decompose()


def _inside_content(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in _CONTENT_ANCESTORS:
            return True
        parent = parent.parent
    return False
