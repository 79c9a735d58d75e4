"""Whose words a section's hits are: its own, or words it quotes, or the page's own summary.

Two readings of stance that the context words (rules.context) miss, each decided per section:

- **Quoted speech.** A victim's story, a report or a warning reply repeats what the scammer
  said inside quotation marks (之前群里有人说“租你的支付宝一天100”，我没理他). When every piece
  of evidence of every rule that fired in a section lies inside “…”, 「…」 or 『…』, and the
  section also narrates outside them, it reports the pitch rather than making it: its score is
  damped (``quoted_damping``). A script written wholly inside quotation marks (a transcript of
  the call), or one that opens with the quoted pitch and carries on in the caller's voice,
  narrates nothing (the narrator introduces a quotation: 对方说“…”) and keeps its score.
- **The page's own summary.** A meta description repeats the article it describes; when it
  echoes the page's main text (most of its character 4-grams occur there), it speaks with the
  main text's voice, so a report's summary is damped like the report. Planted meta spam, which
  shares nothing with the page, keeps its own stance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rules.conditions import Evidence

QUOTES = {"“": "”", "「": "」", "『": "』"}
_MARKS = re.compile("[“”「」『』\n]")
MAX_QUOTE = 160  # a quotation longer than this, or one across a line break, is no quotation
NARRATION_CHARS = 8  # letters outside the quotations that make a section narrate …
NARRATION_SHARE = 0.25  # … when they are also this share of its letters
NARRATION_LEAD = 4  # … and this many stand before the first quotation (他说“…”, not “…”他说)
ECHO_SHARE = 0.5  # share of a summary's 4-grams found in the main text that makes it an echo


def quoted_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The outermost quotations in ``text[lo:hi]``, as (start, end) offsets of ``text`` with the
    marks (a quotation inside a quotation belongs to the outer one); one longer than
    ``MAX_QUOTE`` or across a line break is not taken."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    closers = {closer: opener for opener, closer in QUOTES.items()}
    for mark in _MARKS.finditer(text, lo, hi):
        ch, position = mark.group(), mark.start()
        if ch == "\n":
            stack.clear()
        elif ch in QUOTES:
            stack.append((ch, position))
        elif ch in closers and stack and stack[-1][0] == closers[ch]:
            _, start = stack.pop()
            if not stack and position + 1 - start <= MAX_QUOTE:
                spans.append((start, position + 1))
    return spans


def all_quoted(evidence: Iterable[Evidence], spans: list[tuple[int, int]]) -> bool:
    """Whether every piece of evidence (with a span) lies inside one of the quotations."""
    pieces = [(s, e) for ev in evidence for _, s, e in ev if e > s]
    if not pieces or not spans:
        return False
    return all(any(a <= s and e <= b for a, b in spans) for s, e in pieces)


def narrates(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``text[lo:hi]`` says enough of its own outside the quotations ``spans``."""
    total = sum(ch.isalnum() for ch in text[lo:hi])
    inside = sum(ch.isalnum() for a, b in spans for ch in text[a:b])
    outside = total - inside
    lead = sum(ch.isalnum() for ch in text[lo : spans[0][0]]) if spans else 0
    return (
        lead >= NARRATION_LEAD and outside >= NARRATION_CHARS and outside >= NARRATION_SHARE * total
    )


def reported_speech(text: str, lo: int, hi: int, evidence: Iterable[Evidence]) -> bool:
    """Whether the evidence found in ``text[lo:hi]`` is all words the section quotes while it
    narrates around them (rules.blockscan damps such a section)."""
    spans = quoted_spans(text, lo, hi)
    return all_quoted(evidence, spans) and narrates(text, lo, hi, spans)


def echoes(summary: str, main: str, share: float = ECHO_SHARE) -> bool:
    """Whether ``summary`` repeats ``main``: at least ``share`` of its character 4-grams (of
    letters and characters only) occur in ``main``."""
    compact = "".join(ch for ch in summary if ch.isalnum())
    grams = {compact[i : i + 4] for i in range(len(compact) - 3)}
    if not grams:
        return False
    body = "".join(ch for ch in main if ch.isalnum())
    found = sum(gram in body for gram in grams)
    return found >= share * len(grams)
