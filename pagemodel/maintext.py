"""Main text and boilerplate: which text of a page is its content, which is chrome.

All on the selectolax (lexbor) tree, mostly in C. Boilerplate is found by tag and by
class/id/role, link-dense blocks (menus, news lists, friend links) by their anchor text, list
boxes by their headings ("相关文章", "热门推荐"…). Nothing is thrown away: each such block is
*harvested* — its text kept as a boilerplate group, the element replaced by a sentinel that keeps
its place — so one ``body.text()`` at the end yields content lines and sentinels in page order
(:func:`content_stream`). Inline tags are unwrapped first, so each remaining block is one line.

Broken markup: when tags are left open (``<div id="topbar">`` never closed), parsers — lexbor
as much as browsers — nest the rest of the page inside that block, so taking it by its name
would take the article with it. A boilerplate block that holds the page's main heading (or an
``<article>``/``<main>``) and most of its words is such a wrapper: it is kept, and the real
boilerplate nested in it is taken instead.

Neighbours' titles: prev/next lines ("上一篇：…", "下一篇：…") and boxes headed "相关文章",
"热门推荐"… carry OTHER pages' titles; they are boilerplate, so an article never inherits them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ground.blocks import BlockKind
from pagemodel.textutil import squash
from pagemodel.treewalk import by_tag, tag_ids

MAX_TEXT_CHARS = 200_000
# A block whose anchor text is more than this share of its text is navigation, not content.
MAX_LINK_SHARE = 0.5
# Levels a link-dense block is promoted to its parent when all its siblings are link-dense too.
MAX_PROMOTIONS = 2

# Removed with everything inside (before links are read: none of these carry content links).
JUNK_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "frame",
    "object",
    "embed",
    "canvas",
    "audio",
    "video",
    "select",
    "option",
    "button",
    "input",
    "textarea",
]
# Tags whose text flows inside a line; unwrapped so a block's text is one run.
INLINE_TAGS = [
    "abbr",
    "acronym",
    "b",
    "bdi",
    "bdo",
    "big",
    "cite",
    "code",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "kbd",
    "label",
    "mark",
    "nobr",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
    "var",
    "wbr",
]
# Boilerplate by class token / id (Chinese CMSs and Discuz! included: hd, ft, pt, toptb, nv …).
BOILERPLATE_NAMES = (
    "nav",
    "navbar",
    "navigation",
    "menu",
    "mainnav",
    "topnav",
    "subnav",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "footer",
    "foot",
    "copyright",
    "header",
    "topbar",
    "top-bar",
    "toolbar",
    "sidebar",
    "side",
    "share",
    "bdsharebuttonbox",
    "login",
    "search",
    "pagination",
    "pager",
    "pages",
    "pg",
    "pgs",
    "flink",
    "friendlink",
    "links",
    "hd",
    "ft",
    "pt",
    "toptb",
    "nv",
    "um",
    "scrolltop",
    "f_pst",
    "comment-form",
    "skip-link",
)
_BOILERPLATE_TAGS = (
    "nav, aside, header, footer, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=search], [role=complementary]"
)
# Selectors are built of only the names a page uses (page_names): lexbor matches
# every element against every selector, so 100 unused ones cost ~1 ms a page.
_BOILERPLATE_SET = frozenset(BOILERPLATE_NAMES)


# Single-link blocks that are list entries (menus, news lists) rather than a sentence.
_LIST_ITEM_TAGS = {"li", "dt", "dd", "td", "th", "option"}
_CONTENT_ANCESTORS = {"article", "main"}
_HAS_WORD = re.compile(r"\w")
_DENSE_MARK = "data-wuzha-link-dense"
_INLINE_IDS = tag_ids(INLINE_TAGS)
_TOP_IDS = tag_ids(["body", "html"])
_LIST_ITEM_IDS = tag_ids(_LIST_ITEM_TAGS)
_UNWRAP_SELECTOR = ", ".join([*INLINE_TAGS, "a"])
_BLOCK_SEPARATOR = "\x1f"  # never in text: lexbor puts it between text nodes

# A boilerplate block holding more than this share of the page's text, and the main content
# (WRAPPED_CONTENT), wraps the page because a tag was left open: kept, its inner blocks judged.
WRAPPER_TEXT_SHARE = 0.5
WRAPPED_CONTENT = (
    "h1, h2, article, main, [role=main], [id=main], [id=content], [class~=content], "
    "[class~=article]"
)
# Nesting levels of wrappers looked into; bounds the cost of hostile pages (one text walk each).
MAX_WRAPPER_LEVELS = 12

# Prev/next navigation: the label, then another page's title (or "没有了").
_NEIGHBOUR_LINE = re.compile(
    r"^[\s【\[(（<«]*(?:上|下|前|后)一?(?:篇|条|则|帖|主题|章|个)(?:文章|新闻|信息|内容|帖子)?"
    r"[\s】\])）>»]*(?:[:：]|$)"
)
_NEIGHBOUR_FIRST = frozenset(" 【[(（<«上下前后")
_NO_NEIGHBOUR = frozenset(
    {
        "",
        "没有了",
        "没有了！",
        "没有了!",
        "无",
        "暂无",
        "已是第一篇",
        "已是最后一篇",
        "已经是第一篇",
        "已经是最后一篇",
        "已经是第一篇了",
        "已经是最后一篇了",
    }
)
# Headings of boxes that list other pages (related, popular, recommended…).
LIST_BOX_LABELS = frozenset(
    {
        "相关文章",
        "相关阅读",
        "相关新闻",
        "相关推荐",
        "相关信息",
        "相关内容",
        "相关链接",
        "相关帖子",
        "相关主题",
        "热门推荐",
        "热门文章",
        "热门新闻",
        "热门帖子",
        "热门阅读",
        "热门资讯",
        "热门",
        "热点推荐",
        "热点新闻",
        "热点文章",
        "本周热点",
        "今日热点",
        "编辑推荐",
        "推荐阅读",
        "推荐文章",
        "精彩推荐",
        "猜你喜欢",
        "延伸阅读",
        "最新文章",
        "最新资讯",
        "最新新闻",
        "最新更新",
        "最新发布",
        "图片新闻",
        "阅读排行",
        "点击排行",
        "排行榜",
        "友情链接",
        "网站导航",
        "站点导航",
        "其他文章",
        "随便看看",
        "看了又看",
    }
)
# A list box's heading starts with its label (only a tail is cut): the regex runs on those only.
_LIST_BOX_STARTS = frozenset(label[:2] for label in LIST_BOX_LABELS)
_LABEL_TAIL = re.compile(r"[\s>»›+＋]*(?:更多|more|MORE|More)?[\s>»›+＋.…]*$")
_BOX_HEADINGS = "h2, h3, h4, h5, h6, dt"


_JUNK_SELECTOR = ", ".join(JUNK_TAGS)


_JUNK_IDS = tag_ids(JUNK_TAGS)
STYLE_TAG_ID = next(iter(tag_ids(["style"])))
_BASE_ID = next(iter(tag_ids(["base"])))


def junk_nodes(tree: LexborHTMLParser, bases: list[LexborNode] | None = None) -> list[LexborNode]:
    """What ``tree.css(_JUNK_SELECTOR)`` gives, in one walk of the tree (cheaper than lexbor
    matching every element against 18 selectors). ``bases`` gets the ``<base>`` elements."""
    if tree.root is None:
        if bases is not None:
            bases += tree.css("base")
        return tree.css(_JUNK_SELECTOR)
    found: list[LexborNode] = []
    wanted = dict.fromkeys(_JUNK_IDS, found)
    if bases is not None:
        wanted[_BASE_ID] = bases
    by_tag(tree.root, wanted)
    return found


def strip_junk(tree: LexborHTMLParser, junk: list[LexborNode] | None = None) -> None:
    """Drop scripts, styles, forms' widgets and embedded objects (done once per page).

    ``junk``: :func:`junk_nodes`, when already known. Each node is only detached (not freed),
    so one nested in another detached one is safe to detach too."""
    for node in junk_nodes(tree) if junk is None else junk:
        node.decompose(recursive=False)


# --- harvesting: text taken out of the tree, its place kept by a sentinel ----------------------

# Sentinels and markers are text no page shows (C0 controls): \x02k\x03 = harvested group k;
# \x04k\x03 and \x05k\x03 open and close content candidate k (see pagemodel.region). Each sits
# between two block separators, so one str.split (in C; a regex over 100 KB of CJK text costs
# milliseconds) cuts text into runs and markers even where lexbor merged them with text.
_GROUP, _OPEN, _CLOSE = "\x02", "\x04", "\x05"
_MARKS = frozenset((_GROUP, _OPEN, _CLOSE))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _marker(mark: str, number: int) -> str:
    return f"{_BLOCK_SEPARATOR}{mark}{number}\x03{_BLOCK_SEPARATOR}"


@lru_cache(maxsize=1024)
def _group_marker(number: int) -> str:
    return _marker(_GROUP, number)


@lru_cache(maxsize=1024)
def _candidate_markers(number: int) -> tuple[str, str]:
    """The open and close markers of content candidate ``number`` (built once)."""
    return _marker(_OPEN, number), _marker(_CLOSE, number)


def _read_marker(piece: str) -> tuple[str, int] | None:
    """``(mark, number)`` when a run is a sentinel or marker."""
    if piece[0] in _MARKS and piece[-1] == "\x03" and piece[1:-1].isdigit():
        return piece[0], int(piece[1:-1])
    return None


_HARVEST_MARK = "data-wuzha-harvest"
_POST = BlockKind.POST  # read once (an enum member costs ~0.1 µs a read)


@dataclass
class Group:
    """Text harvested from one element: its kind, raw text (may hold earlier groups' sentinels)
    and what else is known (a post's author and time)."""

    kind: BlockKind
    raw: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Harvest:
    """The groups taken out of one page's tree, by sentinel number.

    ``keep_text=False`` (the main text alone): a taken group keeps its text only when it holds
    the posts (only posts can make a taken group hold content; see :meth:`may_hold_content`):
    when the element is an ancestor of the sentinel that stands for them."""

    groups: list[Group] = field(default_factory=list)
    keep_text: bool = True
    # keep_text=False, once posts were put: the ``mem_id`` of each ancestor of the sentinel
    # that holds them (the posts' own, or that of the group taken around it since).
    _holders: frozenset[int] = frozenset()

    def take(self, node: LexborNode, kind: BlockKind, meta: dict | None = None) -> None:
        """Keep the element's text as a group and put its sentinel in its place."""
        holds = not self.keep_text and node.mem_id in self._holders
        keep = self.keep_text or holds
        text = node.text(separator=" ", skip_empty=True) if keep else ""
        self.put(node, Group(kind, text, meta or {}), holds)

    def put(self, node: LexborNode, group: Group, holds_posts: bool = False) -> None:
        holds_posts = holds_posts or group.kind == _POST
        parent = node.parent if holds_posts and not self.keep_text else None
        self.groups.append(group)
        node.replace_with(_group_marker(len(self.groups) - 1))
        if parent is not None:  # the new sentinel holds the posts: its ancestors, from now on
            holders = []
            while parent is not None:
                holders.append(parent.mem_id)
                parent = parent.parent
            self._holders = frozenset(holders)

    def take_outermost(
        self, body: LexborNode, nodes: list[LexborNode], kind: BlockKind, marked: str = ""
    ) -> int:
        """Take each node not inside another one of them; returns how many were taken.

        Which nodes are nested is decided (see :func:`nested_ids`) before the first
        replacement: a node inside a replaced subtree is freed memory and must never be touched.
        ``marked``: an attribute that exactly ``nodes`` carry in the body (``body.css`` of it
        found them): many of them are not marked again, the query is on that attribute.
        """
        if not nodes:
            return 0
        unique = {node.mem_id: node for node in nodes}
        if len(unique) == 1:  # nothing to be nested in
            self.take(nodes[0], kind)
            return 1
        if marked and len(unique) > MAX_WALKED_NODES and not _above_carries(body, marked):
            nested = {node.mem_id for node in body.css(f"[{marked}] [{marked}]")}
        else:
            nested = nested_ids(body, unique, _HARVEST_MARK)
        taken = 0
        for key, node in unique.items():
            if key not in nested:
                self.take(node, kind)
                taken += 1
        return taken

    def may_hold_content(self, index: int) -> bool:
        """Whether group ``index`` is posts or holds other groups (which may be posts)."""
        group = self.groups[index]
        return group.kind == _POST or _BLOCK_SEPARATOR in group.raw

    def expand(self, index: int) -> list[tuple[BlockKind, str, dict]]:
        """The blocks of group ``index``: its text, split where earlier groups sat in it."""
        group = self.groups[index]
        out: list[tuple[BlockKind, str, dict]] = []
        if _BLOCK_SEPARATOR not in group.raw:
            _add_text(out, group, group.raw)
            return out
        text: list[str] = []
        for piece in group.raw.split(_BLOCK_SEPARATOR):
            marker = _read_marker(piece) if piece else None
            if marker is not None and marker[0] == _GROUP:
                _add_text(out, group, " ".join(text))
                text.clear()
                out.extend(self.expand(marker[1]))
            else:
                text.append(piece)
        _add_text(out, group, " ".join(text))
        return out


def _add_text(out: list, group: Group, raw: str) -> None:
    text = " ".join(raw.split())
    if "\x03" in text:  # a page's own control characters: never left to look like markers
        text = " ".join(_CONTROL.sub(" ", text).split())
    if text and _HAS_WORD.search(text):
        out.append((group.kind, text, group.meta))
    elif group.kind == BlockKind.POST and not out:
        out.append((group.kind, "", group.meta))  # posts carry their text in meta


@dataclass(slots=True)
class Line:
    """One line of the content stream: a text run, or a harvested group's sentinel."""

    text: str  # "" for a group
    group: int | None
    candidates: tuple[int, ...]  # content candidates open here, outermost first


def harvest_boilerplate(
    body: LexborNode,
    names: PageNames,
    anchors: list[LexborNode],
    anchor_texts: list[str],
    harvest: Harvest,
) -> None:
    """Take link-dense blocks, boilerplate by tag and name, and list boxes, in that order.

    ``names``: the class tokens and ids of the page (:func:`page_names`).
    ``anchors``/``anchor_texts`` must be fresh (no node replaced since they were found)."""
    # Mark first (attributes only), take after: taking frees nodes.
    _mark_link_dense_blocks(anchors, anchor_texts)
    dense = body.css(f"[{_DENSE_MARK}]")
    harvest.take_outermost(body, dense, BlockKind.BOILERPLATE, marked=_DENSE_MARK)
    _take_boilerplate(body, names, harvest)
    _take_list_boxes(body, harvest)


def content_stream(
    body: LexborNode, candidates: list[LexborNode], inline: list[LexborNode] | None = None
) -> list[Line]:
    """The body's text runs in page order, one per block, with harvested groups' sentinels and
    the content candidates open at each run.

    ``candidates`` get an open and a close marker around them; inline tags are unwrapped so each
    block's text is one run. Newlines inside runs are source formatting, not breaks.
    ``inline``: the inline elements under ``body`` (and anchors), when already known."""
    for number, node in enumerate(candidates):
        opening, closing = _candidate_markers(number)
        node.insert_before(opening)
        node.insert_after(closing)
    # One query for all inline tags (unwrap_tags makes one per tag, a tree walk each).
    for node in body.css(_UNWRAP_SELECTOR) if inline is None else inline:
        node.unwrap()
    body.merge_text_nodes()
    lines: list[Line] = []
    stack: list[int] = []
    open_now: tuple[int, ...] = ()  # tuple(stack), rebuilt only when the stack changes
    has_word = _HAS_WORD.search
    # Whitespace-only text nodes (between tags) are skipped in C: they make no line.
    text = body.text(separator=_BLOCK_SEPARATOR, skip_empty=True)
    marks = _MARKS
    for piece in filter(None, text.split(_BLOCK_SEPARATOR)):  # empty runs dropped in C
        mark = piece[0]
        # _read_marker, inlined: this loop runs once per text run of the page
        if mark not in marks or piece[-1] != "\x03" or not piece[1:-1].isdigit():
            line = " ".join(piece.split())
            if line and has_word(line):
                lines.append(Line(line, None, open_now))
            continue
        number = int(piece[1:-1])
        if mark == _GROUP:
            lines.append(Line("", number, open_now))
        elif mark == _OPEN:
            stack.append(number)
            open_now = tuple(stack)
        elif number in stack:
            del stack[stack.index(number) :]
            open_now = tuple(stack)
    return lines


def navigation_lines(lines: list[str], anchor_texts: list[str]) -> set[int]:
    """Indexes of the prev/next lines that name another page and of the orphan headings of list
    boxes (boilerplate, whatever block they sit in)."""
    found: set[int] = set()
    links: set[str] | None = None
    for index, line in enumerate(lines):
        if (
            len(line) <= 12
            and line[:2] in _LIST_BOX_STARTS
            and _LABEL_TAIL.sub("", line) in LIST_BOX_LABELS
        ):
            found.add(index)
            continue
        if not line or line[0] not in _NEIGHBOUR_FIRST:
            continue
        match = _NEIGHBOUR_LINE.match(line)
        if match is not None:
            if links is None:  # built only on pages that have such a line
                links = {squash(text) for text in anchor_texts}
                links.discard("")
            rest = line[match.end() :].strip()
            if rest in _NO_NEIGHBOUR or any(text in line for text in links if len(text) > 1):
                found.add(index)
    return found


def _mark_link_dense_blocks(anchors: list[LexborNode], texts: list[str]) -> None:
    """Mark blocks whose text is mostly anchor text (menus, news lists, friend links)."""
    link_chars: dict[int, int] = {}
    link_count: dict[int, int] = {}
    blocks: dict[int, tuple[LexborNode, int]] = {}
    dense: dict[int, LexborNode] = {}
    inline, top = _INLINE_IDS, _TOP_IDS
    for anchor, text in zip(anchors, texts, strict=True):
        block = anchor.parent
        # The block is the nearest non-inline ancestor (<li><span><a>… → li).
        while block is not None and (tag := block.tag_id) in inline:
            block = block.parent
        if block is None or tag in top:
            continue
        key = block.mem_id
        if key in blocks:
            link_chars[key] += len(text.strip())
            link_count[key] += 1
        else:
            blocks[key] = (block, tag)
            link_chars[key] = len(text.strip())
            link_count[key] = 1
    for key, (block, tag) in blocks.items():
        if link_count[key] < 2 and tag not in _LIST_ITEM_IDS:
            continue  # one link inside a sentence ("QQ: <a>…</a>") is content
        total = len(block.text(strip=True, skip_empty=True))
        if total and link_chars[key] / total > MAX_LINK_SHARE:
            block.attrs[_DENSE_MARK] = "1"
            dense[key] = block
    _promote_dense(dense)


def _promote_dense(dense: dict[int, LexborNode]) -> None:
    """A list whose entries are all link-dense is one link-dense block (a menu is taken whole,
    not entry by entry): up to MAX_PROMOTIONS levels."""
    parent_of: dict[int, LexborNode | None] = {}  # read once per block, not once per level
    for _ in range(MAX_PROMOTIONS):
        parents: dict[int, LexborNode] = {}
        count: dict[int, int] = {}
        for block_key, block in dense.items():
            if block_key in parent_of:
                parent = parent_of[block_key]
            else:
                parent = parent_of[block_key] = block.parent
            if parent is not None and parent.tag_id not in _TOP_IDS:
                key = parent.mem_id
                parents.setdefault(key, parent)
                count[key] = count.get(key, 0) + 1
        promoted: dict[int, LexborNode] = {}
        for key, parent in parents.items():
            if count[key] < 2:
                continue
            # count >= 2 dense children: all of them dense makes more than one
            if all(child.mem_id in dense for child in parent.iter()):
                parent.attrs[_DENSE_MARK] = "1"
                promoted[key] = parent
        if not promoted:
            return
        dense = {**dense, **promoted}


def _take_boilerplate(body: LexborNode, names: PageNames, harvest: Harvest) -> None:
    matches = [
        node
        for node in body.css(_boilerplate_selector(names))
        # An article's own <header>/<footer> holds its title and byline.
        if not (
            node.tag in ("header", "footer")
            and _has_ancestor(node, lambda parent: parent.tag in _CONTENT_ANCESTORS)
        )
    ]
    matches = _without_wrappers(body, matches)
    harvest.take_outermost(body, matches, BlockKind.BOILERPLATE)


def _without_wrappers(body: LexborNode, nodes: list[LexborNode]) -> list[LexborNode]:
    """``nodes`` minus the blocks that wrap the page's content because a tag was left open.

    Judged outermost first, one nesting level at a time: only inside a wrapper are the next
    blocks looked at (a normal page costs one look at its outermost boilerplate blocks). The
    page's text is measured only when a block holds the main content.
    """
    if not nodes:
        return nodes
    by_id = {node.mem_id: node for node in nodes}
    spared: set[int] = set()
    page_chars: int | None = None
    pending = by_id
    for _ in range(MAX_WRAPPER_LEVELS):
        outermost = _outermost(body, list(pending.values()))
        wrappers = []
        for node in outermost:
            if node.css_first(WRAPPED_CONTENT) is None:
                continue
            if page_chars is None:
                page_chars = len(body.text(strip=True, skip_empty=True))
            if len(node.text(strip=True, skip_empty=True)) > WRAPPER_TEXT_SHARE * page_chars:
                wrappers.append(node)
        if not wrappers:
            break
        wrapper_ids = {node.mem_id for node in wrappers}
        spared |= wrapper_ids
        # The next level: candidates nested in a wrapper (the others are removed as they are).
        pending = {
            key: node
            for key, node in pending.items()
            if key not in spared
            and _has_ancestor(node, lambda parent, ids=wrapper_ids: parent.mem_id in ids)
        }
        if not pending:
            break
    return [node for key, node in by_id.items() if key not in spared]


def _outermost(body: LexborNode, nodes: list[LexborNode]) -> list[LexborNode]:
    """The nodes not inside another of them."""
    if len(nodes) < 2:
        return nodes
    nested = nested_ids(body, {node.mem_id: node for node in nodes}, "data-wuzha-candidate")
    return [node for node in nodes if node.mem_id not in nested]


# Up to this many nodes, their ancestors are walked (a few dozen steps each) rather than the
# whole body queried (a pass over the tree, ~0.1 ms on a big page).
MAX_WALKED_NODES = 40


def _above_carries(body: LexborNode, attribute: str) -> bool:
    """Whether an ancestor of the body (the html element, as a page may write it) carries the
    attribute: a query on it would then find every marked node nested."""
    node = body.parent
    while node is not None:
        if node.is_element_node and attribute in node.attrs:
            return True
        node = node.parent
    return False


def nested_ids(body: LexborNode, nodes: dict[int, LexborNode], mark: str) -> set[int]:
    """The ``mem_id`` of each of ``nodes`` (by ``mem_id``) that is inside another of them.

    Few nodes: by walking up from each. Many: in C (mark, one query, unmark). Either way the
    tree is left as it was, and nothing is decided after a node is replaced."""
    if len(nodes) <= MAX_WALKED_NODES:
        nested = set()
        for key, node in nodes.items():
            parent = node.parent
            while parent is not None:
                if parent.mem_id in nodes:
                    nested.add(key)
                    break
                parent = parent.parent
        return nested
    for node in nodes.values():
        node.attrs[mark] = "1"
    nested = {node.mem_id for node in body.css(f"[{mark}] [{mark}]")}
    for node in nodes.values():
        del node.attrs[mark]
    return nested


def _has_ancestor(node: LexborNode, test: Callable[[LexborNode], bool]) -> bool:
    parent = node.parent
    while parent is not None:
        if test(parent):
            return True
        parent = parent.parent
    return False


def _take_list_boxes(body: LexborNode, harvest: Harvest) -> None:
    """Take boxes headed "相关文章", "热门推荐"…: other pages' titles, with dates or blurbs
    that keep them below the link-density bar. The box is the heading's parent when the heading
    opens it; otherwise (a heading loose in the content) the heading and the list after it."""
    doomed: list[LexborNode] = []
    for heading in body.css(_BOX_HEADINGS):
        label = squash(heading.text())
        if len(label) > 12 or _LABEL_TAIL.sub("", label) not in LIST_BOX_LABELS:
            continue
        parent = heading.parent
        if (
            parent is not None
            and parent.tag not in ("body", "html", "article", "main")
            and _first_element(parent) == heading.mem_id
            and parent.css_first(WRAPPED_CONTENT) is None  # never the article itself
        ):
            doomed.append(parent)
            continue
        doomed.append(heading)
        following = heading.next
        while following is not None and not following.is_element_node:
            following = following.next
        if following is not None and following.tag in ("ul", "ol", "dl"):
            doomed.append(following)
    harvest.take_outermost(body, doomed, BlockKind.BOILERPLATE)


def _first_element(node: LexborNode) -> int | None:
    """The ``mem_id`` of the node's first element child."""
    child = node.child
    while child is not None and not child.is_element_node:
        child = child.next
    return child.mem_id if child is not None else None


def _boilerplate_selector(names: PageNames) -> str:
    return _selector_for(
        frozenset(names.classes & _BOILERPLATE_SET), frozenset(names.ids & _BOILERPLATE_SET)
    )


@dataclass
class PageNames:
    """The class tokens and the ids of a page's elements (lower case), apart: a selector part on
    one attribute is left out when no element has the name in that attribute (lexbor matches
    every element against every part, so each one left out spares a pass over the tree)."""

    classes: set[str]
    ids: set[str]
    class_text: str = field(init=False)  # the tokens joined by spaces, for substring tests
    id_text: str = field(init=False)

    def __post_init__(self) -> None:
        self.class_text = " ".join(self.classes)
        self.id_text = " ".join(self.ids)


def page_names(root: LexborNode) -> PageNames:
    """The class tokens and ids of the elements under ``root`` (lower case): the names a
    boilerplate, weight or reply selector can match, so selectors are built of only those. Read
    from the tree (one query in C, one attribute read per element): scanning the raw HTML for
    ``class=`` costs more on CJK pages and misses ``class = "…"`` and entity-written names.
    Two queries (``attrs["class"]`` and ``id`` read one attribute each) cost less than one
    query reading both of every element.

    Taken before the tree loses blocks, the sets are supersets of what is left: a selector
    built of a name no element has any more matches nothing, so the result is the same."""
    classes = [node.attrs["class"] or "" for node in root.css("[class]")]
    ids = [node.id or "" for node in root.css("[id]")]
    return PageNames(set(" ".join(classes).lower().split()), set(" ".join(ids).lower().split()))


@lru_cache(maxsize=4096)
def _selector_for(classes: frozenset[str], ids: frozenset[str]) -> str:
    parts = [_BOILERPLATE_TAGS]
    for name in sorted(classes | ids):
        if name in classes:
            parts.append(f"[class~={name}]")
        if name in ids:
            parts.append(f"[id={name}]")
    return ", ".join(parts)
