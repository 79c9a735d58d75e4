"""Conditions compiled for one engine: yes/no checks over the automaton's pattern indexes.

Deciding whether a rule fires is set arithmetic on small ints (the indexes of the terms present on
the page); evidence — which terms, where — is only worked out for rules that fire, by the
conditions themselves (rules.conditions). A check has two modes with the meaning the conditions
give them:

* ``holds(page)``: on raw occurrences, no word-boundary checks (the cheap first pass);
* ``holds_strict(page)``: short Chinese terms must read as words in context (jieba, lazily and
  only as far as needed to decide).

Both are exactly ``condition.evaluate(page) is not None`` in the corresponding mode. Checks with
the same structure are one object (``Compiler`` interns them), so the anti-fraud `unless` block
most rules share is decided once per page.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Protocol

from rules.conditions import (
    MAX_CHECKED,
    AllOf,
    AllTerms,
    AnyOf,
    AnyTerms,
    AtLeast,
    Condition,
    Near,
    Not,
    Occurrence,
    Regex,
    Signal,
    Span,
    nearest_pair,
)


class IndexedPage(Protocol):
    """What a check may ask about the page (see rules.engine.PageState)."""

    present_indexes: set[int]

    def spans_at(self, index: int) -> list[Span]: ...

    def word_span_at(self, index: int) -> Span | None: ...

    def is_word_at(self, start: int, end: int) -> bool: ...

    def regex_found(self, regex: re.Pattern[str]) -> bool: ...

    def has_signal(self, kind: str) -> bool: ...

    def strict_verdict(self, check: Check) -> bool:
        """``check.holds_strict(page)``, kept for the page (checks are shared between rules)."""
        ...


class Check:
    __slots__ = ()
    # whether holding on a stretch of the page implies holding on the whole page (true unless a
    # `not` sits inside): then a page where the check fails cannot have a stretch where it holds
    monotone = True
    # evaluation order inside all_of / any_of (results do not depend on it): set look-ups
    # first, then signals, nested blocks, and the checks that look at spans or run regexes
    cost = 2
    # whether a parent asks the page for this check's strict verdict (kept per page) rather
    # than working it out again: worth it for all but the plain term checks
    memo = True

    def holds(self, page: IndexedPage) -> bool:
        raise NotImplementedError

    def holds_strict(self, page: IndexedPage) -> bool:
        raise NotImplementedError


class _TermSetCheck(Check):
    """A check over a set of pattern ids, some of which need a word-boundary check."""

    cost = 0
    memo = False
    __slots__ = ("checked", "indexes")

    def __init__(self, indexes: frozenset[int], checked: frozenset[int]) -> None:
        self.indexes = indexes
        self.checked = checked


class AnyCheck(_TermSetCheck):
    __slots__ = ()

    def holds(self, page: IndexedPage) -> bool:
        return not self.indexes.isdisjoint(page.present_indexes)

    def holds_strict(self, page: IndexedPage) -> bool:
        occurred = self.indexes & page.present_indexes
        if not occurred:
            return False
        if not occurred <= self.checked:
            return True
        return any(page.word_span_at(i) is not None for i in occurred)


class AllCheck(_TermSetCheck):
    __slots__ = ()

    def holds(self, page: IndexedPage) -> bool:
        return self.indexes <= page.present_indexes

    def holds_strict(self, page: IndexedPage) -> bool:
        if not self.indexes <= page.present_indexes:
            return False
        return all(page.word_span_at(i) is not None for i in self.checked)


class AtLeastCheck(Check):
    cost = 0
    __slots__ = ("checked", "count", "indexes")

    def __init__(self, indexes: frozenset[int], checked: frozenset[int], count: int) -> None:
        self.indexes = indexes
        self.checked = checked
        self.count = count

    def holds(self, page: IndexedPage) -> bool:
        return len(self.indexes & page.present_indexes) >= self.count

    def holds_strict(self, page: IndexedPage) -> bool:
        occurred = self.indexes & page.present_indexes
        if len(occurred) < self.count:
            return False
        to_check = occurred & self.checked
        have = len(occurred) - len(to_check)
        left = len(to_check)
        for index in to_check:
            if have >= self.count or have + left < self.count:
                break
            left -= 1
            if page.word_span_at(index) is not None:
                have += 1
        return have >= self.count


class NearCheck(Check):
    cost = 3
    __slots__ = ("left", "left_checked", "reach", "right", "right_checked", "within")

    def __init__(self, left: AnyCheck, right: AnyCheck, within: int, longest_right: int) -> None:
        self.left, self.left_checked = left.indexes, left.checked
        self.right, self.right_checked = right.indexes, right.checked
        self.within = within
        # a right occurrence starting before a0 - reach cannot be within reach of [a0, a1)
        self.reach = within + longest_right

    def holds(self, page: IndexedPage) -> bool:
        present = page.present_indexes
        lefts = self.left & present
        if not lefts:
            return False
        rights = self.right & present
        if not rights:
            return False
        spans_at = page.spans_at
        ordered: list[Span] = []
        for index in rights:
            ordered += spans_at(index)
        if len(rights) > 1:
            ordered.sort()
        starts = [s for s, _ in ordered]
        within, reach = self.within, self.reach
        for index in lefts:
            for a0, a1 in spans_at(index):
                # gap <= within  <=>  b0 <= a1 + within and b1 >= a0 - within
                lo = bisect_left(starts, a0 - reach)
                hi = bisect_right(starts, a1 + within, lo)
                for k in range(lo, hi):
                    if ordered[k][1] >= a0 - within:
                        return True
        return False

    @staticmethod
    def _occurrences(
        page: IndexedPage, indexes: frozenset[int], checked: frozenset[int]
    ) -> list[Occurrence]:
        out: list[Occurrence] = []
        for index in indexes & page.present_indexes:
            spans = page.spans_at(index)
            verify = index in checked
            if verify:
                spans = spans[:MAX_CHECKED]
            out.extend((index, span, verify) for span in spans)  # type: ignore[misc]
        return out

    def holds_strict(self, page: IndexedPage) -> bool:
        lefts = self._occurrences(page, self.left, self.left_checked)
        if not lefts:
            return False
        rights = self._occurrences(page, self.right, self.right_checked)
        pair = nearest_pair(lefts, rights, self.within, page.is_word_at, any_pair=True)
        return pair is not None


class RegexCheck(Check):
    cost = 3
    __slots__ = ("anchors", "regex")

    def __init__(self, anchors: frozenset[int], regex: re.Pattern[str]) -> None:
        self.anchors = anchors
        self.regex = regex

    def holds(self, page: IndexedPage) -> bool:
        return not self.anchors.isdisjoint(page.present_indexes) and page.regex_found(self.regex)

    holds_strict = holds


class SignalCheck(Check):
    cost = 1
    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def holds(self, page: IndexedPage) -> bool:
        return page.has_signal(self.kind)

    holds_strict = holds


class AllOfCheck(Check):
    __slots__ = ("children", "monotone")

    def __init__(self, children: tuple[Check, ...]) -> None:
        self.children = tuple(sorted(children, key=lambda c: c.cost))
        self.monotone = all(c.monotone for c in children)

    def holds(self, page: IndexedPage) -> bool:
        for child in self.children:
            if not child.holds(page):
                return False
        return True

    def holds_strict(self, page: IndexedPage) -> bool:
        verdict = page.strict_verdict
        for child in self.children:
            if not (verdict(child) if child.memo else child.holds_strict(page)):
                return False
        return True


class AnyOfCheck(Check):
    __slots__ = ("children", "monotone")

    def __init__(self, children: tuple[Check, ...]) -> None:
        self.children = tuple(sorted(children, key=lambda c: c.cost))
        self.monotone = all(c.monotone for c in children)

    def holds(self, page: IndexedPage) -> bool:
        for child in self.children:
            if child.holds(page):
                return True
        return False

    def holds_strict(self, page: IndexedPage) -> bool:
        verdict = page.strict_verdict
        for child in self.children:
            if verdict(child) if child.memo else child.holds_strict(page):
                return True
        return False


class NotCheck(Check):
    __slots__ = ("child",)
    monotone = False

    def __init__(self, child: Check) -> None:
        self.child = child

    def holds(self, page: IndexedPage) -> bool:
        return not self.child.holds(page)

    def holds_strict(self, page: IndexedPage) -> bool:
        return not self.child.holds_strict(page)


class Compiler:
    """Turns conditions into checks for one automaton; equal structures give the same check."""

    def __init__(self, index_of: Callable[[str], int]) -> None:
        self._index_of = index_of
        self._interned: dict[tuple, Check] = {}
        # terms whose every occurrence `near` looks at (rules.matcher.PageMatches groups them)
        self.near_terms: set[int] = set()

    def compile(self, condition: Condition) -> Check:
        return self._build(condition)[1]

    def _terms(self, condition: AnyTerms) -> tuple[frozenset[int], frozenset[int]]:
        indexes = frozenset(self._index_of(t.text) for t in condition.items)
        checked = frozenset(self._index_of(t.text) for t in condition.items if t.check)
        return indexes, checked

    def _intern(self, key: tuple, make: Callable[[], Check]) -> tuple[tuple, Check]:
        check = self._interned.get(key)
        if check is None:
            check = self._interned[key] = make()
        return key, check

    def _build(self, condition: Condition) -> tuple[tuple, Check]:
        # exact classes: a subclass could change what a condition means
        kind = type(condition)
        if kind is AnyTerms or kind is AllTerms or kind is AtLeast:
            indexes, checked = self._terms(condition)  # type: ignore[arg-type]
            if kind is AnyTerms:
                return self._intern(("any", indexes, checked), lambda: AnyCheck(indexes, checked))
            if kind is AllTerms:
                return self._intern(("all", indexes, checked), lambda: AllCheck(indexes, checked))
            count = condition.count  # type: ignore[attr-defined]
            return self._intern(
                ("at_least", indexes, checked, count),
                lambda: AtLeastCheck(indexes, checked, count),
            )
        if kind is Near:
            left_key, left = self._build(condition.left)  # type: ignore[attr-defined]
            right_key, right = self._build(condition.right)  # type: ignore[attr-defined]
            within = condition.within  # type: ignore[attr-defined]
            longest = max(len(t) for t in condition.right.texts)  # type: ignore[attr-defined]
            self.near_terms |= left.indexes | right.indexes  # type: ignore[attr-defined]
            return self._intern(
                ("near", left_key, right_key, within),
                lambda: NearCheck(left, right, within, longest),  # type: ignore[arg-type]
            )
        if kind is Regex:
            anchors = frozenset(self._index_of(a) for a in condition.anchors)  # type: ignore[attr-defined]
            regex = condition.regex  # type: ignore[attr-defined]
            return self._intern(
                ("regex", anchors, regex.pattern, regex.flags),
                lambda: RegexCheck(anchors, regex),
            )
        if kind is Signal:
            signal = condition.kind  # type: ignore[attr-defined]
            return self._intern(("signal", signal), lambda: SignalCheck(signal))
        if kind is AllOf or kind is AnyOf:
            built = [self._build(c) for c in condition.children]  # type: ignore[attr-defined]
            keys = tuple(k for k, _ in built)
            children = tuple(c for _, c in built)
            if kind is AllOf:
                return self._intern(("all_of", keys), lambda: AllOfCheck(children))
            return self._intern(("any_of", keys), lambda: AnyOfCheck(children))
        if kind is Not:
            child_key, child = self._build(condition.child)  # type: ignore[attr-defined]
            return self._intern(("not", child_key), lambda: NotCheck(child))
        raise TypeError(f"no compiled form for {kind.__name__}")


def set_bits(mask: int) -> Iterator[int]:
    """Indexes of the bits set in ``mask``, lowest first (rules are sets of bits)."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
