"""``extract_page(html, url)``: everything the sweep keeps from one HTML page."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from pagemodel.forum_urls import forum_url_info
from pagemodel.icp import find_icp
from pagemodel.links import LinkResolver, apk_links, base_url, extract_links, qr_images
from pagemodel.maintext import MAX_TEXT_CHARS, main_text, strip_junk
from pagemodel.meta import extract_meta
from pagemodel.posts import detect_layout, extract_posts, find_post_blocks
from pagemodel.replies import REPLIES, find_reply_blocks
from pagemodel.textutil import squash

# Pages bigger than this are cut before parsing (the downloader caps bodies too).
MAX_HTML_CHARS = 3_000_000
# Between posts in the page text, so a hit never spans two posts.
POST_SEPARATOR = "\n\n"
# Thread titles on board pages: a link list, but the content of a board page (Discuz!, phpBB,
# PHPWind). The rest of the row (author, counts) stays out with the link-dense blocks.
THREAD_TITLE_SELECTOR = "a.xst, a.topictitle, a.subject_t, td.subject > a, h3 > a.subject"
MAX_THREAD_TITLES = 500
_DISCUZ_TID = re.compile(r"[?&;]ptid=(\d+)|/thread-(\d+)-\d+-\d+\.html")
_DISCUZ_FID = re.compile(r"[?&;]fid=(\d+)|/forum-(\d+)-\d+\.html")


def extract_page(html: str, url: str) -> dict:
    """Title, main text, meta, ICP, links, APK links, QR images, forum info and posts.

    Keys: ``title, text, description, keywords, icp, links, apk_links, qr_images, forum,
    posts``. On forum thread pages ``text`` is the posts' texts joined by a blank line and each
    post carries ``start``/``end``, its range in ``text`` (hits are mapped to posts by offset).
    Comments, replies and answers under an article become posts after the article's text.
    """
    html = html[:MAX_HTML_CHARS]
    tree = LexborHTMLParser(html)
    title, description, keywords = extract_meta(tree)
    icp = find_icp(html)
    strip_junk(tree)
    # One pass over the anchors serves the links list and the link-density filter.
    anchors = tree.css("a")
    anchor_texts = [anchor.text() for anchor in anchors]
    resolver = LinkResolver(base_url(tree, url), url)
    links = extract_links(anchors, anchor_texts, resolver)
    qr = qr_images(tree, resolver)

    forum = forum_url_info(url)
    posts: list[dict] = []
    tree_changed = False
    if forum is None or forum["kind"] == "thread":
        layout = detect_layout(tree, forum["engine"] if forum else None)
        blocks = find_post_blocks(tree, layout) if layout is not None else []
        if blocks:
            posts = extract_posts(blocks, layout)
            tree_changed = True
            if posts:
                forum = _complete_forum_info(forum, layout.engine, html)

    if posts:
        text = _join_posts(posts)
    else:
        titles = _thread_titles(tree) if forum and forum["kind"] == "board" else []
        if not titles:
            posts = _take_replies(tree)
            tree_changed = tree_changed or bool(posts)
        if tree_changed:  # node references from before are stale: let main_text look again
            anchors, anchor_texts = None, None
        text = main_text(tree, html, anchors, anchor_texts)
        if titles:
            text = _append_lines(text, titles)
        if posts:
            text = _join_posts(posts, after=text)

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
    }


def _thread_titles(tree: LexborHTMLParser) -> list[str]:
    titles = (squash(node.text(), 300) for node in tree.css(THREAD_TITLE_SELECTOR))
    return [title for title in titles if title][:MAX_THREAD_TITLES]


def _append_lines(text: str, lines: list[str]) -> str:
    present = set(text.split("\n"))
    extra = [line for line in dict.fromkeys(lines) if line not in present]
    return "\n".join([text, *extra] if text else extra)[:MAX_TEXT_CHARS]


def _take_replies(tree: LexborHTMLParser) -> list[dict]:
    """The page's comments as posts; their lists leave the tree, so that the main text is the
    article's and each comment is scanned once, as a post."""
    blocks = find_reply_blocks(tree)
    if not blocks:
        return []
    posts = extract_posts(blocks, REPLIES)
    lists = {block.container.mem_id: block.container for block in blocks}
    for node in lists.values():  # lists never nest: find_reply_blocks skips lists inside lists
        node.decompose()
    return posts


def _join_posts(posts: list[dict], after: str = "") -> str:
    """Concatenate post texts (after ``after``, the article's text on a page with comments),
    recording each post's [start, end) in the result."""
    parts: list[str] = [after] if after else []
    offset = len(after)
    kept: list[dict] = []
    for post in posts:
        body = post["text"]
        if offset + len(body) > MAX_TEXT_CHARS:
            break
        if parts:
            parts.append(POST_SEPARATOR)
            offset += len(POST_SEPARATOR)
        post["start"], post["end"] = offset, offset + len(body)
        parts.append(body)
        offset += len(body)
        kept.append(post)
    del posts[len(kept) :]
    return "".join(parts)


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
