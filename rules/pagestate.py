"""What the engine knows about one stretch of a page while rules are evaluated.

A :class:`PageState` is a view of the page's normalised text, its automaton matches and its
entities, restricted to ``[lo, hi)`` of the normalised text: the whole page (to pick candidate
rules), a section (to decide ``unless`` blocks and the stance), or one run or window of a run (to
decide a rule's conditions and work out its evidence). Word-boundary verdicts are positions in the
page, so views of one page share them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rules.conditions import MAX_CHECKED, Evidence, Span
from rules.explain import ENTITY_NAMES
from rules.matcher import PageMatches
from rules.normalise import NormalisedText
from rules.plan import Check
from rules.result import Entity

if TYPE_CHECKING:
    from rules.engine import Engine


class PageState:
    """Everything known about one page (or one stretch of it) while rules are evaluated.

    Two views of the same facts: by pattern index for the compiled checks (rules.plan), by term
    for the conditions that work out a firing rule's evidence (rules.conditions.PageView, always
    strict). Everything is computed on first use and kept for the page.
    """

    __slots__ = (
        "_candidates",
        "_engine",
        "_present_terms",
        "_regex",
        "_signals",
        "_unless",
        "_word_at",
        "_word_span",
        "entities",
        "hi",
        "lo",
        "matches",
        "nt",
        "present_indexes",
        "spans_at",
        "strict",
        "text",
    )

    def __init__(
        self,
        engine: Engine,
        nt: NormalisedText,
        matches: PageMatches,
        entities: list[Entity],
        lo: int = 0,
        hi: int | None = None,
        word_at: dict[Span, bool] | None = None,
    ) -> None:
        self._engine = engine
        self.nt = nt
        self.text = nt.text
        self.lo = lo
        self.hi = len(nt.text) if hi is None else hi
        self.matches = matches
        self.spans_at = matches.spans  # every occurrence of a term, by pattern index
        self.present_indexes = matches.present
        self.entities = entities
        # evidence is only worked out for rules that fire, always with word boundaries checked
        self.strict = True
        self._present_terms: set[str] | None = None
        self._candidates: int | None = None
        self._regex: dict[re.Pattern[str], re.Match[str] | None] = {}
        self._signals: dict[str, Evidence] = {}
        self._unless: dict[Check, bool] = {}
        # word-boundary verdicts are about positions in the page: views of one page share them
        self._word_at: dict[Span, bool] = {} if word_at is None else word_at
        self._word_span: dict[int, Span | None] = {}

    def view(self, lo: int, hi: int) -> PageState:
        """The same page seen through ``[lo, hi)`` of its normalised text (this view itself when
        that covers all of it: a page of one section)."""
        if lo <= self.lo and hi >= self.hi:
            return self
        entities = [e for e in self.entities if lo <= e.norm_start and e.norm_end <= hi]
        return PageState(
            self._engine, self.nt, self.matches.window(lo, hi), entities, lo, hi, self._word_at
        )

    # --- by pattern index (rules.plan) ---------------------------------------------------

    def candidate_rules(self) -> int:
        """The rules (as bits) whose clauses all have a term here (rules.engine)."""
        if self._candidates is None:
            self._candidates = self._engine.candidate_bits(self.present_indexes)
        return self._candidates

    def is_word_at(self, start: int, end: int) -> bool:
        known = self._word_at.get((start, end))
        if known is None:
            known = self._word_at[(start, end)] = self._engine.boundaries.is_word(
                self.text, start, end
            )
        return known

    def word_span_at(self, index: int) -> Span | None:
        """The first occurrence of a term that reads as a word (checks stop there)."""
        known = self._word_span
        if index in known:
            return known[index]
        # the first occurrence nearly always reads as a word: only then sort out the others
        first = self.matches.first(index)
        if not self.is_word_at(*first):
            first = None
            for span in self.matches.spans(index)[1:MAX_CHECKED]:
                if self.is_word_at(*span):
                    first = span
                    break
        known[index] = first
        return first

    def regex_search(self, regex: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of a rule regex on the page (searched once per page)."""
        if regex in self._regex:
            return self._regex[regex]
        found = self._regex[regex] = regex.search(self.text, self.lo, self.hi)
        return found

    def regex_found(self, regex: re.Pattern[str]) -> bool:
        return self.regex_search(regex) is not None

    def has_signal(self, kind: str) -> bool:
        types, words = self._engine._signal_sources[kind]
        if not words.isdisjoint(self.present_indexes):
            return True
        return any(e.type in types for e in self.entities)

    def unless_holds(self, check: Check) -> bool:
        """Strict verdict of an `unless` block; most rules share one, so it is kept."""
        held = self._unless.get(check)
        if held is None:
            held = self._unless[check] = check.holds_strict(self)
        return held

    # the `unless` blocks of different rules share their parts (an anti-fraud word list per
    # pack): the strict verdicts of those parts are kept for the page too
    strict_verdict = unless_holds

    # --- by term (rules.conditions.PageView) ---------------------------------------------

    @property
    def present(self) -> set[str]:
        if self._present_terms is None:
            patterns = self._engine.matcher.patterns
            self._present_terms = {patterns[i] for i in self.present_indexes}
        return self._present_terms

    def spans(self, term: str, check_boundary: bool) -> list[Span]:
        spans = self.matches.spans(self._engine.matcher.index[term])
        if not check_boundary or not self.strict:
            return spans
        return [s for s in spans[:MAX_CHECKED] if self.is_word_at(*s)]

    def first_span(self, term: str) -> Span:
        return self.matches.first(self._engine.matcher.index[term])

    def word_span(self, term: str) -> Span | None:
        return self.word_span_at(self._engine.matcher.index[term])

    def signal(self, kind: str) -> Evidence:
        cached = self._signals.get(kind)
        if cached is not None:
            return cached
        types, words = self._engine._signal_sources[kind]
        evidence: Evidence = [
            (f"{ENTITY_NAMES[e.type]} {e.value}", e.norm_start, e.norm_end)
            for e in self.entities
            if e.type in types
        ]
        patterns = self._engine.matcher.patterns
        # words in sorted order (index order): equal starts keep one order whatever the seed
        for index in sorted(words & self.present_indexes):
            evidence.append((patterns[index], *self.matches.first(index)))
        evidence.sort(key=lambda item: item[1])
        self._signals[kind] = evidence
        return evidence

    def context_terms(self) -> dict[str, None]:
        """Anti-fraud context words present, in order of appearance (what rules.context reads)."""
        engine = self._engine
        wanted = engine._context_indexes
        patterns = engine.matcher.patterns
        return {patterns[i]: None for i in self.matches.in_order_of_appearance() if i in wanted}
