"""The page model: one function from what was fetched to what the rules see.

The sweep, the retro-scan and ``wuzha rules scan`` all go through here, so what an operator asks
to have explained is exactly what the sweep judged:

- :func:`read_page` — raw response bytes (a crawl, a file, a URL, a ``body_b64`` line) → decode
  (pagemodel.encoding) → extract (pagemodel.page) → a :class:`Page`;
- :func:`text_page` — plain text (SMS, a pasted post): one ``paragraph`` block (and the title);
- :func:`stored_page` — a page document from the index: its stored blocks, or, for pages stored
  before blocks were, its text as one ``paragraph`` block (with its title and link text).

Then ``pagemodel.scan.scan_page(engine, page)`` runs the rules over the page's blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ground.blocks import Block, BlockKind
from pagemodel.encoding import decode_html
from pagemodel.page import extract_page

#: Content types read as pages (a crawl skips others, as not a page).
PAGE_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


@dataclass
class Page:
    """Everything the sweep keeps of one page. ``text`` is the main text (the content blocks
    joined); ``blocks`` cover the whole page, offsets into the page text they were cut from
    (pagemodel.layout)."""

    url: str
    title: str = ""
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    charset: str | None = None
    charset_source: str | None = None
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    icp: str | None = None
    links: list[dict[str, Any]] = field(default_factory=list)
    apk_links: list[str] = field(default_factory=list)
    qr_images: list[str] = field(default_factory=list)
    forum: dict[str, Any] | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)

    def blocks_of(self, kind: BlockKind) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def to_json(self) -> dict[str, Any]:
        """What ``wuzha rules scan --json`` shows of the page (a contract)."""
        return {
            "title": self.title,
            "text": self.text,
            "charset": self.charset,
            "charset_source": self.charset_source,
            "blocks": [block_json(b) for b in self.blocks],
        }


def block_json(block: Block) -> dict[str, Any]:
    return {"kind": str(block.kind), "text": block.text, "start": block.start, "end": block.end}


def read_page(
    body: bytes, url: str, content_type: str | None = None, *, original_html: str | None = None
) -> Page:
    """Decode and extract one fetched page; raises ``pagemodel.encoding.NotHtml`` for a body
    that is no page. ``original_html``: on a rendered page, the HTML as the server sent it
    (text that scripts added then becomes ``scripted`` blocks)."""
    html, charset, source = decode_html(body, content_type)
    return page_from_html(html, url, charset, source, original_html=original_html)


def page_from_html(
    html: str,
    url: str,
    charset: str | None = None,
    charset_source: str | None = None,
    *,
    original_html: str | None = None,
) -> Page:
    fields = extract_page(html, url, original_html=original_html)
    return Page(url=url, charset=charset, charset_source=charset_source, **fields)


def text_page(text: str, title: str = "", url: str = "") -> Page:
    """A plain text as a page: the text one paragraph block, the title a title block."""
    text = text or ""
    title = (title or "").strip()
    blocks = [Block(BlockKind.PARAGRAPH, text, 0, len(text))] if text.strip() else []
    if title:
        start = len(text) + 2
        blocks.append(Block(BlockKind.TITLE, title, start, start + len(title)))
    return Page(url=url, title=title, text=text, blocks=blocks)


def stored_page(url: str, page: dict[str, Any]) -> Page:
    """The page the retro-scan reads from a stored page document (``page.*`` fields)."""
    title, text = page.get("title") or "", page.get("text") or ""
    posts = list(page.get("posts") or [])
    stored = page.get("blocks")
    if not stored:  # stored before the page model cut pages into blocks
        return unblocked_page(url, title, text, posts, page.get("external_link_text") or "")
    blocks = [
        Block(BlockKind(b["kind"]), b.get("text") or "", int(b["start"]), int(b["end"]))
        for b in stored
        if b.get("kind") in BlockKind._value2member_map_
    ]
    return Page(url=url, title=title, text=text, blocks=blocks, posts=posts)


def unblocked_page(
    url: str, title: str, text: str, posts: list[dict[str, Any]], link_text: str = ""
) -> Page:
    """A page known only by its main text, as pages were kept before blocks: the forum posts'
    spans of the text as ``post`` blocks (the text outside them, or all of it, one
    ``paragraph`` block), then the title and the off-site anchors as they were scanned then."""
    page = text_page(text, title, url)
    spans = sorted(
        (p["start"], p["end"])
        for p in posts
        if isinstance(p.get("start"), int) and isinstance(p.get("end"), int)
    )
    if spans:
        body = [Block(BlockKind.POST, text[a:b], a, b) for a, b in spans if 0 <= a < b <= len(text)]
        first = spans[0][0]
        if text[:first].strip():
            body.insert(0, Block(BlockKind.PARAGRAPH, text[:first], 0, first))
        page.blocks = body + [b for b in page.blocks if b.kind != BlockKind.PARAGRAPH]
    if link_text:
        start = max((b.end for b in page.blocks), default=0) + 2
        page.blocks.append(Block(BlockKind.LINK_TEXT, link_text, start, start + len(link_text)))
    page.posts = posts
    return page
