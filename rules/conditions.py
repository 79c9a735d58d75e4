"""Match conditions: compiled once from a rule's YAML, evaluated per page against term hits.

A condition answers "does it hold on this page, and on what evidence?". Evidence is a list of
``(label, start, end)`` spans in the NORMALISED text (label: the term, or what a regex or signal
found); ``None`` means the condition does not hold. Literal terms were all found beforehand by the
shared automaton, so evaluating a condition is a few dictionary look-ups.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from rules.anchors import literal_anchors
from rules.lexicons import REFERENCE, expand
from rules.normalise import normalise_term

Span = tuple[int, int]
Evidence = list[tuple[str, int, int]]
Occurrence = tuple[str, Span, bool]  # (term, span, still to be verified as a word)
_START = itemgetter(1)
MAX_CHECKED = 8  # occurrences of one term checked with jieba per page (enough to find a word)


class PageView(Protocol):
    """What a condition may ask about the page being scanned (see rules.engine.PageState)."""

    text: str
    present: set[str]  # every term that occurred (before word-boundary checks)
    strict: bool  # whether word boundaries are being checked

    def spans(self, term: str, check_boundary: bool) -> list[Span]: ...

    def first_span(self, term: str) -> Span: ...

    def word_span(self, term: str) -> Span | None: ...

    def is_word_at(self, start: int, end: int) -> bool: ...

    def regex_search(self, regex: re.Pattern[str]) -> re.Match[str] | None: ...

    def signal(self, kind: str) -> Evidence: ...


class ConditionError(ValueError):
    """A condition that cannot be compiled; the message names the offending part."""


class Condition:
    def evaluate(self, page: PageView) -> Evidence | None:
        raise NotImplementedError

    def terms(self) -> set[str]:
        """Every literal the automaton must find for this condition (terms and regex anchors)."""
        return set()

    def checked_terms(self) -> set[str]:
        """Terms whose occurrences are verified as words (see rules.words)."""
        return set()

    def triggers(self) -> list[frozenset[str]] | None:
        """What must occur for the condition to hold, as a conjunction of alternatives: every
        set in the list needs at least one of its literals on the page. ``None`` when the
        condition can hold without any literal (a bare signal, a negation): such rules are
        evaluated on every page. The engine uses it to skip rules with a few set operations."""
        return None


def _needs_boundary(term: str, policy: str) -> bool:
    if policy == "never":
        return False
    if policy == "always":
        return True
    # auto: one- or two-character Chinese words are where substring matches go wrong
    # (代练 in 时代练习, 收卡 in 接收卡片), and short Latin abbreviations (pinyin initials such
    # as yhk, bjl, tg) inside longer Latin words (a URL, an English word).
    if len(term) <= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in term):
        return True
    return len(term) <= 5 and term.isascii() and term.isalnum()


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    check: bool


class _TermCondition(Condition):
    def __init__(self, terms: Iterable[str], policy: str) -> None:
        seen: dict[str, _Term] = {}
        for raw in terms:
            text = normalise_term(str(raw))
            if not text:
                raise ConditionError(f"term {raw!r} is empty after normalisation")
            seen.setdefault(text, _Term(text, _needs_boundary(text, policy)))
        self.items = tuple(seen.values())
        self.by_text = {t.text: t for t in self.items}
        self.texts = frozenset(self.by_text)
        self.checked = frozenset(t.text for t in self.items if t.check)

    def terms(self) -> set[str]:
        return {t.text for t in self.items}

    def checked_terms(self) -> set[str]:
        return {t.text for t in self.items if t.check}

    def triggers(self) -> list[frozenset[str]] | None:
        return [self.texts]

    def _present(self, page: PageView, needed: int | None = None) -> Evidence:
        """Evidence of the terms that occur. With ``needed``, word boundaries are checked
        (jieba, slow) only until that many terms are established: terms that need no check
        come first, so most rules that fire never call jieba."""
        occurred = self.texts & page.present
        if not occurred:
            return []
        first_span = page.first_span
        if page.strict:
            to_check = occurred & self.checked
            if to_check:
                occurred = occurred - to_check
        else:
            to_check = None
        # sorted: equal starts keep one order whatever the hash seed (evidence order is output)
        found: Evidence = [(text, *first_span(text)) for text in sorted(occurred)]
        if to_check and (needed is None or len(found) < needed):
            # by first occurrence (then by text, the order they were listed in before)
            for _, text in sorted((first_span(text), text) for text in to_check):
                span = page.word_span(text)
                if span is not None:
                    found.append((text, *span))
                    if needed is not None and len(found) >= needed:
                        break
        found.sort(key=_START)
        return found


class AnyTerms(_TermCondition):
    def evaluate(self, page: PageView) -> Evidence | None:
        found = self._present(page, needed=1)
        return found or None


class AllTerms(_TermCondition):
    def evaluate(self, page: PageView) -> Evidence | None:
        if not self.texts <= page.present:
            return None
        found: Evidence = []
        for term in self.items:
            span = (
                page.word_span(term.text)
                if page.strict and term.check
                else page.first_span(term.text)
            )
            if span is None:
                return None
            found.append((term.text, *span))
        return found

    def triggers(self) -> list[frozenset[str]] | None:
        return [frozenset([text]) for text in self.texts]


class AtLeast(_TermCondition):
    def __init__(self, count: int, terms: Iterable[str], policy: str) -> None:
        super().__init__(terms, policy)
        if count > len(self.items):
            raise ConditionError(
                f"at_least: {count} but only {len(self.items)} distinct terms in `of`"
            )
        self.count = count

    def evaluate(self, page: PageView) -> Evidence | None:
        found = self._present(page, needed=self.count)
        return found if len(found) >= self.count else None


class Near(Condition):
    def __init__(self, left: Iterable[str], right: Iterable[str], within: int, policy: str):
        self.left = AnyTerms(left, policy)
        self.right = AnyTerms(right, policy)
        self.within = within

    def terms(self) -> set[str]:
        return self.left.terms() | self.right.terms()

    def checked_terms(self) -> set[str]:
        return self.left.checked_terms() | self.right.checked_terms()

    def triggers(self) -> list[frozenset[str]] | None:
        return [self.left.texts, self.right.texts]

    def evaluate(self, page: PageView) -> Evidence | None:
        lefts = _occurrences(page, self.left)
        if not lefts:
            return None
        best = nearest_pair(lefts, _occurrences(page, self.right), self.within, page.is_word_at)
        if best is None:
            return None
        (a_term, (a0, a1), _), (b_term, (b0, b1), _) = best
        return [(a_term, a0, a1), (b_term, b0, b1)]


def _occurrences(page: PageView, side: AnyTerms) -> list[Occurrence]:
    """Occurrences of one side of `near`, terms in sorted order, each term's by position; those
    that must still be verified as words are flagged (at most MAX_CHECKED per term)."""
    out: list[Occurrence] = []
    for text in sorted(side.texts & page.present):
        verify = page.strict and side.by_text[text].check
        spans = page.spans(text, False)
        if verify:
            spans = spans[:MAX_CHECKED]
        out.extend((text, span, verify) for span in spans)
    return out


def nearest_pair(
    lefts: Sequence[Occurrence],
    rights: Sequence[Occurrence],
    within: int,
    is_word: Callable[[int, int], bool],
    any_pair: bool = False,
) -> tuple[Occurrence, Occurrence] | None:
    """The closest (left, right) pair at most ``within`` characters apart, both words where
    flagged; among equally close pairs the first in the order of ``lefts`` then ``rights``.

    Only pairs inside the window are looked at (right occurrences sorted by start, bisected per
    left one), and words are verified (jieba) only for the pairs tried, closest first. With
    ``any_pair``, the first acceptable pair found, not necessarily the closest.
    """
    if not lefts or not rights:
        return None
    by_start = sorted(range(len(rights)), key=lambda j: rights[j][1][0])
    starts = [rights[j][1][0] for j in by_start]
    reach = within + max(e - s for _, (s, e), _ in rights)
    candidates: list[tuple[int, int, int]] = []
    for i, (_, (a0, a1), _) in enumerate(lefts):
        lo = bisect_left(starts, a0 - reach)
        hi = bisect_right(starts, a1 + within, lo)
        for k in range(lo, hi):
            j = by_start[k]
            b0, b1 = rights[j][1]
            gap = b0 - a1 if b0 > a1 else (a0 - b1 if a0 > b1 else 0)
            if gap <= within:
                if any_pair and not lefts[i][2] and not rights[j][2]:
                    return lefts[i], rights[j]
                candidates.append((gap, i, j))
    candidates.sort()
    for _, i, j in candidates:
        left, right = lefts[i], rights[j]
        if (not left[2] or is_word(*left[1])) and (not right[2] or is_word(*right[1])):
            return left, right
    return None


class Regex(Condition):
    def __init__(self, pattern: str) -> None:
        try:
            self.regex = re.compile(pattern, re.IGNORECASE)
            anchors = literal_anchors(pattern)
        except re.error as err:
            raise ConditionError(f"regex {pattern!r} does not compile: {err}") from None
        if anchors is None:
            raise ConditionError(
                f"regex {pattern!r} has no literal anchor of 2+ characters that every match "
                "contains; add one (e.g. 日赚\\d+ instead of \\d+元) so it runs only on pages "
                "where the anchor occurs"
            )
        normalised = set()
        for anchor in anchors:
            norm = normalise_term(anchor)
            if norm != anchor.lower():
                raise ConditionError(
                    f"regex {pattern!r}: literal {anchor!r} is not in normalised form "
                    f"(pages are matched as {norm!r}); write it that way"
                )
            normalised.add(norm)
        self.pattern = pattern
        self.anchors = frozenset(normalised)

    def terms(self) -> set[str]:
        return set(self.anchors)

    def triggers(self) -> list[frozenset[str]] | None:
        return [self.anchors]

    def evaluate(self, page: PageView) -> Evidence | None:
        if self.anchors.isdisjoint(page.present):
            return None
        match = page.regex_search(self.regex)
        if match is None:
            return None
        return [(match.group(), match.start(), match.end())]


class Signal(Condition):
    def __init__(self, kind: str) -> None:
        if kind not in ("contact", "money"):
            raise ConditionError(f"signal must be contact or money, not {kind!r}")
        self.kind = kind

    def evaluate(self, page: PageView) -> Evidence | None:
        return page.signal(self.kind) or None


class _Group(Condition):
    """A block of child conditions (all_of / any_of): its terms are its children's."""

    def __init__(self, children: list[Condition]) -> None:
        self.children = children

    def terms(self) -> set[str]:
        return set().union(*(c.terms() for c in self.children))

    def checked_terms(self) -> set[str]:
        return set().union(*(c.checked_terms() for c in self.children))


class AllOf(_Group):
    def triggers(self) -> list[frozenset[str]] | None:
        clauses = [clause for c in self.children for clause in (c.triggers() or [])]
        return clauses or None

    def evaluate(self, page: PageView) -> Evidence | None:
        evidence: Evidence = []
        # cheap term children first, signals and regexes last
        for child in self.children:
            found = child.evaluate(page)
            if found is None:
                return None
            evidence.extend(found)
        return evidence


class AnyOf(_Group):
    def triggers(self) -> list[frozenset[str]] | None:
        parts = [c.triggers() for c in self.children]
        if any(p is None for p in parts):
            return None
        # one of the children must hold: the union of each child's narrowest clause must occur
        return [frozenset().union(*(min(p, key=len) for p in parts))]  # type: ignore[arg-type]

    def evaluate(self, page: PageView) -> Evidence | None:
        evidence: Evidence = []
        held = False
        for child in self.children:
            found = child.evaluate(page)
            if found is not None:
                held = True
                evidence.extend(found)
        return evidence if held else None


class Not(Condition):
    def __init__(self, child: Condition) -> None:
        self.child = child

    def terms(self) -> set[str]:
        return self.child.terms()

    def checked_terms(self) -> set[str]:
        return self.child.checked_terms()

    def evaluate(self, page: PageView) -> Evidence | None:
        return [] if self.child.evaluate(page) is None else None


def compile_condition(spec: Any, policy: str = "auto", path: str = "match") -> Condition:
    """Build a condition from its YAML form (already checked against the JSON Schema)."""
    if not isinstance(spec, dict) or not spec:
        raise ConditionError(f"{path}: a condition must be a mapping such as {{any: [...]}}")
    try:
        if "any" in spec:
            return AnyTerms(expand(spec["any"], path), policy)
        if "all" in spec:
            if any(str(t).startswith(REFERENCE) for t in spec["all"]):
                raise ConditionError("`all` takes terms, not lexicons (use `any: [@name]`)")
            return AllTerms(spec["all"], policy)
        if "at_least" in spec:
            return AtLeast(int(spec["at_least"]), expand(spec["of"], path), policy)
        if "near" in spec:
            left, right = spec["near"]
            return Near(expand(left, path), expand(right, path), int(spec["within"]), policy)
        if "regex" in spec:
            return Regex(str(spec["regex"]))
        if "signal" in spec:
            return Signal(str(spec["signal"]))
        if "all_of" in spec:
            return AllOf(
                [
                    compile_condition(c, policy, f"{path}.all_of[{i}]")
                    for i, c in enumerate(spec["all_of"])
                ]
            )
        if "any_of" in spec:
            return AnyOf(
                [
                    compile_condition(c, policy, f"{path}.any_of[{i}]")
                    for i, c in enumerate(spec["any_of"])
                ]
            )
        if "not" in spec:
            return Not(compile_condition(spec["not"], policy, f"{path}.not"))
    except ConditionError as err:
        if str(err).startswith(path):
            raise
        raise ConditionError(f"{path}: {err}") from None
    raise ConditionError(f"{path}: unknown condition keys {sorted(spec)}")
