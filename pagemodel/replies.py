"""Comment, reply and answer lists under articles, blog posts and questions.

No engine to recognise here: WordPress's ``ol.comment-list > li.comment``, .Text's ``#comments``
(a header with the time and name, then the text), news sites' ``div.comment-item``, Q&A
``div.answer``. What they share is a container named for comments, replies or answers that holds
a repeated item — one element, or a repeated run of siblings — each with a name and a time. A
list is taken only when most of its items show both and some words that are not links (sidebar
"recent comments" and "related posts" boxes are link lists, and sit in sidebars anyway).

:func:`find_reply_blocks` gives the same ``(container, message)`` blocks as thread pages do, for
:func:`pagemodel.posts.extract_posts` with :data:`REPLIES`; every block of a list shares the
list's element as its container.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pagemodel.maintext import PageNames
from pagemodel.post_layouts import MAX_POSTS, Message, PostBlock, PostLayout
from pagemodel.postfields import (
    MAX_AUTHOR_CHARS,
    clean_author,
    parse_floor,
    parse_post_time,
    shows_time,
)

REPLIES = PostLayout(
    engine="replies",
    template="replies",
    page_marker="",
    container="",
    message=(),
    author=(),
    time=(),
)

# Containers named for comments, replies or answers (ids and classes, any case).
_WORDS = ("comment", "reply", "answer")


@lru_cache(maxsize=64)
def _candidates(id_words: tuple[str, ...], class_words: tuple[str, ...]) -> str:
    return ", ".join(
        [f"[id*={word} i]" for word in id_words] + [f"[class*={word} i]" for word in class_words]
    )


_CONTAINER_TAGS = frozenset(["div", "ol", "ul", "section", "dl", "table", "tbody", "td", "main"])
_SKIP_TAGS = frozenset(["script", "style", "form", "input", "textarea", "button", "iframe"])
# Boxes that list other pages' comments: the sidebar, "latest"/"hot" comment widgets.
_CHROME_TAGS = frozenset(["aside", "nav", "footer", "header"])
_CHROME_WORDS = frozenset(
    [
        "side",
        "sidebar",
        "aside",
        "widget",
        "footer",
        "foot",
        "recent",
        "latest",
        "hot",
        "hots",
        "rank",
        "ranking",
        "nav",
        "navbar",
        "menu",
        "最新",
        "热门",
        "热评",
    ]
)
_CHROME_STARTS = ("sidebar", "recent", "latest", "widget", "footer")  # recentcomments
_CHROME_ENDS = ("menu", "sidebar", "nav", "leftside", "rightside")  # leftmenu, subnav
_TOKENS = re.compile(r"[\s_-]+")
_EXPLICIT = re.compile(r"comment|reply|answer", re.IGNORECASE)
# A list of one: only a numbered comment (WordPress's li#comment-4632, Discuz!'s comment_1_li).
_NUMBERED = re.compile(r"(?:comment|reply|answer)s?[-_]?\d+", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "ul",
        "ol",
        "li",
        "dl",
        "dd",
        "dt",
        "table",
        "tbody",
        "tr",
        "td",
        "blockquote",
        "pre",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "center",
    ]
)

_TIME_SELECTORS = (
    "time",
    "[class*=time i], [class*=date i]",
    "[class*=meta i], small, span, em, font, cite, h4, h5, h6",
)
_AUTHOR_SELECTORS = (
    "a[id*=name i]",
    "[class*=author i] [class*=name i], .fn, [class*=author i] cite",
    "[class*=author i] a, [class*=author i] b, [class*=author i] strong",
    "cite",
    "[class*=nick i], [class*=user i] a, [class*=username i], [class*=user-name i]",
    "[class*=author i], [class*=user i], [class*=name i]",
    # the poster's profile link: Discuz!'s portal, phpBB-ish and custom comment lists
    (
        "a[href*=space-uid], a[href*='mod=space'], a[href*='uid='], a[href*='/u/'], "
        "a[href*=user i], a[href*=member i], a[href*=profile i]"
    ),
    "strong, b",
)
_BODY_SELECTORS = (
    "[class*=content i]",
    "[class*=text i], [class*=txt i]",
    "[class*=message i], [class*=msg i]",
    "[class*=body i]",
)
_NOT_A_NAME = re.compile(
    r"^(?:#|回复|引用|举报|顶|踩|支持|反对|评论|reply|quote|says?)$", re.IGNORECASE
)
# Anything a time could be written as (shows_time decides on the node found).
_TIME_HINT = re.compile(
    r"\d{1,2}\s*[:：]\s*\d{2}|\d{4}\s*[-/年.]\s*\d{1,2}|(?:秒|分钟?|小?时|天|周|月|年)前|刚刚"
    r"|[A-Za-z]{3}[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s*[-/月]\s*\d{1,2}"
)
# Every alternative of _TIME_HINT holds one of these: a text without any is spared the regex
# (which has no literal to skip ahead by, so it tries every position of a long text).
_TIME_CHARS = re.compile(r"[\d前刚]")
MAX_META_CHARS = 120  # a time or name line; longer text is the comment itself
MAX_LINK_SHARE = 0.6  # a list whose words are mostly links is a link list
MIN_VALID_SHARE = 0.6
EARLY_REJECT = 3
MAX_CONTAINERS = 200


def find_reply_blocks(tree: LexborHTMLParser, names: PageNames | None = None) -> list[PostBlock]:
    """The comments, replies and answers of a page, in page order; no changes made.

    ``names``: the page's class tokens and ids, lower case, when known (supersets will do): a
    page whose names hold none of the words has no candidate, and the query is spared."""
    body = tree.body
    if body is None:
        return []
    id_words = class_words = _WORDS
    if names is not None:  # a selector of the words no name holds would match nothing
        id_words = tuple(word for word in _WORDS if word in names.id_text)
        class_words = tuple(word for word in _WORDS if word in names.class_text)
        if not id_words and not class_words:
            return []
    # A container is named for comments, or holds items that are (ul.list > li.comment-item):
    # two of them, or one numbered comment.
    named: dict[int, tuple[int, LexborNode]] = {}
    holders: dict[int, tuple[int, LexborNode, list[LexborNode]]] = {}
    seen: set[int] = set()
    for order, node in enumerate(body.css(_candidates(id_words, class_words))):
        if node.mem_id in seen:  # a node matching two of the selectors comes twice
            continue
        seen.add(node.mem_id)
        if node.tag in _CONTAINER_TAGS:
            named[node.mem_id] = (order, node)
        parent = node.parent
        if parent is not None and parent.tag in _CONTAINER_TAGS:
            holders.setdefault(parent.mem_id, (order, parent, []))[2].append(node)
    containers = dict(named)
    for key, (order, parent, items) in holders.items():
        if key not in containers and (
            len(items) >= 2 or _NUMBERED.search(items[0].attributes.get("id") or "")
        ):
            containers[key] = (order, parent)
    # Inner lists first. An outer list takes the place of the lists inside it only when their
    # items are its own nested replies (WordPress's ol.children); a box of comment sections,
    # each with its own list, is no comment list.
    by_depth = sorted(containers.values(), key=lambda entry: -_depth(entry[1]))
    accepted: list[tuple[int, LexborNode, list[Message]]] = []
    chrome: dict[int, bool] = {}
    for order, container in by_depth[:MAX_CONTAINERS]:
        if _in_chrome(container, chrome):  # a few ancestors' names: cheaper than reading the items
            continue
        inner = [entry for entry in accepted if _contains(container, entry[1])]
        messages = _items(container)
        if not messages:
            continue
        if inner:
            own = {message.scope[0].mem_id for message in messages}
            if any(m.scope[0].mem_id not in own for entry in inner for m in entry[2]):
                continue
            accepted = [entry for entry in accepted if entry not in inner]
        accepted.append((order, container, messages))
    accepted.sort(key=lambda entry: entry[0])  # disjoint subtrees: first candidate, page order
    blocks = [
        PostBlock(container, message) for _, container, messages in accepted for message in messages
    ]
    return blocks[:MAX_POSTS]


def _items(container: LexborNode) -> list[Message]:
    children = [node for node in _element_children(container) if node.tag not in _SKIP_TAGS]
    if not children:
        return []
    signatures = [_signature(node) for node in children]
    groups: dict[str, list[LexborNode]] = {}
    for node, signature in zip(children, signatures, strict=True):
        groups.setdefault(signature, []).append(node)
    signature, items = max(groups.items(), key=lambda group: len(group[1]))
    if len(items) >= 2 or _NUMBERED.search(items[0].attributes.get("id") or ""):
        items = _nested(container, items, signature)
        messages = _read([[item] for item in items], _replies_within(items))
        if messages:
            return messages
    for runs in _periodic_runs(children, signatures):
        messages = _read(runs, {})
        if messages:
            return messages
    return []


def _read(runs: list[list[LexborNode]], nested: dict[int, list[LexborNode]]) -> list[Message]:
    """The runs as messages, if most of them look like comments and the list is more than links
    (one spam comment may be mostly a link; a "related posts" box is nothing else)."""
    if len(runs) == 1 and not _NUMBERED.search(runs[0][0].attributes.get("id") or ""):
        return []
    messages = []
    words = links = 0
    total = min(len(runs), MAX_POSTS)
    needed = MIN_VALID_SHARE * total
    for count, run in enumerate(runs[:MAX_POSTS], start=1):
        message = _message(run, nested.get(run[0].mem_id, []))
        if message is not None:
            messages.append(message)
            words += sum(len(node.text(strip=True, skip_empty=True)) for node in message.nodes)
            links += _link_chars(message.nodes)
        elif count == EARLY_REJECT and not messages:
            return []  # the first few items are no comments: spare the rest
        elif len(messages) + total - count < needed:
            return []  # too few left to make the share below: spare them
    if not messages or len(messages) < needed:
        return []
    return messages if links <= MAX_LINK_SHARE * words else []


def _message(run: list[LexborNode], replies: list[LexborNode]) -> Message | None:
    if not any(_shows_time_hint(node.text()) for node in run):
        return None  # no time shown at all: spare the selector work
    time_node, time = _time(run)
    if time_node is None:
        return None  # no time: the name is not looked for
    author_node, author = _author(run)
    if author_node is None:
        return None
    body = _body(run, [time_node, author_node], replies)
    if not any(node.text(strip=True, skip_empty=True) for node in body):
        return None
    floor_node = next((found for node in run for found in node.css("[class*=floor i]")), None)
    floor = parse_floor(floor_node.text()) if floor_node is not None else None
    return Message(body, run, known={"author": author, "time": time, "floor": floor})


def _shows_time_hint(text: str) -> bool:
    return _TIME_CHARS.search(text) is not None and _TIME_HINT.search(text) is not None


def _link_chars(nodes: list[LexborNode]) -> int:
    return sum(
        len(anchor.text(strip=True, skip_empty=True))
        for node in nodes
        if node.is_element_node
        for anchor in node.css("a[href]")
        if not anchor.attributes.get("href", "").lower().startswith(("javascript:", "#"))
    )


def _time(run: list[LexborNode]) -> tuple[LexborNode | None, str | None]:
    """The node showing the item's time and the time as ISO 8601 (None for "3 天前": the node
    still marks the header)."""
    for node in run:
        for found in node.css("time[datetime]"):
            if parsed := parse_post_time(found.attributes.get("datetime")):
                return found, parsed
    if len(run) > 1:  # a run's short node: .Text's header line, a footer "name | 2005-08-22"
        for node in run:
            text = node.text()
            if len(text) <= MAX_META_CHARS and (parsed := parse_post_time(text)):
                return node, parsed
    relative = None
    for selectors in _TIME_SELECTORS:
        for node in run:
            for found in node.css(selectors):
                parsed = parse_post_time(found.attributes.get("title"))
                if parsed is None:
                    text = found.text()
                    if len(text) > MAX_META_CHARS:
                        continue
                    parsed = parse_post_time(text)
                    if parsed is None and relative is None and shows_time(text.strip()):
                        relative = found
                if parsed:
                    return found, parsed
    return relative, None


def _author(run: list[LexborNode]) -> tuple[LexborNode, str] | tuple[None, None]:
    for selectors in _AUTHOR_SELECTORS:
        for node in run:
            for found in node.css(selectors):
                text = found.text(strip=True, skip_empty=True)
                if not text or len(text) > MAX_AUTHOR_CHARS or parse_post_time(text):
                    continue
                author = clean_author(text)
                if author and not _NOT_A_NAME.match(author):
                    return found, author
    return None, None


def _body(
    run: list[LexborNode], meta: list[LexborNode], replies: list[LexborNode]
) -> list[LexborNode]:
    """The comment's own words: a content element if the template names one, else the run
    without its header (the nodes holding the time and name) and without nested replies."""
    leave_out = meta + replies
    for selector in _BODY_SELECTORS:
        for node in run:
            for found in node.css(selector):
                if found.text(strip=True, skip_empty=True) and not any(
                    _contains(found, n) for n in leave_out
                ):
                    return [found]
    tops = {node.mem_id for node in run}
    marks = {ancestor for node in leave_out for ancestor in _ancestors(node, tops)}
    out = {node.mem_id for node in leave_out}
    kept: list[LexborNode] = []
    for node in run:
        _keep(node, out, marks, kept, top=True)
    return kept


def _keep(node: LexborNode, out: set[int], marks: set[int], kept: list, top: bool) -> None:
    if node.mem_id in out or (node.is_element_node and node.tag in _SKIP_TAGS):
        return
    if node.mem_id not in marks:
        if top or node.tag in _BLOCK_TAGS:
            kept.append(node)
        return
    # A node holding the header: its block children that hold none of it are the text; its
    # inline bits ("的评论", "说道：", " | ") are the header's.
    child = node.child
    while child is not None:
        if child.is_element_node:
            _keep(child, out, marks, kept, top=False)
        child = child.next


def _ancestors(node: LexborNode, tops: set[int]) -> list[int]:
    """``node`` and its ancestors up to the first of ``tops`` (none if it is outside them)."""
    chain = []
    while node is not None:
        chain.append(node.mem_id)
        if node.mem_id in tops:
            return chain
        node = node.parent
    return []


def _contains(ancestor: LexborNode, node: LexborNode) -> bool:
    while node is not None:
        if node.mem_id == ancestor.mem_id:
            return True
        node = node.parent
    return False


def _replies_within(items: list[LexborNode]) -> dict[int, list[LexborNode]]:
    """Each item's replies nested directly in it."""
    ids = {item.mem_id for item in items}
    nested: dict[int, list[LexborNode]] = {}
    for item in items:
        parent = item.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is not None:
            nested.setdefault(parent.mem_id, []).append(item)
    return nested


def _nested(container: LexborNode, items: list[LexborNode], signature: str) -> list[LexborNode]:
    """The items with the replies nested in them (WordPress's ``ol.children``), in page order,
    when the items carry a class to find them by."""
    token = signature.partition(".")[2]
    if not token:
        return items
    tag = signature.partition(".")[0]
    found = container.css(f"{tag}.{token}")
    return found if len(found) >= len(items) else items


def _periodic_runs(
    children: list[LexborNode], signatures: list[str]
) -> list[list[list[LexborNode]]]:
    """Ways to cut ``children`` into a repeated run of 2–4 siblings (header, text, footer), the
    longest cover first; a few odd nodes may open (a heading) or close (a pager) the list."""
    cuts = []
    for period in (2, 3, 4):
        for start in range(min(3, len(children))):
            pattern = signatures[start : start + period]
            count = 0
            while signatures[start + count * period : start + (count + 1) * period] == pattern:
                count += 1
            if count >= 2 and len(set(pattern)) > 1:
                runs = [
                    children[start + k * period : start + (k + 1) * period] for k in range(count)
                ]
                cuts.append((count * period, -period, runs))
    cuts.sort(key=lambda cut: (cut[0], cut[1]), reverse=True)
    return [runs for _, _, runs in cuts[:2]]


def _element_children(node: LexborNode) -> list[LexborNode]:
    children = []
    child = node.child
    while child is not None:
        if child.is_element_node:
            children.append(child)
        child = child.next
    return children


def _signature(node: LexborNode) -> str:
    if node.tag in ("li", "dd", "dt", "tr", "article"):
        classes = (node.attributes.get("class") or "").split()
        return f"{node.tag}.{classes[0]}" if classes and _EXPLICIT.search(classes[0]) else node.tag
    classes = (node.attributes.get("class") or "").split()
    return f"{node.tag}.{classes[0]}" if classes else node.tag


def _names(node: LexborNode) -> str:
    return f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"


def _depth(node: LexborNode) -> int:
    depth = 0
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def _in_chrome(node: LexborNode, known: dict[int, bool] | None = None) -> bool:
    """Whether the node or an ancestor (below the body) is chrome. ``known``: answers so far,
    by ``mem_id`` (containers share ancestors: each is judged once), filled in."""
    if known is None:
        known = {}
    walked: list[int] = []
    answer = False
    while node is not None and node.tag not in ("body", "html"):
        key = node.mem_id
        if key in known:
            answer = known[key]
            break
        walked.append(key)
        if node.tag in _CHROME_TAGS or _chrome_name(_names(node)):
            answer = True
            break
        node = node.parent
    for key in walked:
        known[key] = answer
    return answer


def _chrome_name(names: str) -> bool:
    """ "sidebar", "widget_recent_comments", "leftmenu" — not "inside", "photo", "hotel"."""
    for token in _TOKENS.split(names.lower()):
        if (
            token in _CHROME_WORDS
            or token.startswith(_CHROME_STARTS)
            or token.endswith(_CHROME_ENDS)
        ):
            return True
    return False
