"""The engine: normalise once, match once, evaluate only the rules whose terms occurred, score,
explain.

    engine = load_engine()               # default packs, cached per process
    result = engine.scan(text, title="", url="")
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from rules.conditions import Evidence, Span
from rules.context import ContextVerdict, judge_context
from rules.entities import extract
from rules.explain import ENTITY_NAMES, reasons, snippet
from rules.lexicon import Lexicon, load_lexicon
from rules.loader import Rule, load_rules
from rules.matcher import TermMatcher
from rules.normalise import NormalisedText, normalise
from rules.result import Entity, Hit, ScanResult
from rules.scoring import (
    DEFAULT_SCORING,
    ScoringConfig,
    boost_factor,
    combine,
    level_for,
    rank_categories,
)
from rules.words import BoundaryChecker

CONTACT_ENTITIES = frozenset({"phone", "qq", "qq_group", "wechat", "telegram", "apk", "url"})
MONEY_ENTITIES = frozenset({"bank_card", "usdt_trc20", "usdt_erc20"})
DEFAULT_MAX_CHARS = 2_000_000  # ~6 MB of Chinese; the crawler keeps 5 MB bodies at most
MAX_CHECKED = 8  # occurrences of one term checked with jieba per page (enough to find a word)
MAX_EVIDENCE_SPAN = 300  # evidence further apart than this is shown by its first part only


class PageState:
    """Everything known about one page while rules are evaluated (the conditions' PageView)."""

    __slots__ = (
        "_checked",
        "_first_word",
        "_signals",
        "boundaries",
        "entities",
        "found",
        "lexicon",
        "nt",
        "present",
        "strict",
        "text",
    )

    def __init__(
        self,
        nt: NormalisedText,
        found: dict[str, list[Span]],
        entities: list[Entity],
        lexicon: Lexicon,
        boundaries: BoundaryChecker,
    ) -> None:
        self.nt = nt
        self.text = nt.text
        self.found = found
        self.present = set(found)
        self.entities = entities
        self.lexicon = lexicon
        self.boundaries = boundaries
        # word boundaries are checked only in strict mode: a rule is first evaluated on raw
        # occurrences (cheap) and re-evaluated strictly only if it would fire, so jieba runs
        # for the few rules that fire, not for every candidate
        self.strict = False
        self._checked: dict[str, list[Span]] = {}
        self._first_word: dict[str, Span | None] = {}
        self._signals: dict[str, Evidence] = {}

    def spans(self, term: str, check_boundary: bool) -> list[Span]:
        spans = self.found.get(term)
        if not spans or not check_boundary or not self.strict:
            return spans or []
        checked = self._checked.get(term)
        if checked is None:
            checked = [s for s in spans[:MAX_CHECKED] if self.boundaries.is_word(self.text, *s)]
            self._checked[term] = checked
        return checked

    def word_span(self, term: str) -> Span | None:
        """The first occurrence of ``term`` that reads as a word (checks stop there)."""
        checked = self._checked.get(term)
        if checked is not None:
            return checked[0] if checked else None
        first = self._first_word.get(term, False)
        if first is not False:
            return first
        first = None
        for span in self.found.get(term, ())[:MAX_CHECKED]:
            if self.boundaries.is_word(self.text, *span):
                first = span
                break
        self._first_word[term] = first
        return first

    def signal(self, kind: str) -> Evidence:
        cached = self._signals.get(kind)
        if cached is not None:
            return cached
        types, words = (
            (CONTACT_ENTITIES, self.lexicon.contact_words)
            if kind == "contact"
            else (MONEY_ENTITIES, self.lexicon.money_words)
        )
        evidence: Evidence = [
            (f"{ENTITY_NAMES[e.type]} {e.value}", e.norm_start, e.norm_end)
            for e in self.entities
            if e.type in types
        ]
        for word in words:
            spans = self.found.get(word)
            if spans:
                evidence.append((word, *spans[0]))
        evidence.sort(key=lambda item: item[1])
        self._signals[kind] = evidence
        return evidence


class Engine:
    """Compiled rules plus the shared automaton. Thread-safe for scanning after construction."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        lexicon: Lexicon | None = None,
        scoring: ScoringConfig = DEFAULT_SCORING,
        max_chars: int = DEFAULT_MAX_CHARS,
        boundaries: BoundaryChecker | None = None,
    ) -> None:
        self.rules = list(rules)
        self.lexicon = lexicon or load_lexicon()
        self.scoring = scoring
        self.max_chars = max_chars
        terms: set[str] = set(self.lexicon.terms())
        checked: set[str] = set()
        # a rule is indexed under the terms of its narrowest clause; its other clauses are
        # checked with set operations before any condition is evaluated
        self._by_trigger: dict[str, list[int]] = defaultdict(list)
        self._clauses: list[tuple[frozenset[str], ...]] = []
        self._always: list[int] = []
        for index, rule in enumerate(self.rules):
            terms |= rule.match.terms()
            checked |= rule.match.checked_terms()
            if rule.unless is not None:
                terms |= rule.unless.terms()
                checked |= rule.unless.checked_terms()
            clauses = rule.match.triggers()
            if clauses is None:
                self._always.append(index)
                self._clauses.append(())
            else:
                clauses = sorted(set(clauses), key=len)
                self._clauses.append(tuple(clauses[1:]))
                for term in clauses[0]:
                    self._by_trigger[term].append(index)
        self.boundaries = boundaries or BoundaryChecker(vocabulary=sorted(checked))
        self.matcher = TermMatcher(terms)
        self.rule_versions: dict[str, int] = {r.id: r.version for r in self.rules}
        digest = hashlib.sha1(
            "\n".join(f"{rid}:{ver}" for rid, ver in sorted(self.rule_versions.items())).encode()
        )
        self.fingerprint: str = digest.hexdigest()[:12]

    # --- scanning ------------------------------------------------------------------------

    def scan(self, text: str, title: str = "", url: str = "") -> ScanResult:
        """Scan one page; offsets in the result point into ``text`` (or ``title``, see Hit.field)."""
        text = text or ""
        title = (title or "").strip()
        truncated_at = None
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
            truncated_at = self.max_chars
        # the title is scanned with the text (scam titles carry the lure); a newline keeps the
        # two from running into each other
        prefix = len(title) + 1 if title else 0
        nt = normalise(f"{title}\n{text}" if title else text)
        found = self.matcher.find(nt.text)
        entities = extract(nt)
        page = PageState(nt, found, entities, self.lexicon, self.boundaries)

        hits = [hit for hit in self._evaluate(page, text, title, prefix)]
        context = judge_context(found, self.lexicon.anti_fraud, url)
        contact = page.signal("contact")
        money = page.signal("money")
        factor = boost_factor(bool(contact), bool(money), self.scoring)
        raw_score = combine([h.weight for h in hits], factor, self.scoring) if hits else 0.0
        score = round(raw_score * context.damping, 1)
        level = level_for(score, self.scoring)
        return ScanResult(
            score=score,
            level=level,
            categories=rank_categories(hits),
            hits=hits,
            entities=[self._relocate_entity(e, prefix) for e in entities],
            context=[context.label] if (context.label and hits) else [],
            reasons=reasons(
                hits=hits,
                raw_score=raw_score,
                score=score,
                level=level,
                contact=_labels(contact),
                money=_labels(money),
                factor=factor,
                context=context if hits else ContextVerdict(),
                truncated_at=truncated_at,
                config=self.scoring,
            ),
        )

    def context(self, text: str, url: str = "") -> ContextVerdict:
        """The anti-fraud context verdict of a page on its own (whether or not rules fire)."""
        found = self.matcher.find(normalise(text[: self.max_chars]).text)
        return judge_context(found, self.lexicon.anti_fraud, url)

    def _candidates(self, present: set[str]) -> list[int]:
        indexes = set(self._always)
        by_trigger = self._by_trigger
        for term in present:
            rules = by_trigger.get(term)
            if rules:
                indexes.update(rules)
        clauses = self._clauses
        return sorted(
            i for i in indexes if all(not clause.isdisjoint(present) for clause in clauses[i])
        )

    def _evaluate(self, page: PageState, text: str, title: str, prefix: int) -> Iterable[Hit]:
        for index in self._candidates(page.present):
            rule = self.rules[index]
            page.strict = False
            if rule.match.evaluate(page) is None:
                continue
            page.strict = True
            evidence = rule.match.evaluate(page)
            if evidence is None:
                continue
            if rule.unless is not None and rule.unless.evaluate(page) is not None:
                continue
            yield self._hit(rule, evidence, page.nt, text, title, prefix)

    def _hit(
        self, rule: Rule, evidence: Evidence, nt: NormalisedText, text: str, title: str, prefix: int
    ) -> Hit:
        matched: list[str] = []
        for label, _, _ in evidence:
            if label not in matched:
                matched.append(label)
        spans = sorted((s, e) for _, s, e in evidence if e > s)
        if spans:
            start, end = spans[0]
            for s, e in spans[1:]:
                if e - start <= MAX_EVIDENCE_SPAN:
                    end = max(end, e)
            start, end = nt.span(start, end)
        else:
            start = end = prefix
        field = "text"
        source = text
        if prefix and start < prefix:
            field, source = "title", title
            end = min(end, len(title))
        else:
            start, end = start - prefix, end - prefix
        return Hit(
            rule_id=rule.id,
            rule_version=rule.version,
            category=rule.category,
            title=rule.title,
            level=rule.level,
            weight=rule.weight,
            matched=matched,
            start=start,
            end=end,
            snippet=snippet(source, start, end),
            field=field,
        )

    @staticmethod
    def _relocate_entity(entity: Entity, prefix: int) -> Entity:
        if not prefix:
            return entity
        if entity.start < prefix:
            entity.field = "title"
            return entity
        entity.start -= prefix
        entity.end -= prefix
        return entity


def _labels(evidence: Evidence) -> list[str]:
    out: list[str] = []
    for label, _, _ in evidence:
        if label not in out:
            out.append(label)
    return out


def _key(paths: Iterable[Path | str] | None) -> tuple[str, ...] | None:
    if paths is None:
        return None
    return tuple(str(Path(p).resolve()) for p in paths)


@lru_cache(maxsize=8)
def _cached_engine(key: tuple[str, ...] | None) -> Engine:
    return Engine(load_rules(key))


def load_engine(paths: Iterable[Path | str] | None = None) -> Engine:
    """The engine over rules/packs/*.yaml (or the given files/directories), cached per process.

    Raises `rules.loader.RulePackError` (a UserError) listing every problem of invalid packs.
    """
    return _cached_engine(_key(paths))
