"""``extract_page(html, url)``: everything the sweep keeps from one HTML page, and its blocks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ground.blocks import Block, BlockKind
from ground.urls import registered_domain
from pagemodel.forum_urls import forum_url_info
from pagemodel.hidden import hidden_nodes, style_rule_selectors
from pagemodel.icp import find_icp
from pagemodel.layout import POST_SEPARATOR, content_text, lay_out
from pagemodel.links import (
    MAX_LINKS,
    LinkResolver,
    apk_links,
    base_url,
    external_link_text,
    extract_links,
    qr_images,
)
from pagemodel.maintext import (
    INLINE_TAGS,
    MAX_TEXT_CHARS,
    STYLE_TAG_ID,
    Group,
    Harvest,
    Line,
    PageNames,
    content_stream,
    harvest_boilerplate,
    junk_nodes,
    navigation_lines,
    page_names,
    strip_junk,
)
from pagemodel.meta import extract_meta
from pagemodel.posts import detect_layout, extract_posts, find_post_blocks
from pagemodel.region import (
    MAX_CHROME_LINE_CHARS,
    article_region,
    candidates,
    is_chrome_line,
    is_note_line,
)
from pagemodel.replies import REPLIES, find_reply_blocks
from pagemodel.textutil import squash
from pagemodel.treewalk import by_tag, tag_ids

__all__ = ["POST_SEPARATOR", "extract_page", "main_text"]

# Pages bigger than this are cut before parsing (the downloader caps bodies too).
MAX_HTML_CHARS = 3_000_000
# Thread titles on board pages: a link list, but the content of a board page (Discuz!, phpBB,
# PHPWind). The rest of the row (author, counts) stays out with the link-dense blocks.
THREAD_TITLE_SELECTOR = "a.xst, a.topictitle, a.subject_t, td.subject > a, h3 > a.subject"
MAX_THREAD_TITLES = 500
_DISCUZ_TID = re.compile(r"[?&;]ptid=(\d+)|/thread-(\d+)-\d+-\d+\.html")
_DISCUZ_FID = re.compile(r"[?&;]fid=(\d+)|/forum-(\d+)-\d+\.html")
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_LIST_ITEMS = "li, dd, dt"
_NO_SPACE = re.compile(r"\s+")
_POSTS_MARK = "data-wuzha-post"
_INSIDE_MARK = "data-wuzha-inside"
Entry = tuple[BlockKind, str, dict]
# Enum members read once: BlockKind.X costs ~0.1 µs a read, and these are read once per line.
_PARAGRAPH, _BOILERPLATE, _POST = BlockKind.PARAGRAPH, BlockKind.BOILERPLATE, BlockKind.POST
_LIST_ITEM, _HEADING = BlockKind.LIST_ITEM, BlockKind.HEADING


def extract_page(html: str, url: str, original_html: str | None = None) -> dict:
    """Title, main text, meta, ICP, links, APK links, QR images, forum info, posts and blocks.

    Keys: ``title, text, description, keywords, icp, links, apk_links, qr_images, forum,
    posts, blocks``. ``blocks`` cover the page (see :mod:`pagemodel.layout` for their offsets);
    ``text`` is the content blocks joined. On forum thread pages ``text`` is the posts' texts
    joined by a blank line and each post carries ``start``/``end``, its range in ``text`` (hits
    are mapped to posts by offset).

    Comments, replies and answers under an article become posts after the article's text.

    ``original_html``: on a rendered page, the HTML as served; text of the rendered page that it
    does not hold becomes ``scripted`` blocks (content lines among them stay in the main text).
    """
    return _extract(html, url, original_html, whole=True)


def main_text(html: str, url: str) -> str:
    """The page's main text alone: ``extract_page(html, url)["text"]``, the same string, without
    the work only the other fields need (ICP, links list, QR images, the other blocks)."""
    return _extract(html, url, None, whole=False)["text"]


def _extract(html: str, url: str, original_html: str | None, whole: bool) -> dict:
    html = html[:MAX_HTML_CHARS]
    tree = LexborHTMLParser(html)
    title, description, keywords = extract_meta(tree) if whole else ("", "", [])
    icp = find_icp(html) if whole else None
    bases: list[LexborNode] = []
    junk = junk_nodes(tree, bases)
    hidden_rules = style_rule_selectors(tree, [n for n in junk if n.tag_id == STYLE_TAG_ID])
    strip_junk(tree, junk)
    # One pass over the anchors serves the links list and the link-density filter.
    anchors = tree.css("a")
    anchor_texts = [anchor.text() for anchor in anchors]
    resolver = LinkResolver(base_url(tree, url, bases), url)
    if whole:
        links = extract_links(anchors, anchor_texts, resolver)
        qr = qr_images(tree, resolver)
        link_urls: _LazyUrls | _KnownUrls = _KnownUrls(links)
    else:  # read when asked for, or before posts change the tree (its anchors go stale)
        links, qr = [], []
        link_urls = _LazyUrls(anchors, resolver)

    harvest = Harvest(keep_text=whole)
    body = tree.body
    # Of the whole tree (the head's few elements too): the layout markers are looked for there.
    names = page_names(tree.root) if body is not None else PageNames(set(), set())
    forum = forum_url_info(url)
    posts: list[dict] = []
    if body is not None and (forum is None or forum["kind"] == "thread"):
        layout = detect_layout(tree, forum["engine"] if forum else None, names)
        found = find_post_blocks(tree, layout) if layout is not None else []
        if found:
            containers = [container for container, _ in found]
            # The messages change (noise removed) and the containers may be taken: the anchors
            # inside them go stale, the others stay good.
            anchors, anchor_texts = _anchors_outside(body, containers, anchors, anchor_texts)
            link_urls.hold()
            posts = extract_posts(found, layout)
            if posts:
                _take_posts(body, containers, posts, harvest)
                forum = _complete_forum_info(forum, layout.engine, html)
    thread_posts = bool(posts)
    if body is not None and not posts and not (forum and forum["kind"] == "board"):
        # comments, replies and answers under an article: posts after the article's text
        found = find_reply_blocks(tree, names)
        if found:
            containers = [block.container for block in found]
            anchors, anchor_texts = _anchors_outside(body, containers, anchors, anchor_texts)
            link_urls.hold()
            posts = extract_posts(found, REPLIES)
            if posts:
                _take_posts(body, containers, posts, harvest)

    entries: list[tuple[Entry, bool]] = []
    if body is not None:
        hidden = hidden_nodes(body, hidden_rules)
        if hidden:
            held = _anchors_held(body, hidden)
            clues = _MenuClues(resolver, link_urls, anchor_texts)
            hidden = [node for node in hidden if not _is_menu_copy(node, clues, held)]
        if hidden:
            inside = {anchor.mem_id for node in hidden for anchor in held[node.mem_id]}
            anchors, anchor_texts = _without(anchors, anchor_texts, inside)
            harvest.take_outermost(body, hidden, BlockKind.HIDDEN)
        titles = _thread_titles(body) if forum and forum["kind"] == "board" else []
        harvest_boilerplate(body, names, anchors, anchor_texts, harvest)
        final = _FinalScan(body)
        kinds = _kinds_of_lines(final, whole or (not thread_posts and final.h1 is None))
        nodes, weights = candidates(body, names, final.sources, final.tagged)
        lines = content_stream(body, nodes, final.inline)
        entries = _entries(
            lines, harvest, kinds, anchor_texts, thread_posts, final.h1, weights, whole
        )
        if titles:
            present = {entry[1] for entry, in_text in entries if in_text}
            entries += [
                ((BlockKind.LIST_ITEM, line, {}), True)
                for line in dict.fromkeys(titles)
                if line not in present
            ]
        if original_html is not None:
            entries = _mark_scripted(entries, original_html)

    if not whole:
        return {"text": content_text([e for e, in_text in entries if in_text], MAX_TEXT_CHARS)}
    text, blocks = _lay_out_page(title, description, keywords, entries, links)
    if posts:
        _place_posts(posts, blocks)
    return {
        "title": title,
        "text": text,
        "description": description,
        "keywords": keywords,
        "icp": icp,
        "links": links,
        "apk_links": apk_links(links),
        "qr_images": qr,
        "forum": forum,
        "posts": posts,
        "blocks": blocks,
    }


# --- the page's parts in page order -----------------------------------------------------------


def _anchors_outside(
    body: LexborNode, nodes: list[LexborNode], anchors: list[LexborNode], texts: list[str]
) -> tuple[list[LexborNode], list[str]]:
    """The anchors (and their texts) not inside ``nodes``, decided in C before any of those
    nodes is changed (one mark and one query; no second pass over the page's anchors)."""
    unique = {node.mem_id: node for node in nodes}.values()
    if len(unique) <= MAX_QUERIED_NODES:  # their subtrees only (a node matches its own query)
        inside = {anchor.mem_id for node in unique for anchor in node.css("a")}
        return _without(anchors, texts, inside)
    for node in unique:
        node.attrs[_INSIDE_MARK] = "1"
    inside = {anchor.mem_id for anchor in body.css(f"[{_INSIDE_MARK}] a, a[{_INSIDE_MARK}]")}
    for node in unique:
        del node.attrs[_INSIDE_MARK]
    return _without(anchors, texts, inside)


# Up to this many nodes, each one's subtree is queried rather than the whole body once.
MAX_QUERIED_NODES = 8


def _without(
    anchors: list[LexborNode], texts: list[str], inside: set[int]
) -> tuple[list[LexborNode], list[str]]:
    if not inside:
        return anchors, texts
    kept = [i for i, anchor in enumerate(anchors) if anchor.mem_id not in inside]
    return [anchors[i] for i in kept], [texts[i] for i in kept]


def _anchors_held(body: LexborNode, nodes: list[LexborNode]) -> dict[int, list[LexborNode]]:
    """For each of ``nodes`` (by ``mem_id``), the anchors inside it (itself, if an anchor), in
    page order: one mark and one query for all of them, then a walk up from each anchor found
    (few: the nodes are hidden elements), instead of one query per node."""
    unique = {node.mem_id: node for node in nodes}
    for node in unique.values():
        node.attrs[_INSIDE_MARK] = "1"
    inside = body.css(f"[{_INSIDE_MARK}] a, a[{_INSIDE_MARK}]")
    for node in unique.values():
        del node.attrs[_INSIDE_MARK]
    held: dict[int, list[LexborNode]] = {key: [] for key in unique}
    # Each node walked through once: the nodes of ``held`` that are it or its ancestors.
    chains: dict[int, tuple[int, ...]] = {}
    # An anchor both marked and inside a marked node comes twice (once per selector).
    for key, anchor in {anchor.mem_id: anchor for anchor in inside}.items():
        path: list[int] = []
        tail: tuple[int, ...] = ()
        node = anchor
        while node is not None:
            known = chains.get(node.mem_id)
            if known is not None:
                tail = known
                break
            path.append(node.mem_id)
            node = node.parent
        for step in reversed(path):
            if step in held:
                tail = (step, *tail)
            chains[step] = tail
        for holder in chains[key]:
            held[holder].append(anchor)
    return held


def _take_posts(
    body: LexborNode, containers: list[LexborNode], posts: list[dict], harvest: Harvest
) -> None:
    """Replace the post containers by one group holding the posts (at the first one's place)."""
    unique = {node.mem_id: node for node in containers}
    for node in unique.values():
        node.attrs[_POSTS_MARK] = "1"
    nested = {node.mem_id for node in body.css(f"[{_POSTS_MARK}] [{_POSTS_MARK}]")}
    outermost = [node for key, node in unique.items() if key not in nested]
    if not outermost:
        return
    harvest.put(outermost[0], Group(BlockKind.POST, "", {"posts": posts}))
    for node in outermost[1:]:
        node.decompose()


_INLINE_IDS = tag_ids([*INLINE_TAGS, "a"])
_SOURCE_IDS = tag_ids(["p", "br", "pre"])  # region.CANDIDATE_SOURCES
_TAGGED_IDS = tag_ids(["article", "main"])  # region.CANDIDATE_TAGS but the itemprop
_LIST_ITEM_IDS = tag_ids(_LIST_ITEMS.split(", "))
_HEADING_IDS = tag_ids(_HEADINGS.split(", "))
_H1_ID = next(iter(tag_ids(["h1"])))
_ARTICLE_BODY = "[itemprop=articleBody]"  # the rest of region.CANDIDATE_TAGS


class _FinalScan:
    """What the last steps query the body for once its boilerplate is harvested (inline
    elements, candidates' sources, headings, list entries), found in one walk of the tree."""

    def __init__(self, body: LexborNode) -> None:
        self.inline: list[LexborNode] = []
        self.sources: list[LexborNode] = []
        tagged: list[LexborNode] = []
        self.list_items: list[LexborNode] = []
        self.headings: list[LexborNode] = []
        wanted = {tag: self.inline for tag in _INLINE_IDS}
        wanted.update({tag: self.sources for tag in _SOURCE_IDS})
        wanted.update({tag: tagged for tag in _TAGGED_IDS})
        wanted.update({tag: self.list_items for tag in _LIST_ITEM_IDS})
        wanted.update({tag: self.headings for tag in _HEADING_IDS})
        by_tag(body, wanted)
        # A page with an [itemprop=articleBody] (rare) is left to the query, for its order.
        self.tagged: list[LexborNode] | None = (
            tagged if body.css_first(_ARTICLE_BODY) is None else None
        )
        self.h1 = next((node for node in self.headings if node.tag_id == _H1_ID), None)


def _kinds_of_lines(final: _FinalScan, needed: bool) -> dict[str, BlockKind]:
    """Texts of the headings and list entries left in the body, by kind (a line equal to one
    of them is that kind). Not ``needed`` (the main text alone, which the kinds do not change,
    on a page with an ``h1`` or posts, where the region needs no heading): none."""
    kinds: dict[str, BlockKind] = {}
    if not needed:
        return kinds
    for node in final.list_items:
        kinds.setdefault(squash(node.text()), _LIST_ITEM)
    for node in final.headings:
        kinds[squash(node.text())] = _HEADING
    return kinds


def _entries(
    lines: list[Line],
    harvest: Harvest,
    kinds: dict[str, BlockKind],
    anchor_texts: list[str],
    has_posts: bool,
    main_heading: LexborNode | None,
    weights: dict[int, float],
    whole: bool,
) -> list[tuple[Entry, bool]]:
    """Every block of the body in page order, with whether it belongs to the main text (not
    ``whole``: the harvested groups that cannot hold any of it are left out). ``main_heading``:
    the page's first ``h1``."""
    texts = [line.text for line in lines]
    navigation = navigation_lines(texts, anchor_texts)
    region = None
    if not has_posts:
        headings = {text for text, kind in kinds.items() if kind == BlockKind.HEADING}
        region = article_region(
            lines,
            {squash(main_heading.text())} if main_heading is not None else headings,
            weights,
            anchor_texts,
        )
    entries: list[tuple[Entry, bool]] = []
    chrome: list[str] = []

    def flush() -> None:
        if chrome:
            entries.append(((_BOILERPLATE, "\n".join(chrome), {}), False))
            chrome.clear()

    for index, line in enumerate(lines):
        if line.group is not None:
            if not whole and not harvest.may_hold_content(line.group):
                continue
            for kind, text, meta in harvest.expand(line.group):
                if kind == _BOILERPLATE:
                    chrome.append(text)  # neighbouring chrome is one block
                    continue
                flush()
                if kind == _POST:
                    entries.extend(_post_entries(meta["posts"]))
                else:
                    entries.append(((kind, text, meta), False))
            continue
        inside = region is None or region[0] <= index <= region[1]
        if (
            has_posts
            or not inside
            or index in navigation
            or (len(line.text) <= MAX_CHROME_LINE_CHARS and is_chrome_line(line.text))
            or is_note_line(line.text)
        ):
            chrome.append(line.text)
            continue
        flush()
        entries.append(((kinds.get(line.text, _PARAGRAPH), line.text, {}), True))
    flush()
    return entries


def _post_entries(posts: list[dict]) -> list[tuple[Entry, bool]]:
    return [
        (
            (
                BlockKind.POST,
                post["text"],
                {key: post.get(key) for key in ("author", "time", "index", "floor")},
            ),
            True,
        )
        for post in posts
    ]


def _mark_scripted(
    entries: list[tuple[Entry, bool]], original_html: str
) -> list[tuple[Entry, bool]]:
    """Content and boilerplate whose text the HTML as served does not hold become ``scripted``
    (in place: content lines stay in the main text)."""
    original = LexborHTMLParser(original_html[:MAX_HTML_CHARS])
    strip_junk(original)
    if original.body is None:
        served = ""
    else:
        original.body.unwrap_tags(INLINE_TAGS + ["a"])
        served = _NO_SPACE.sub("", original.body.text(separator=" "))
    marked = []
    for (kind, text, meta), in_text in entries:
        if kind in (BlockKind.HIDDEN, BlockKind.POST):
            marked.append(((kind, text, meta), in_text))
            continue
        if _NO_SPACE.sub("", text) not in served:
            kind = BlockKind.SCRIPTED
        marked.append(((kind, text, meta), in_text))
    return marked


def _lay_out_page(
    title: str,
    description: str,
    keywords: list[str],
    entries: list[tuple[Entry, bool]],
    links: list[dict],
) -> tuple[str, list[Block]]:
    head: list[Entry] = []
    if title:
        head.append((BlockKind.TITLE, title, {}))
    if description:
        head.append((BlockKind.META_DESCRIPTION, description, {}))
    if keywords:
        head.append((BlockKind.META_KEYWORDS, ", ".join(keywords), {}))
    content = [entry for entry, in_text in entries if in_text]
    others = head + [entry for entry, in_text in entries if not in_text]
    seen = "\n".join(text for _, text, _ in content + others)
    link_text = external_link_text(links, seen)
    if link_text:
        others.append((BlockKind.LINK_TEXT, link_text, {}))
    return lay_out(content, others, MAX_TEXT_CHARS)


def _place_posts(posts: list[dict], blocks: list[Block]) -> None:
    """Each post's ``start``/``end`` in the main text; posts past the text's cap are dropped."""
    placed = [block for block in blocks if block.kind == BlockKind.POST]
    for post, block in zip(posts, placed, strict=False):
        post["start"], post["end"] = block.start, block.end
    del posts[len(placed) :]


def _thread_titles(body: LexborNode) -> list[str]:
    titles = (squash(node.text(), 300) for node in body.css(THREAD_TITLE_SELECTOR))
    return [title for title in titles if title][:MAX_THREAD_TITLES]


# A hidden element that copies the site's own menu (a drop-down, a collapsed mobile nav): links
# that stay on the site (its subdomains too), labels that the page shows elsewhere too, little text besides. Chrome,
# not hidden text (planted spam names pages nothing else on the page links to).
MENU_MIN_LINKS = 3
MENU_LINK_SHARE = 0.6
MENU_REPEATED_SHARE = 0.5


def _knows_site(resolver: LinkResolver) -> bool:
    """Whether the page's URL names its site (else its links have to, see _site_domain)."""
    host = resolver.own[0]
    return bool(host) and not host.endswith(".invalid")


def _site_domain(resolver: LinkResolver, link_urls: Callable[[], list[str]]) -> str:
    """The registered domain of the page's site: of its URL, or, for a page known without one
    (a saved file), the domain most of its links point to."""
    if _knows_site(resolver):
        return registered_domain(resolver.own[0])
    # Counted by host first (a page's links share a few), in the order the links name them.
    domains: Counter[str] = Counter()
    for netloc, count in Counter(map(_netloc_of, link_urls())).items():
        domains[_netloc_domain(netloc)] += count
    return domains.most_common(1)[0][0] if domains else ""


class _KnownUrls:
    """The page's link URLs, from its links list."""

    def __init__(self, links: list[dict]) -> None:
        self._links = links

    def hold(self) -> None:
        pass

    def __call__(self) -> list[str]:
        return [link["url"] for link in self._links]


class _LazyUrls:
    """The page's distinct link URLs, as :func:`extract_links` lists them (same order, same cap),
    resolved only when asked for (most pages name their site by their URL: never), from hrefs
    read then or, when the tree is about to change, by :meth:`hold`."""

    def __init__(self, anchors: list[LexborNode], resolver: LinkResolver) -> None:
        self._anchors = anchors
        self._hrefs: list[str | None] | None = None
        self._resolver = resolver

    def hold(self) -> None:
        """Read the hrefs now, while the anchors are good (only if they may be asked for)."""
        if self._hrefs is None:
            wanted = not _knows_site(self._resolver)
            self._hrefs = [a.attrs.get("href") for a in self._anchors] if wanted else []
            self._anchors = []

    def __call__(self) -> list[str]:
        self.hold()
        urls: dict[str, None] = {}
        seen: set[str] = set()  # hrefs already resolved (a page repeats many)
        for href in self._hrefs or ():
            if not href or href in seen:
                continue  # None, or a URL already listed (or none to list)
            seen.add(href)
            url = self._resolver.resolve(href)
            if url is not None and url not in urls:
                urls[url] = None
                if len(urls) >= MAX_LINKS:
                    break
        return list(urls)


class _MenuClues:
    """What telling a menu copy from planted text needs of the whole page, worked out only when
    a hidden element has enough links to be a menu (most have none)."""

    def __init__(
        self,
        resolver: LinkResolver,
        link_urls: Callable[[], list[str]],
        anchor_texts: list[str],
    ) -> None:
        self.resolver = resolver
        self._link_urls = link_urls
        self._anchor_texts = anchor_texts

    @cached_property
    def labels(self) -> Counter[str]:
        labels: Counter[str] = Counter()
        for text, count in Counter(self._anchor_texts).items():  # each distinct text squashed once
            labels[squash(text)] += count
        return labels

    @cached_property
    def site(self) -> str:
        return _site_domain(self.resolver, self._link_urls)


def _is_menu_copy(node: LexborNode, clues: _MenuClues, held: dict[int, list[LexborNode]]) -> bool:
    """``held``: the anchors inside each hidden node (:func:`_anchors_held`)."""
    anchors = [anchor for anchor in held[node.mem_id] if "href" in anchor.attrs]
    if len(anchors) < MENU_MIN_LINKS:
        return False
    names = [squash(anchor.text()) for anchor in anchors]
    labels = clues.labels
    own = Counter(names)
    repeated = sum(1 for name in names if name and labels[name] > own[name])
    if repeated < MENU_REPEATED_SHARE * len(names):
        return False
    if sum(map(len, names)) < MENU_LINK_SHARE * len(squash(node.text())):
        return False
    for anchor in anchors:
        url = clues.resolver.resolve(anchor.attrs.get("href"))
        if url is not None and _domain_of(url) != clues.site:
            return False
    return True


@lru_cache(maxsize=4096)
def _netloc_domain(netloc: str) -> str:
    return registered_domain(urlsplit(f"//{netloc}").hostname or "")


def _netloc_of(url: str) -> str:
    netloc = url.split("/", 3)[2] if url.count("/") >= 2 else ""
    return netloc.split("?", 1)[0].split("#", 1)[0]


def _domain_of(url: str) -> str:
    """The registered domain of a resolved link's host (cached by its netloc: a page's links
    share a few hosts)."""
    return _netloc_domain(_netloc_of(url))


def _complete_forum_info(forum: dict | None, engine: str, html: str) -> dict:
    """Fill in what a thread's URL does not say (board id; the whole info for unfamiliar URLs)
    from the links Discuz! puts in every thread page."""
    if forum is None:
        forum = {"engine": engine, "kind": "thread", "board_id": None, "thread_id": None, "page": 1}
    if engine == "discuz":
        if forum["thread_id"] is None:
            forum["thread_id"] = _first_group(_DISCUZ_TID, html)
        if forum["board_id"] is None:
            forum["board_id"] = _first_group(_DISCUZ_FID, html)
    return forum


def _first_group(pattern: re.Pattern[str], html: str) -> str | None:
    match = pattern.search(html)
    if match is None:
        return None
    return next((group for group in match.groups() if group), None)
