"""The page-block type: the page model cuts every page into typed blocks, the rules read them.

It lives on the ground floor so that ``rules/`` can take blocks without importing the page model.
``start``/``end`` are offsets into the page text the blocks were cut from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class BlockKind(StrEnum):
    """What part of a page a block is (a contract: these words reach Elasticsearch and JSON)."""

    TITLE = "title"
    META_DESCRIPTION = "meta_description"
    META_KEYWORDS = "meta_keywords"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"  # classified ads, thread titles on board pages
    POST = "post"  # a forum post (with author and time)
    BOILERPLATE = "boilerplate"  # navigation, sidebars, footers, share widgets, login boxes
    HIDDEN = "hidden"  # display:none, visibility:hidden, off-screen, zero-size, same colour
    LINK_TEXT = "link_text"  # anchors of off-site links
    SCRIPTED = "scripted"  # text that scripts added (rendered pages)


#: The kinds whose text is the page's main text (joined in page order).
CONTENT_KINDS: frozenset[BlockKind] = frozenset(
    {BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.POST}
)


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a page: its kind, its text, where it sits in the page text, and what else
    is known about it (a post's author and time, say) in `meta`."""

    kind: BlockKind
    text: str
    start: int
    end: int
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": str(self.kind),
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }
        if self.meta:
            out.update(self.meta)
        return out
