"""Forum posts (author, time, floor, text) from thread pages and comment lists.

Finding the posts is cheap CSS on the selectolax tree (:mod:`pagemodel.post_layouts` knows the
engines' templates, :mod:`pagemodel.replies` finds comment and answer lists on other pages);
turning a post's message into clean text is where structure matters (quotes, line breaks,
Discuz!'s anti-copy "jammer" noise, edit notices, signatures), so each page's messages go
through BeautifulSoup (lxml parser) in ONE parse of the message fragments only — never the whole
page, which would cost ~20 ms.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pagemodel.maintext import INLINE_TAGS, PageNames
from pagemodel.post_layouts import (
    ANY_MARKER,
    LAYOUTS,
    MAX_POSTS,
    Message,
    PostBlock,
    PostLayout,
    split_posts,
)
from pagemodel.postfields import clean_author, parse_floor, parse_post_time
from pagemodel.textutil import clean_lines

__all__ = [
    "LAYOUTS",
    "MAX_POSTS",
    "PostBlock",
    "PostLayout",
    "detect_layout",
    "extract_posts",
    "find_post_blocks",
    "parse_post_time",
]

MAX_POST_CHARS = 50_000
MAX_HEADER_CHARS = 300  # a time is read from the start of a node's text

# Noise inside messages: Discuz! inserts random strings in hidden spans and <font class=jammer>
# to defeat copying; edit notices, attachment tips (size, download count) and signatures are
# not the author's words; quotes repeat another post (which is scanned where it was written).
_NOISE_SELECTORS = (
    "script, style, .jammer, .pstatus, .tip, .aimg_tip, .attach_nopermission, .locked, "
    ".quote, blockquote, .blockquote, .sign, .signature, .signatures, .edit_log, .notice, "
    "dl.tattl p.xg2, .blockcode em, .codebox > p, .showhide > h4, .comment-reply-link, "
    "[style*='display:none'], [style*='display: none']"
)
_EDIT_NOTE = re.compile(
    r"^[\[【(（]?\s*(?:本帖最后由\s*.{1,40}?\s*于\s*.{6,30}?\s*编辑"
    r"|此帖被.{1,40}?在.{6,30}?重新编辑"
    r"|最后由\s*.{1,40}?\s*编辑于.{0,60}"
    r"|Last edited by .{1,80})\s*[\])）】]?$",
    re.IGNORECASE,
)
# "收费标准.png (31.02 KiB) 被浏览 57 次": the file's name is the poster's, its numbers are not.
_ATTACHMENT_STATS = re.compile(
    r"\s*[(（]\s*[\d.,]+\s*[KMG]i?B\s*[)）]\s*(?:被浏览|已下载|被下载|Viewed|Downloaded)\s*[:：]?"
    r"\s*\d+\s*(?:次|times?)?|\s*[(（]\s*[\d.,]+\s*[KMG]i?B\s*,\s*下载次数\s*[:：]\s*\d+\s*[)）]",
    re.IGNORECASE,
)
_REPLY_TITLE = re.compile(r"^#?\s*(?:re|回复)\s*[:：]", re.IGNORECASE)
# A comment's action bar: "回复 踩0 赞85 收藏", "137 | 回复", "举报", "分享".
_ACTIONS = re.compile(
    r"^(?:[\d\s|·⋅•()（）:：]*(?:回复|举报|分享|收藏|点赞|赞|踩|顶|引用|删除|编辑|查看回复|条回复|"
    r"新浪微博|微信|QQ空间|复制链接|reply|like|share|report|quote)[\d\s|·⋅•()（）:：条个]*)+$",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")
_BREAKS = re.compile(
    r"</?(?:p|div|li|tr|td|th|table|pre|h[1-6]|ul|ol|dl|dt|dd|hr|section|article|blockquote)"
    r"\b[^>]*>"
)
_BR_RE = re.compile(r"<br\b[^>]*>")
_INLINE_TAG_RE = re.compile(r"</?(?:{})\b[^>]*>".format("|".join(INLINE_TAGS + ["a"])))


def detect_layout(
    tree: LexborHTMLParser, engine_hint: str | None, names: PageNames | None = None
) -> PostLayout | None:
    """The forum template of a thread page: the URL's engine first, else the markup's.

    ``names``: the class tokens and ids of the whole tree, when known (supersets will do): a
    page without the names the markers need is spared the query."""
    if names is not None and not may_match(ANY_MARKER, names):
        return None
    if tree.css_first(ANY_MARKER) is None:
        return None
    ordered = sorted(LAYOUTS, key=lambda layout: layout.engine != engine_hint)
    for layout in ordered:
        if tree.css_first(layout.page_marker) is None:
            continue
        if layout.confirm and tree.css_first(layout.confirm) is None:
            continue
        return layout
    return None


# The parts of a selector that name a class, an id or an id's start; the rest of it must be
# tag names and combinators for may_match to judge it.
_NAMED_PART = re.compile(r"\.([\w-]+)|#([\w-]+)|\[id\^=([\w-]+)\]")
_PLAIN_REST = re.compile(r"[\w\s>+~]*")


def may_match(selector: str, names: PageNames) -> bool:
    """False when no element of the page can match ``selector``: each of its alternatives needs
    a class or id (or id start) that none of ``names`` has. True when it may (or when a part of
    it is beyond this simple reading)."""
    for alternative in selector.split(","):
        if _PLAIN_REST.fullmatch(_NAMED_PART.sub(" ", alternative)) is None:
            return True
        if all(_has_name(match, names) for match in _NAMED_PART.finditer(alternative)):
            return True
    return False


def _has_name(match: re.Match[str], names: PageNames) -> bool:
    class_name, id_name, id_start = match.groups()
    if class_name is not None:
        return class_name.lower() in names.classes
    if id_name is not None:
        return id_name.lower() in names.ids
    start = id_start.lower()
    return any(token.startswith(start) for token in names.ids)


def find_post_blocks(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    """The ``(container, message)`` pairs of a thread page, in page order; no changes made."""
    return split_posts(tree, layout)


def extract_posts(blocks: list[PostBlock], layout: PostLayout) -> list[dict]:
    """``[{"index", "author", "time", "floor", "text"}]`` in page order (no offsets yet).

    ``floor`` is the post's place in the thread as the page shows it (1 = the opening post),
    None when the page shows none. Changes the tree (noise inside messages is removed): nodes
    found before are stale after.
    """
    if not blocks:
        return []
    # Read the headers before anything is removed from the tree.
    fields = [_fields(block.message, layout) for block in blocks]
    texts = _message_texts([_fragment(block.message) for block in blocks])
    posts = []
    for (author, time, floor), text in zip(fields, texts, strict=True):
        text = _clean_text(text, layout)
        if not text:
            continue
        posts.append(
            {"index": len(posts), "author": author, "time": time, "floor": floor, "text": text}
        )
    return posts


def _fields(message: Message, layout: PostLayout) -> tuple[str | None, str | None, int | None]:
    known = message.known  # what the split already read (comment lists): final, even if None
    author = known["author"] if "author" in known else _author(message.scope, layout.author)
    time = known["time"] if "time" in known else _time(message, layout.time)
    if "floor" in known:
        return author, time, known["floor"]
    node = message.floor_node or _first_with_text(message.scope, layout.floor)
    floor = parse_floor(node.text(), layout.floor_offset) if node is not None else None
    return author, time, floor


def _first_with_text(scope: list[LexborNode], selectors: tuple[str, ...]) -> LexborNode | None:
    for selector in selectors:
        for node in scope:
            found = node.css_first(selector)
            if found is not None and found.text(strip=True, skip_empty=True):
                return found
    return None


def _author(scope: list[LexborNode], selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        for node in scope:
            found = node.css_first(selector)
            if found is None:
                continue
            # An empty avatar link may come before the name (Discuz! X2.5 without the left column).
            for candidate in (
                [found] if found.text(strip=True, skip_empty=True) else node.css(selector)
            ):
                if author := clean_author(candidate.text()):
                    return author
    return None


def _time(message: Message, selectors: tuple[str, ...]) -> str | None:
    """The post time as ISO 8601 (local time, no zone unless the page gives one)."""
    if message.time_node is not None and (parsed := _time_of(message.time_node)):
        return parsed
    for selector in selectors:
        for node in message.scope:
            found = node.css_first(selector)
            if found is not None:
                if parsed := _time_of(found):
                    return parsed
                break
    if not selectors:  # a header that says it all: "admin 发表于 2024-3-8 09:15" (Archiver)
        for node in message.scope:
            if parsed := _time_of(node):
                return parsed
    return None


def _time_of(node: LexborNode) -> str | None:
    attributes = node.attributes
    for value in (
        attributes.get("datetime"),
        attributes.get("title"),
        node.text()[:MAX_HEADER_CHARS],
    ):
        if parsed := parse_post_time(value):
            return parsed
    # Discuz! shows "3 天前" and keeps the absolute time in a title; phpBB has <time datetime>.
    for child in node.css("[title], time[datetime]"):
        value = child.attributes.get("datetime") or child.attributes.get("title")
        if parsed := parse_post_time(value):
            return parsed
    return None


def _fragment(message: Message) -> str:
    """The message's HTML, noise removed (in the tree: the nodes are changed)."""
    if len(message.nodes) == 1 and message.nodes[0].is_element_node:
        _drop_noise(message.nodes[0])
        return message.nodes[0].inner_html or ""  # the wrapper tag would only cost time
    parts = []
    for node in message.nodes:
        if node.is_element_node:
            if node.css_matches(_NOISE_SELECTORS):
                continue
            _drop_noise(node)
        parts.append(node.html or "")
    return "".join(parts)


def _drop_noise(message: LexborNode) -> None:
    noise = [node for node in message.css(_NOISE_SELECTORS) if node.mem_id != message.mem_id]
    if not noise:
        return
    # Decide everything before removing anything: a node inside a removed one is freed memory.
    ids = {node.mem_id for node in noise}
    outermost = [node for node in noise if not _inside(node, ids, stop=message.mem_id)]
    for node in outermost:
        node.decompose()


def _inside(node: LexborNode, ids: set[int], stop: int) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != stop:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _clean_text(text: str, layout: PostLayout) -> str:
    if "B" in text:  # sizes: KB, MiB
        text = _ATTACHMENT_STATS.sub("", text)
    lines = text.split("\n")
    if "编辑" in text or "edited" in text:
        lines = [line for line in lines if not _EDIT_NOTE.match(line)]
    if layout.engine == "replies":  # "re: <the article's title>" heads many blog comments
        lines = [
            line for line in lines if not _REPLY_TITLE.match(line) and not _ACTIONS.match(line)
        ]
    return "\n".join(line for line in lines if line)[:MAX_POST_CHARS]


def _message_texts(fragments: list[str]) -> list[str]:
    """Clean text of each message fragment, with ONE BeautifulSoup parse for all of them."""
    wrapped = "".join(
        f'<div data-wuzha-post="{i}">{_mark_line_breaks(html)}</div>'
        for i, html in enumerate(fragments)
    )
    # Bytes with a declared encoding spare bs4 its own encoding sniffing.
    document = f"<html><body>{wrapped}</body></html>".encode()
    soup = BeautifulSoup(document, "lxml", from_encoding="utf-8")
    texts = [""] * len(fragments)
    for holder in soup.find_all("div", attrs={"data-wuzha-post": True}):
        index = int(holder["data-wuzha-post"])
        if index < len(texts) and not texts[index]:
            texts[index] = "\n".join(clean_lines(holder.get_text()))
    return texts


def _mark_line_breaks(fragment: str) -> str:
    """Shrink a fragment before BeautifulSoup sees it (it costs ~30 µs per tag): source
    whitespace → one space, as a browser renders it; inline tags dropped (their text stays);
    <br> → newline; a newline at each block boundary. Fragments are lexbor's serialisation:
    lower-case tags, quoted attributes, well formed."""
    fragment = _WHITESPACE.sub(" ", fragment)
    fragment = _INLINE_TAG_RE.sub("", fragment)
    fragment = _BR_RE.sub("\n", fragment)
    return _BREAKS.sub(r"\n\g<0>\n", fragment)
