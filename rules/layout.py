"""How the engine reads a page made of blocks: what may combine into one hit, and whose voice
decides its stance.

The page model cuts a page into typed blocks (``ground.blocks``). Words scattered across a long
page must never make a hit together — a headline word with a login box's 验证码, a menu's 注册
with an article's 转账 — so the engine evaluates a rule's conditions inside one **run** at a time:

- a run is one block, except that consecutive headings and paragraphs of the main text form one
  run (an article, a landing page: its paragraphs belong together);
- in a run longer than ``window`` characters, a rule's evidence must lie within a window of that
  many characters around an occurrence of the rule's anchor terms.

The stance of what a run says — soliciting, or warning, reporting, advising — is judged on its
**section** (the anti-fraud context words of rules.context, and every rule's ``unless`` block):

- the page's main text (headings and paragraphs) together with the page title is one section:
  a news article's warning words are spread over its paragraphs and its headline;
- every forum post, list entry, hidden block, boilerplate block, link-text block and scripted
  block is a section of its own: a warning reply does not excuse the post that solicits, and a
  scam platform's footer line "客服不会要求您转账" does not excuse its pitch;
- meta description and keywords are sections of their own (planted spam lives there).

Offsets: the engine scans one text, the blocks' texts joined by ``SEPARATOR`` (a blank line:
normalisation never joins across it), and maps every offset back to the block it falls in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ground.blocks import CONTENT_KINDS, Block, BlockKind

SEPARATOR = "\n\n"
#: Headings and paragraphs next to each other read as one text (one run, one section).
FLOWING_KINDS = frozenset({BlockKind.HEADING, BlockKind.PARAGRAPH})


@dataclass(frozen=True, slots=True)
class Run:
    """Blocks whose words may make one hit together; ``start``/``end`` in the scan text."""

    start: int
    end: int
    section: int
    kind: BlockKind  # its first block's kind (a run of headings and paragraphs: "paragraph")


@dataclass(frozen=True, slots=True)
class Section:
    """Blocks that speak with one voice (stance and ``unless`` are decided here): one stretch of
    the scan text."""

    start: int
    end: int
    kind: BlockKind  # the kind of its first block other than the title


@dataclass(frozen=True)
class Layout:
    """The scan text: the blocks grouped by section (sections in order of their first block,
    the title first in its section), each section one stretch of text."""

    blocks: tuple[Block, ...]  # in scan order
    text: str
    starts: tuple[int, ...]  # where each block's text starts in the scan text
    runs: tuple[Run, ...]
    sections: tuple[Section, ...]

    @classmethod
    def of(cls, blocks: Sequence[Block], max_chars: int) -> Layout:
        groups = _sections(_kept(blocks, max_chars))
        ordered: list[Block] = []
        starts: list[int] = []
        runs: list[Run] = []
        sections: list[Section] = []
        position = 0
        for number, group in enumerate(groups):
            section_start = position
            run_start: int | None = None
            run_kind = BlockKind.PARAGRAPH
            previous: Block | None = None
            for block in group:
                flowing = block.kind in FLOWING_KINDS
                if run_start is not None and not (
                    flowing and previous and previous.kind in FLOWING_KINDS
                ):
                    runs.append(Run(run_start, position - len(SEPARATOR), number, run_kind))
                    run_start = None
                if run_start is None:
                    run_start = position
                    run_kind = BlockKind.PARAGRAPH if flowing else block.kind
                starts.append(position)
                ordered.append(block)
                position += len(block.text) + len(SEPARATOR)
                previous = block
            end = position - len(SEPARATOR)
            if run_start is not None:
                runs.append(Run(run_start, end, number, run_kind))
            kinds = [b.kind for b in group if b.kind != BlockKind.TITLE] or [group[0].kind]
            sections.append(Section(section_start, end, kinds[0]))
        text = SEPARATOR.join(b.text for b in ordered)
        return cls(tuple(ordered), text, tuple(starts), tuple(runs), tuple(sections))

    def block_at(self, position: int) -> int:
        """Index of the block whose text holds scan-text ``position`` (the one before a gap)."""
        return max(0, bisect_right(self.starts, position) - 1)


def _kept(blocks: Sequence[Block], max_chars: int) -> list[Block]:
    """The blocks with text, cut where the scan text would pass ``max_chars``."""
    kept: list[Block] = []
    position = 0
    for block in blocks:
        if not block.text.strip():
            continue
        room = max_chars - position
        if room <= 0:
            break
        if len(block.text) > room:
            block = Block(
                block.kind, block.text[:room], block.start, block.start + room, block.meta
            )
        kept.append(block)
        position += len(block.text) + len(SEPARATOR)
    return kept


def _sections(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped by section, in order of each section's first block. Headings and
    paragraphs are the main text's section; the title joins it (a headline and its article),
    or, on a page without one (a thread of posts, a list), the first section; every other block
    is a section of its own."""
    groups: list[list[Block]] = []
    main: list[Block] | None = None
    titles: list[Block] = []
    for block in blocks:
        if block.kind == BlockKind.TITLE:
            titles.append(block)
        elif block.kind in FLOWING_KINDS:
            if main is None:
                main = []
                groups.append(main)
            main.append(block)
        else:
            groups.append([block])
    if titles:
        content = [g for g in groups if g[0].kind in CONTENT_KINDS]
        home = main if main is not None else (content or groups or [None])[0]
        if home is None:
            groups.append(titles)
        else:
            home[:0] = titles
    return groups
