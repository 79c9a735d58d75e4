"""The one multi-pattern automaton every page goes through.

All literal terms of all rules, regex anchors, signal words and context words are compiled into a
single Aho-Corasick automaton (``ahocorasick_rs``: Rust, wheels for every platform, so results are
the same everywhere). One pass over the normalised page finds every occurrence, overlapping ones
included; everything after that only looks at the terms that occurred.

Terms are known by their index in the sorted pattern list (index order is string order). A page's
matches stay one flat list of ``(index, start, end)`` tuples: the set of terms present is built
from it in C, and the spans of a term are only sorted out for the few terms a condition asks
about (see :class:`PageMatches`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter

import ahocorasick_rs

Span = tuple[int, int]
_INDEX = itemgetter(0)
_END = itemgetter(2)
_SORT_ALL_AFTER = 6  # terms looked up one by one (a C-level filter each) before sorting all
_ITEM = "L" if array("I").itemsize < 4 else "I"  # an unsigned type of at least 32 bits
_ITEM_SIZE = array(_ITEM).itemsize
_FIRST_LOOKUPS = 24  # first occurrences searched one by one before tabling every term's


class PageMatches:
    """Every occurrence of every term on one page, with lazily built look-ups by term index.

    ``grouped`` terms (those whose every occurrence is often needed, e.g. by `near`) are sorted
    out together, in one C-level filter and sort, the first time one of them is asked for; any
    other term gets a C-level filter of its own.
    """

    __slots__ = (
        "_covered",
        "_ends",
        "_first",
        "_first_all",
        "_group",
        "_grouped",
        "_order",
        "_packed",
        "_spans",
        "matches",
        "present",
    )

    def __init__(
        self, matches: list[tuple[int, int, int]], grouped: frozenset[int] = frozenset()
    ) -> None:
        self.matches = matches
        # term index of every match, in the automaton's order (by end): the set of terms
        # present, the order of first appearance and first occurrences all come from it in C
        self._order: list[int] = list(map(_INDEX, matches))
        self.present: set[int] = set(self._order)
        self._grouped = grouped
        self._first: dict[int, tuple[int, int, int]] = {}
        self._first_all = False  # whether _first holds every present term
        self._packed: bytes | None = None  # _order as machine ints, searched with bytes.find
        self._group: list[tuple[int, int, int]] | None = None  # sorted occurrences of…
        self._covered: frozenset[int] | None = None  # …these terms (None: of every term)
        self._spans: dict[int, list[Span]] = {}
        self._ends: array | None = None  # end of every match, for windows (by bisection)

    def first(self, index: int) -> Span:
        """The first occurrence of a present term (KeyError for an absent one)."""
        first = self._first
        found = first.get(index)
        if found is None:
            if self._first_all:
                raise KeyError(index)
            if len(first) < _FIRST_LOOKUPS:
                # a memchr-speed search that stops at the first match: cheaper than a table of
                # every term's first occurrence when only a few terms are asked about
                found = first[index] = self.matches[self._position(index)]
            else:
                # reversed: the earliest occurrence is assigned last and wins (all in C)
                backwards = self.matches[::-1]
                first.update(zip(map(_INDEX, backwards), backwards))
                self._first_all = True
                found = first[index]
        # occurrences of one term all have its length: the first by end is the first by start
        _, start, end = found
        return start, end

    def _position(self, index: int) -> int:
        """Where the first match of a present term is in ``matches``."""
        packed = self._packed
        if packed is None:
            packed = self._packed = array(_ITEM, self._order).tobytes()
        key = array(_ITEM, (index,)).tobytes()
        at = packed.find(key)
        while at > 0 and at % _ITEM_SIZE:  # the key's bytes straddling two items: go on
            at = packed.find(key, at + 1)
        if at < 0:
            raise KeyError(index)
        return at // _ITEM_SIZE

    def spans(self, index: int) -> list[Span]:
        """Every occurrence of a term, in order of position (empty when absent)."""
        spans = self._spans.get(index)
        if spans is not None:
            return spans
        if index not in self.present:
            return []
        matches = self.matches
        group = self._group
        if group is None or (self._covered is not None and index not in self._covered):
            if group is None and index in self._grouped:
                keep = self._grouped.__contains__
                group = sorted(compress(matches, map(keep, self._order)))
                self._group, self._covered = group, self._grouped
            elif len(self._spans) >= _SORT_ALL_AFTER:
                # many different terms asked for: sort every occurrence out at once
                group = self._group = sorted(matches)
                self._covered = None
            else:
                found = list(compress(matches, map(index.__eq__, self._order)))
                spans = self._spans[index] = [(s, e) for _, s, e in found]
                return spans
        # sorted by (index, start): occurrences of one pattern all have its length, so the
        # automaton's order (by end) is the order by start
        lo = bisect_left(group, (index,))
        spans = self._spans[index] = [
            (s, e) for _, s, e in group[lo : bisect_left(group, (index + 1,), lo)]
        ]
        return spans

    def window(self, lo: int, hi: int) -> PageMatches:
        """The occurrences that lie inside ``[lo, hi)``, as matches of their own. The automaton
        reports matches by end, so the candidates are one slice; those starting before ``lo``
        are dropped."""
        ends = self._ends
        if ends is None:
            ends = self._ends = array(_ITEM, map(_END, self.matches))
        matches = self.matches
        first = bisect_left(ends, lo + 1)
        last = bisect_left(ends, hi + 1, first)
        inside = [m for m in matches[first:last] if m[1] >= lo]
        return PageMatches(inside, self._grouped)

    def in_order_of_appearance(self) -> dict[int, None]:
        """Present term indexes, ordered by their first match as the automaton reported it."""
        return dict.fromkeys(self._order)


class TermMatcher:
    def __init__(self, terms: Iterable[str]) -> None:
        self.patterns: list[str] = sorted({t for t in terms if t})
        if not self.patterns:
            raise ValueError("the automaton needs at least one term")
        self.index: dict[str, int] = {term: i for i, term in enumerate(self.patterns)}
        # MATCHKIND_STANDARD is the only kind that reports overlapping matches: 刷单返利 must
        # yield 刷单, 单返 and 返利 when rules use all three.
        self.automaton = ahocorasick_rs.AhoCorasick(
            self.patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD, store_patterns=False
        )

    def __len__(self) -> int:
        return len(self.patterns)

    def indexes(self, terms: Iterable[str]) -> frozenset[int]:
        """Pattern indexes of terms (every term must be one of the patterns)."""
        return frozenset(self.index[t] for t in terms)

    def raw_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern index, start, end) of every occurrence: the bare automaton, for benchmarks."""
        return self.automaton.find_matches_as_indexes(text, overlapping=True)

    def scan(self, text: str, grouped: frozenset[int] = frozenset()) -> PageMatches:
        return PageMatches(self.automaton.find_matches_as_indexes(text, overlapping=True), grouped)

    def find(self, text: str) -> dict[str, list[Span]]:
        """term → its spans in ``text``, in order of position (terms in order of appearance)."""
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
