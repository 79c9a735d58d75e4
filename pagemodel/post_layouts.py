"""Where the common forum engines' templates put a post's parts, and how to cut a page into posts.

Each :class:`PostLayout` describes one template family as the engine emits it: Discuz! X2.5–X3.x
and 6/7 thread pages, its touch (``mobile=2``) and old mobile (``mobile=1``) pages, its Archiver
(X and 5.x), phpBB 3.x prosilver, PHPWind 7/8 and PHPWind 9. Three ways to find the posts:

- ``container``: one element per post, the message inside it (phpBB, PHPWind, Discuz! touch);
- ``pid``: Discuz! ties a post's parts by its pid (``postmessage_N``, ``pidN``, ``post_N``,
  ``authorpostonN``, ``postnumN``) and its old mobile template puts the message outside the
  post's header block, so the parts are paired by that number;
- ``runs``: the Archiver writes no element per post, only a header (``p.author``) followed by
  the subject and the message as loose text: a post is the run of siblings up to the next header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_POSTS = 200
_PID = re.compile(r"\d{1,12}")
# Discuz!'s elements that carry a post's pid in their id, looked up once per page.
_PID_IDS = "[id^=post_], [id^=pid], [id^=authorposton], [id^=postnum]"


@dataclass(frozen=True)
class PostLayout:
    """Where one forum template keeps a post's parts (CSS selectors, each tried in order)."""

    engine: str  # as forum_url_info names it: discuz, phpbb, phpwind; "replies" for comment lists
    template: str  # the engine's template family
    page_marker: str  # present on a thread page of this template
    container: str  # one element per post; for "runs", the element holding the runs
    message: tuple[str, ...]  # inside the container
    author: tuple[str, ...]
    time: tuple[str, ...]
    floor: tuple[str, ...] = ()
    split: str = "container"  # container | pid | runs
    header: str = ""  # "runs": the element that opens each post
    confirm: str = ""  # a second marker that must be present too (the first is too common)
    floor_offset: int = 0  # added to a shown floor number (engines that number replies)
    drop: str = ""  # elements of a run that are not the message (the Archiver's subject line)


@dataclass
class Message:
    """One post's nodes: its words, and where its author, time and floor are shown."""

    nodes: list[LexborNode]  # the message element, or the run of siblings that is the message
    scope: list[LexborNode]  # where author, time and floor are looked up, nearest first
    time_node: LexborNode | None = None
    floor_node: LexborNode | None = None
    known: dict = field(default_factory=dict)  # author/time/floor found while splitting


class PostBlock(NamedTuple):
    """A post found on the page: ``container`` is where it sits in the tree (a run of posts
    without wrappers shares the element holding them), ``message`` its parts."""

    container: LexborNode
    message: Message


DISCUZ = PostLayout(
    engine="discuz",
    template="discuz",
    page_marker="[id^=postmessage_]",
    container="",
    message=("[id^=postmessage_]",),
    author=(
        ".pls .authi a.xw1",
        ".pi .authi a.xw1",
        ".pti .authi a[href*=uid]",
        ".pti .authi a[href*=space]",
        "td.postauthor .postinfo a",
        ".postauthor cite a",
        ".bm_user a[href*=uid]",
        ".bm_user a[href*=space]",
        ".pls .pi",
    ),
    time=("em[id^=authorposton]", ".authi em", ".postinfo em"),
    floor=("a[id^=postnum]", ".pi strong a", ".bm_user"),
    split="pid",
)
DISCUZ_TOUCH = PostLayout(
    engine="discuz",
    template="discuz-touch",
    page_marker="div.plc[id^=pid] .message",
    container="div.plc[id^=pid]",
    message=(".message",),
    author=(".authi li.grey b a", ".authi b a", ".authi a[href*=uid]", ".authi b"),
    time=(".authi li.rela", ".authi li.grey + li", ".authi"),
    floor=(".authi li.grey em", ".authi em"),
)
DISCUZ_ARCHIVER = PostLayout(
    engine="discuz",
    template="discuz-archiver",
    page_marker="#content > p.author",
    confirm="#end a[href*=viewthread], #end a[href*=thread-]",
    container="#content",
    header="p.author",
    message=(),
    author=("strong",),
    time=(),  # the header's text: "admin 发表于 2024-3-8 09:15"
    split="runs",
    drop="h3, div.page",
)
DISCUZ_ARCHIVER_5 = PostLayout(
    engine="discuz",
    template="discuz-archiver-5",
    page_marker=".simpletable .t_msg",
    container="div.simpletable",
    message=(".t_msg",),
    author=(".altbg1 > b", ".altbg1 b"),
    time=(".altbg1 > span.right", ".altbg1 span"),
)
PHPBB = PostLayout(
    engine="phpbb",
    template="phpbb-prosilver",
    page_marker="div.post .postbody",
    container="div.post",
    message=(".postbody .content", "div.content"),
    author=(
        ".author .username",
        ".author .username-coloured",
        ".postprofile .username",
        ".postprofile .username-coloured",
        ".author strong",
        ".postauthor",
    ),
    time=(".author time", "p.author", ".postdetails", ".author"),
)
PHPWIND_9 = PostLayout(
    engine="phpwind",
    template="phpwind-9",
    page_marker="div.floor .editor_content",
    container="div.floor[id^=read_]",
    message=(".editor_content",),
    author=(".floor_info .name a", ".floor_info .name"),
    time=(".floor_top_tips .fl", ".floor_top_tips"),
    floor=(".floor_top_tips .lou",),
    floor_offset=1,
)
PHPWIND = PostLayout(
    engine="phpwind",
    template="phpwind",
    page_marker=".tpc_content, table.floot [id^=read_]",
    container="table.floot, div[id^=floor_], div[id^=readfloor_], .read_t",
    message=("[id^=read_]", ".tpc_content"),
    author=(".readName a", ".readName", ".floot_left a"),
    time=("[id^=td_postdate]", ".tipTop span[title]", ".tipTop .gray", ".tipTop"),
    floor=(".tipTop .fr a", ".tipTop a.s2", ".tipTop .fr"),
    floor_offset=1,
)
LAYOUTS = (
    DISCUZ,
    DISCUZ_TOUCH,
    DISCUZ_ARCHIVER,
    DISCUZ_ARCHIVER_5,
    PHPBB,
    PHPWIND_9,
    PHPWIND,
)
# One query tells a page with no forum markup at all (most pages) from the rest.
ANY_MARKER = ", ".join(layout.page_marker for layout in LAYOUTS)


def split_posts(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    """The posts of a thread page in page order, by the layout's way of splitting."""
    if layout.split == "pid":
        return _by_pid(tree, layout)
    if layout.split == "runs":
        return _by_runs(tree, layout)
    return _by_container(tree, layout)


def _by_container(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    blocks = []
    seen: set[int] = set()
    for container in tree.css(layout.container):
        # Containers nest (PHPWind: div#floor_N > table.floot); the outer one comes first.
        message = first_node([container], layout.message)
        if message is None or message.mem_id in seen or message.mem_id == container.mem_id:
            continue
        seen.add(message.mem_id)
        blocks.append(PostBlock(container, Message([message], [container])))
        if len(blocks) >= MAX_POSTS:
            break
    return blocks


def _by_pid(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    by_id: dict[str | None, LexborNode] | None = None  # only for pages that need it (mobile=1)
    blocks = []
    for message in tree.css(layout.message[0]):
        pid = (message.attributes.get("id") or "")[len("postmessage_") :]
        if not _PID.fullmatch(pid):
            continue
        wrappers = (f"post_{pid}", f"pid{pid}")
        heads = _ancestors_with_ids(message, wrappers)
        if heads:
            container = heads[-1]  # the outermost: div#post_N holds table#pidN
            blocks.append(PostBlock(container, Message([message], heads)))
        else:  # mobile=1: the header block sits before the message's block
            if by_id is None:
                by_id = {node.attributes.get("id"): node for node in tree.css(_PID_IDS)}
            heads = [node for node in (by_id.get(key) for key in wrappers) if node is not None]
            container = (
                _common_ancestor(message, heads[0]) if heads else (message.parent or message)
            )
            message_parts = Message(
                [message],
                heads or [container],
                time_node=by_id.get(f"authorposton{pid}"),
                floor_node=by_id.get(f"postnum{pid}"),
            )
            blocks.append(PostBlock(container, message_parts))
        if len(blocks) >= MAX_POSTS:
            break
    return blocks


def _by_runs(tree: LexborHTMLParser, layout: PostLayout) -> list[PostBlock]:
    holder = tree.css_first(layout.container)
    if holder is None:
        return []
    blocks: list[PostBlock] = []
    header, run = None, []
    node = holder.child
    while node is not None:
        if node.is_element_node and node.css_matches(layout.header):
            if header is not None:
                blocks.append(PostBlock(holder, Message(run, [header])))
            header, run = node, []
        elif header is not None and not (
            layout.drop and node.is_element_node and node.css_matches(layout.drop)
        ):
            run.append(node)
        node = node.next
    if header is not None:
        blocks.append(PostBlock(holder, Message(run, [header])))
    return blocks[:MAX_POSTS]


def _ancestors_with_ids(node: LexborNode, ids: tuple[str, ...]) -> list[LexborNode]:
    """The ancestors of ``node`` whose id is one of ``ids``, innermost first (ids repeat on some
    pages: the walk up finds the right ones)."""
    found = []
    parent = node.parent
    while parent is not None and len(found) < len(ids):
        if parent.attributes.get("id") in ids:
            found.append(parent)
        parent = parent.parent
    return found


def _common_ancestor(a: LexborNode, b: LexborNode) -> LexborNode:
    ancestors = set()
    node = b
    while node is not None:
        ancestors.add(node.mem_id)
        node = node.parent
    node = a.parent
    while node is not None and node.mem_id not in ancestors:
        node = node.parent
    return node if node is not None else (a.parent or a)


def first_node(scope: list[LexborNode], selectors: tuple[str, ...]) -> LexborNode | None:
    """The first node matching the first selector that matches anything in ``scope``."""
    for selector in selectors:
        for node in scope:
            found = node.css_first(selector)
            if found is not None:
                return found
    return None
