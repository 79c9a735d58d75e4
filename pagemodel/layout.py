"""The page text the blocks are cut from, and their offsets into it.

Layout: the content blocks first, in page order, joined by ``"\\n"`` (two posts by
:data:`POST_SEPARATOR`, so a hit never spans two posts) — that string is exactly the page's
main text — then ``"\\n\\n"``, then every other block in page order, joined by ``"\\n\\n"``.
So ``text[block.start:block.end] == block.text`` for every content block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ground.blocks import Block, BlockKind

LINE_SEPARATOR = "\n"
# Between posts in the page text, so a hit never spans two posts.
POST_SEPARATOR = "\n\n"
# Between the main text and the other blocks, and between two other blocks.
OTHER_SEPARATOR = "\n\n"
_POST = BlockKind.POST  # read once per run, not once per block


def lay_out(
    content: Iterable[tuple[BlockKind, str, dict]],
    others: Iterable[tuple[BlockKind, str, dict]],
    max_text_chars: int,
) -> tuple[str, list[Block]]:
    """``(main text, blocks)`` from ``(kind, text, meta)`` triples in page order.

    Content past ``max_text_chars`` of main text is left out (as the main text is capped);
    the other blocks all keep their place after it."""
    parts: list[str] = []
    blocks: list[Block] = []
    for kind, text, meta, start in _placed(content, max_text_chars, parts):
        blocks.append(Block(kind, text, start, start + len(text), meta))
    main_text = "".join(parts)
    offset = len(main_text)
    for kind, text, meta in others:
        offset += len(OTHER_SEPARATOR)
        blocks.append(Block(kind, text, offset, offset + len(text), meta))
        offset += len(text)
    return main_text, blocks


def page_text(main_text: str, blocks: list[Block]) -> str:
    """The whole page text the offsets index into (main text, then the other blocks)."""
    others = [block.text for block in blocks if block.start >= len(main_text) + 1]
    return OTHER_SEPARATOR.join([main_text, *others]) if others else main_text


def content_text(content: Iterable[tuple[BlockKind, str, dict]], max_text_chars: int) -> str:
    """The main text :func:`lay_out` gives for ``content``, without making the blocks."""
    parts: list[str] = []
    for _ in _placed(content, max_text_chars, parts):
        pass
    return "".join(parts)


def _placed(
    content: Iterable[tuple[BlockKind, str, dict]], max_text_chars: int, parts: list[str]
) -> Iterator[tuple[BlockKind, str, dict, int]]:
    """Each content block kept, as ``(kind, text, meta, offset)``; ``parts`` gets the main
    text's pieces (the blocks and the gaps between them)."""
    offset = 0
    previous: BlockKind | None = None
    for kind, text, meta in content:
        if parts:
            gap = POST_SEPARATOR if kind == previous == _POST else LINE_SEPARATOR
            if offset + len(gap) + len(text) > max_text_chars:
                break
            parts.append(gap)
            offset += len(gap)
        elif len(text) > max_text_chars:
            text = text[:max_text_chars]
        yield kind, text, meta, offset
        parts.append(text)
        offset += len(text)
        previous = kind
