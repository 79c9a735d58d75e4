"""The engine: normalise once, match once, evaluate only the rules whose terms occurred, score,
explain.

    engine = load_engine()               # default packs, cached per process
    result = engine.scan(text, title="", url="")
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache, reduce
from operator import or_
from pathlib import Path

from rules.conditions import MAX_CHECKED, Evidence, Span
from rules.context import ContextVerdict, judge_context
from rules.entities import AUTOMATON_CUES, extract
from rules.explain import ENTITY_NAMES, reasons, snippet
from rules.lexicon import Lexicon, load_lexicon
from rules.loader import Rule, load_rules
from rules.matcher import PageMatches, TermMatcher
from rules.normalise import NormalisedText, normalise
from rules.plan import AnyCheck, AnyOfCheck, Check, Compiler
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
MAX_EVIDENCE_SPAN = 300  # evidence further apart than this is shown by its first part only
_FEW_RULES = 16  # up to this many rules, candidates are checked clause by clause


class PageState:
    """Everything known about one page while rules are evaluated.

    Two views of the same facts: by pattern index for the compiled checks (rules.plan), by term
    for the conditions that work out a firing rule's evidence (rules.conditions.PageView, always
    strict). Everything is computed on first use and kept for the page.
    """

    __slots__ = (
        "_engine",
        "_present_terms",
        "_regex",
        "_signals",
        "_unless",
        "_word_at",
        "_word_span",
        "entities",
        "matches",
        "nt",
        "present_indexes",
        "spans_at",
        "strict",
        "text",
    )

    def __init__(
        self, engine: Engine, nt: NormalisedText, matches: PageMatches, entities: list[Entity]
    ) -> None:
        self._engine = engine
        self.nt = nt
        self.text = nt.text
        self.matches = matches
        self.spans_at = matches.spans  # every occurrence of a term, by pattern index
        self.present_indexes = matches.present
        self.entities = entities
        # evidence is only worked out for rules that fire, always with word boundaries checked
        self.strict = True
        self._present_terms: set[str] | None = None
        self._regex: dict[re.Pattern[str], re.Match[str] | None] = {}
        self._signals: dict[str, Evidence] = {}
        self._unless: dict[Check, bool] = {}
        self._word_at: dict[Span, bool] = {}
        self._word_span: dict[int, Span | None] = {}

    # --- by pattern index (rules.plan) ---------------------------------------------------

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
        found = self._regex[regex] = regex.search(self.text)
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
        # entity cues ride along: the extractors then skip the finds of cues the page lacks
        terms: set[str] = set(self.lexicon.terms()) | AUTOMATON_CUES
        checked: set[str] = set()
        for rule in self.rules:
            terms |= rule.match.terms()
            checked |= rule.match.checked_terms()
            if rule.unless is not None:
                terms |= rule.unless.terms()
                checked |= rule.unless.checked_terms()
        self.boundaries = boundaries or BoundaryChecker(vocabulary=sorted(checked))
        self.matcher = TermMatcher(terms)
        index = self.matcher.indexes
        self._cue_indexes = tuple((cue, self.matcher.index[cue]) for cue in sorted(AUTOMATON_CUES))
        # Per rule, in rule order: the clauses that must all occur on the page (each a set of
        # term indexes, one of which must be present; narrowest first; None when the rule can
        # hold without any term), then its compiled match and unless checks.
        compiler = Compiler(self.matcher.index.__getitem__)
        self._plan: list[tuple[tuple[frozenset[int], ...] | None, Check, Check | None]] = []
        for rule in self.rules:
            clauses = rule.match.triggers()
            required = (
                None if clauses is None else tuple(index(c) for c in sorted(set(clauses), key=len))
            )
            unless = compiler.compile(rule.unless) if rule.unless is not None else None
            self._plan.append((required, compiler.compile(rule.match), unless))
        self._grouped = frozenset(compiler.near_terms)
        # The same clauses as bits, to pick a page's candidate rules without a loop over every
        # clause: bit k of term_bits[i] says that term i satisfies clause k; a rule is a
        # candidate when the bits of all its clauses are among the page's satisfied ones.
        clause_bit: dict[frozenset[int], int] = {}
        self._term_bits: list[int] = [0] * len(self.matcher)
        self._needs: list[int] = []
        for required, _, _ in self._plan:
            need = 0
            for clause in required or ():
                bit = clause_bit.get(clause)
                if bit is None:
                    bit = clause_bit[clause] = 1 << len(clause_bit)
                    for term in clause:
                        self._term_bits[term] |= bit
                need |= bit
            self._needs.append(need)
        self._all_clauses = (1 << len(clause_bit)) - 1
        # The parts of the `unless` blocks (each block is any_of them), with the rules (as
        # bits) whose block has each part, widest first: on a page, one part that holds (the
        # anti-fraud wording most rules share) settles the `unless` of every rule that has it.
        covers: dict[Check, int] = {}
        for rule_index, (_, _, unless) in enumerate(self._plan):
            if unless is not None:
                for part in _any_of_parts(unless):
                    covers[part] = covers.get(part, 0) | 1 << rule_index
        self._unless_parts = sorted(covers.items(), key=lambda item: -item[1].bit_count())
        # Parts that half the rules or more share and that a set look-up decides (any of some
        # terms, none needing a word check: the app-store and "we never ask you to" wording):
        # asked first on every page, they often leave a handful of rules to pick candidates from.
        self._all_rules = (1 << len(self.rules)) - 1
        self._broad_parts = [
            (part, rules)
            for part, rules in self._unless_parts
            if type(part) is AnyCheck
            and not part.checked
            and 2 * rules.bit_count() >= len(self.rules)
        ]
        self._signal_sources = {
            "contact": (CONTACT_ENTITIES, index(self.lexicon.contact_words)),
            "money": (MONEY_ENTITIES, index(self.lexicon.money_words)),
        }
        self._context_indexes = index(self.lexicon.anti_fraud.words)
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
        matches = self.matcher.scan(nt.text, self._grouped)
        present = matches.present
        entities = extract(nt, {cue for cue, i in self._cue_indexes if i in present})
        page = PageState(self, nt, matches, entities)

        hits = list(self._evaluate(page, text, title, prefix))
        relocated = [self._relocate_entity(e, prefix) for e in entities]
        if not hits:
            # no hit, no score: context and signals only ever explain hits
            return ScanResult(
                entities=relocated,
                reasons=reasons(
                    hits=hits,
                    raw_score=0.0,
                    score=0.0,
                    level="none",
                    contact=[],
                    money=[],
                    factor=1.0,
                    context=ContextVerdict(),
                    truncated_at=truncated_at,
                    config=self.scoring,
                ),
            )
        context = judge_context(page.context_terms(), self.lexicon.anti_fraud, url)
        contact = page.signal("contact")
        money = page.signal("money")
        factor = boost_factor(bool(contact), bool(money), self.scoring)
        raw_score = combine([h.weight for h in hits], factor, self.scoring)
        score = round(raw_score * context.damping, 1)
        level = level_for(score, self.scoring)
        return ScanResult(
            score=score,
            level=level,
            categories=rank_categories(hits),
            hits=hits,
            entities=relocated,
            context=[context.label] if context.label else [],
            reasons=reasons(
                hits=hits,
                raw_score=raw_score,
                score=score,
                level=level,
                contact=_labels(contact),
                money=_labels(money),
                factor=factor,
                context=context,
                truncated_at=truncated_at,
                config=self.scoring,
            ),
        )

    def context(self, text: str, url: str = "") -> ContextVerdict:
        """The anti-fraud context verdict of a page on its own (whether or not rules fire)."""
        nt = normalise(text[: self.max_chars])
        page = PageState(self, nt, self.matcher.scan(nt.text, self._grouped), [])
        return judge_context(page.context_terms(), self.lexicon.anti_fraud, url)

    def _candidates(self, present: set[str]) -> list[int]:
        """Rules worth evaluating on a page with these terms (by rule index)."""
        index = self.matcher.index
        return self._candidate_indexes({index[t] for t in present if t in index})

    def _candidate_indexes(self, present: set[int]) -> list[int]:
        satisfied = reduce(or_, map(self._term_bits.__getitem__, present), 0)
        missing = self._all_clauses ^ satisfied  # (one int for all rules, not one per rule)
        return [i for i, need in enumerate(self._needs) if not need & missing]

    def _candidates_among(self, rules: int, present: set[int]) -> int:
        """The candidate rules among ``rules`` (bits). A few are checked clause by clause; for
        more, the clauses satisfied on the page are worked out for all rules at once."""
        if rules.bit_count() > _FEW_RULES:
            return rules & sum(1 << i for i in self._candidate_indexes(present))
        plan = self._plan
        for rule_index in _set_bits(rules):
            required = plan[rule_index][0]
            if required is not None and any(c.isdisjoint(present) for c in required):
                rules ^= 1 << rule_index
        return rules

    def _evaluate(self, page: PageState, text: str, title: str, prefix: int) -> Iterable[Hit]:
        # Whether a rule fires is decided on pattern indexes: its `unless` (strict; on most
        # pages where a rule's terms occur it is what keeps the rule quiet, so it comes first:
        # the parts of the blocks are decided widest first, each once, and one that holds
        # settles every rule that has it; the broad parts a set look-up decides even before
        # candidates are picked), its clauses, its match on raw occurrences (cheap), and only
        # then the evidence, with word boundaries checked. That order differs from "match
        # strictly, then unless", but every step is a pure verdict on the page and all of them
        # must agree for a hit, so the hits are the same.
        verdict = page.strict_verdict
        live = self._all_rules  # rules that may fire (as bits), narrowed down step by step
        for part, rules in self._broad_parts:
            if verdict(part):
                live &= ~rules
        live = self._candidates_among(live, page.present_indexes)
        for part, rules in self._unless_parts:
            if not live:
                return
            if rules & live and verdict(part):
                live &= ~rules
        plan = self._plan
        for rule_index in _set_bits(live):
            match = plan[rule_index][1]
            if not match.holds(page):
                continue
            rule = self.rules[rule_index]
            evidence = rule.match.evaluate(page)
            if evidence is None:
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


def _set_bits(mask: int) -> Iterable[int]:
    """Indexes of the bits set in ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _any_of_parts(check: Check) -> list[Check]:
    """The parts of an any_of block, nested any_of blocks taken apart (any_of[any_of[a, b], c]
    holds exactly when one of a, b, c does)."""
    if type(check) is not AnyOfCheck:
        return [check]
    return [part for child in check.children for part in _any_of_parts(child)]


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

    Raises `rules.errors.RulePackError` listing every problem of invalid packs.
    """
    return _cached_engine(_key(paths))
