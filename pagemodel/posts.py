"""Forum posts (author, time, text) from Discuz!, phpBB and PHPWind thread pages.

Finding the post blocks is cheap CSS on the selectolax tree; turning a post's message into clean
text is where structure matters (quotes, line breaks, Discuz!'s anti-copy "jammer" noise, edit
notices), so each page's messages go through BeautifulSoup (lxml parser) in ONE parse of the
message fragments only — never the whole page, which would cost ~20 ms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pagemodel.maintext import INLINE_TAGS
from pagemodel.textutil import clean_lines, squash

MAX_POSTS = 200
MAX_POST_CHARS = 50_000
MAX_AUTHOR_CHARS = 100


@dataclass(frozen=True)
class PostLayout:
    """Where one forum engine keeps a post's parts (CSS selectors, tried in order)."""

    engine: str
    page_marker: str  # present on a thread page of this engine
    container: str  # one element per post
    message: str  # inside the container
    author: str
    time: str


LAYOUTS = (
    PostLayout(
        engine="discuz",
        page_marker="#postlist, [id^=postmessage_]",
        container="table[id^=pid], div[id^=post_]",
        message="[id^=postmessage_]",
        author="a.xw1, .authi a[href*=space], td.postauthor .postinfo a, .postauthor cite a",
        time="em[id^=authorposton], .authi em, .postinfo em",
    ),
    PostLayout(
        engine="phpbb",
        page_marker="div.post .postbody",
        container="div.post",
        message=".postbody .content, div.content",
        author=".author a.username, .author a.username-coloured, .postprofile a.username, "
        ".postprofile a.username-coloured, .author strong, .postauthor",
        time=".author time, p.author, .postdetails, .author",
    ),
    PostLayout(
        engine="phpwind",
        page_marker=".tpc_content, [id^=read_]",
        container="table.floot, div[id^=floor_], .read_t",
        message="[id^=read_], .tpc_content",
        author=".readName a, .readName, .floot_left a",
        time="[id^=td_postdate], .tipTop span[title], .tipTop span, .tipTop",
    ),
)
LAYOUT_BY_ENGINE = {layout.engine: layout for layout in LAYOUTS}
PostBlock = tuple[LexborNode, LexborNode]  # (container, message)

# Noise inside messages: Discuz! inserts random strings in hidden spans and <font class=jammer>
# to defeat copying; edit notices and attachment tips are not the author's words.
# Quotes repeat another post (which is scanned where it was written).
_NOISE_SELECTORS = (
    "script, style, .jammer, .pstatus, .tip, .attach_nopermission, .locked, .quote, blockquote, "
    "[style*='display:none'], [style*='display: none']"
)
_WHITESPACE = re.compile(r"\s+")
_BREAKS = re.compile(
    r"</?(?:p|div|li|tr|td|th|table|pre|h[1-6]|ul|ol|dl|dt|dd|hr|section|article)\b[^>]*>"
)
_BR_RE = re.compile(r"<br\b[^>]*>")
_INLINE_TAG_RE = re.compile(r"</?(?:{})\b[^>]*>".format("|".join(INLINE_TAGS + ["a"])))
_DATE_RE = re.compile(
    r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?"
)
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?$")


def detect_layout(tree: LexborHTMLParser, engine_hint: str | None) -> PostLayout | None:
    """The engine layout of a thread page: the URL's engine first, else the markup's."""
    if engine_hint in LAYOUT_BY_ENGINE:
        layout = LAYOUT_BY_ENGINE[engine_hint]
        if tree.css_first(layout.page_marker) is not None:
            return layout
    for layout in LAYOUTS:
        if layout.engine != engine_hint and tree.css_first(layout.page_marker) is not None:
            return layout
    return None


def find_post_blocks(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    """The (container, message) node pairs of a thread page, in page order; no changes made."""
    return _post_blocks(tree, layout)


def extract_posts(blocks: list[PostBlock], layout: PostLayout) -> list[dict]:
    """``[{"index", "author", "time", "text"}]`` in page order (no offsets yet).

    Changes the tree (noise inside messages is removed): nodes found before are stale after.
    """
    if not blocks:
        return []
    fragments = []
    for _, message in blocks:
        _drop_noise(message)
        fragments.append(message.inner_html or "")  # the wrapper tag would only cost time
    texts = _message_texts(fragments)
    posts = []
    for (container, _message), text in zip(blocks, texts, strict=True):
        if not text:
            continue
        posts.append(
            {
                "index": len(posts),
                "author": _author(container, layout),
                "time": _time(container, layout),
                "text": text,
            }
        )
    return posts


def _post_blocks(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    """(container, message) pairs in page order, one per post."""
    blocks = []
    seen: set[int] = set()
    for container in tree.css(layout.container):
        # Containers nest (Discuz!: div#post_N > table#pidN); the outer one comes first.
        message = container.css_first(layout.message)
        if message is None or message.mem_id in seen:
            continue
        seen.add(message.mem_id)
        blocks.append((container, message))
        if len(blocks) >= MAX_POSTS:
            break
    if not blocks:  # unfamiliar wrapper markup: each message is its own container
        blocks = [(m.parent or m, m) for m in tree.css(layout.message)[:MAX_POSTS]]
    return blocks


def _drop_noise(message: LexborNode) -> None:
    noise = message.css(_NOISE_SELECTORS)
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


def _author(container: LexborNode, layout: PostLayout) -> str | None:
    for selector in layout.author.split(", "):
        node = container.css_first(selector)
        if node is not None:
            author = squash(node.text(), MAX_AUTHOR_CHARS)
            author = re.sub(r"^(?:由|by)\s+", "", author, flags=re.IGNORECASE)
            author = author.split("»")[0].strip()
            if author:
                return author
    return None


def _time(container: LexborNode, layout: PostLayout) -> str | None:
    """The post time as ISO 8601 (local time, no zone unless the page gives one)."""
    for selector in layout.time.split(", "):
        node = container.css_first(selector)
        if node is None:
            continue
        # Discuz! shows "3 天前" and keeps the absolute time in a title; phpBB has datetime=.
        candidates = [node.attributes.get("datetime"), node.attributes.get("title")]
        candidates += [child.attributes.get("title") for child in node.css("[title]")]
        candidates.append(node.text())
        for value in candidates:
            parsed = parse_post_time(value)
            if parsed:
                return parsed
    return None


def parse_post_time(value: str | None) -> str | None:
    """``"发表于 2024-3-8 09:15:22"`` → ``"2024-03-08T09:15:22"``; None when there is no date."""
    if not value:
        return None
    value = value.strip()
    if _ISO_RE.match(value):
        return value
    match = _DATE_RE.search(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return moment.isoformat()


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
            texts[index] = "\n".join(clean_lines(holder.get_text()))[:MAX_POST_CHARS]
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
