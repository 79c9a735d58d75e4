"""The one multi-pattern automaton every page goes through.

All literal terms of all rules, regex anchors, signal words and context words are compiled into a
single Aho-Corasick automaton (``ahocorasick_rs``: Rust, wheels for every platform, so results are
the same everywhere). One pass over the normalised page finds every occurrence, overlapping ones
included; everything after that only looks at the terms that occurred.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick_rs

Span = tuple[int, int]


class TermMatcher:
    def __init__(self, terms: Iterable[str]) -> None:
        self.patterns: list[str] = sorted({t for t in terms if t})
        if not self.patterns:
            raise ValueError("the automaton needs at least one term")
        # MATCHKIND_STANDARD is the only kind that reports overlapping matches: 刷单返利 must
        # yield 刷单, 单返 and 返利 when rules use all three.
        self.automaton = ahocorasick_rs.AhoCorasick(
            self.patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD, store_patterns=False
        )

    def __len__(self) -> int:
        return len(self.patterns)

    def raw_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every occurrence: the bare automaton, for benchmarks."""
        return self.automaton.find_matches_as_indexes(text, overlapping=True)

    def find(self, text: str) -> dict[str, list[Span]]:
        """term → its spans in ``text``, in order of position."""
        found: dict[str, list[Span]] = {}
        patterns = self.patterns
        for index, start, end in self.automaton.find_matches_as_indexes(text, overlapping=True):
            term = patterns[index]
            spans = found.get(term)
            if spans is None:
                found[term] = [(start, end)]
            else:
                spans.append((start, end))
        return found
