"""The engine: rules compiled once into one automaton and checks over its pattern indexes; a
page is normalised once, matched once, and only the rules whose terms occurred are evaluated,
block by block (rules.blockscan), scored and explained.

    engine = load_engine()               # default packs, cached per process
    result = engine.scan_blocks(page.blocks, url=url)
    result = engine.scan(text, title="", url="")   # a plain text: one paragraph block
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, reduce
from operator import or_
from pathlib import Path

from ground.blocks import Block, BlockKind
from rules.blockscan import PageScan
from rules.context import ContextVerdict, judge_context
from rules.entities import AUTOMATON_CUES
from rules.layout import Layout
from rules.lexicon import Lexicon, load_lexicon
from rules.lexicons import NamedLexicon, load_lexicons
from rules.loader import Rule, load_rules, taxonomy
from rules.matcher import TermMatcher
from rules.normalise import normalise, normalise_term
from rules.pagestate import PageState
from rules.plan import AnyCheck, AnyOfCheck, Check, Compiler, set_bits
from rules.result import ScanResult
from rules.scoring import (
    DEFAULT_SCORING,
    ScoringConfig,
)
from rules.textmodel import DEFAULT_MODEL_CONFIG, ModelConfig, TextModel, load_text_model
from rules.words import BoundaryChecker

#: Lexicons of the voices no solicitation speaks in: where no rule fired, the text model stays
#: silent in a section that has one of their words (rules.blockscan.PageScan._excused).
VOICE_LEXICONS = ("victim_voice", "article_voice")
#: Lexicons of the ways a post hands over a channel (私我, 企鹅, 飞机@…): with ``signal_words``,
#: the text model also reads a section where one stands.
CONTACT_CUE_LEXICONS = ("private_handoff_cues",)


def _normalised_terms(lexicons: dict[str, NamedLexicon], names: tuple[str, ...]) -> set[str]:
    """The terms of the named lexicons, normalised as page text is."""
    found = (normalise_term(word) for name in names for word in lexicons[name].terms)
    return {term for term in found if term}


CONTACT_ENTITIES = frozenset({"phone", "qq", "qq_group", "wechat", "telegram", "apk", "url"})
MONEY_ENTITIES = frozenset({"bank_card", "usdt_trc20", "usdt_erc20"})
DEFAULT_MAX_CHARS = 2_000_000  # ~6 MB of Chinese; the crawler keeps 5 MB bodies at most
_FEW_RULES = 16  # up to this many rules, candidates are checked clause by clause


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
        model: TextModel | None = None,
        model_config: ModelConfig = DEFAULT_MODEL_CONFIG,
    ) -> None:
        self.rules = list(rules)
        # the second signal (rules.textmodel): None scans with the rules alone
        self.model = model
        self.model_config = model_config
        self.category_names = taxonomy()
        self.lexicon = lexicon or load_lexicon()
        self.scoring = scoring
        self.max_chars = max_chars
        # entity cues ride along: the extractors then skip the finds of cues the page lacks
        terms: set[str] = set(self.lexicon.terms()) | AUTOMATON_CUES
        lexicons = load_lexicons()
        voice_terms = _normalised_terms(lexicons, VOICE_LEXICONS)
        cue_terms = _normalised_terms(lexicons, CONTACT_CUE_LEXICONS)
        terms |= voice_terms | cue_terms
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
        self._signal_words = frozenset().union(*(w for _, w in self._signal_sources.values()))
        self._context_indexes = index(self.lexicon.anti_fraud.words)
        # the voices no solicitation speaks in (rules.blockscan: where the model stays silent)
        self._voice_indexes = index(voice_terms)
        self._contact_cue_indexes = index(cue_terms)
        self.rule_versions: dict[str, int] = {r.id: r.version for r in self.rules}
        if model is not None:
            # the model's hits carry rule ids too: a new model is a new rule set
            for category in model.classes:
                self.rule_versions[f"model.{category}"] = model.version
        digest = hashlib.sha1(
            "\n".join(f"{rid}:{ver}" for rid, ver in sorted(self.rule_versions.items())).encode()
        )
        self.fingerprint: str = digest.hexdigest()[:12]

    # --- scanning ------------------------------------------------------------------------

    def scan_blocks(self, blocks: Sequence[Block], url: str = "") -> ScanResult:
        """Scan a page given as blocks (``ground.blocks``; rules.layout says how they are read).
        Hits and entities carry their block's kind as ``field`` and offsets into the page text
        the blocks were cut from (``block.start`` + the offset inside the block)."""
        layout = Layout.of(blocks, self.max_chars)
        total = sum(len(b.text) for b in blocks if b.text.strip())
        truncated_at = self.max_chars if total > self.max_chars else None
        return PageScan(self, layout, url).result(truncated_at)

    def scan(self, text: str, title: str = "", url: str = "") -> ScanResult:
        """Scan a plain text (one paragraph block) with an optional title; offsets point into
        ``text`` (``field`` "paragraph") or into ``title`` (``field`` "title")."""
        return self.scan_blocks(text_blocks(text, title), url)

    def context(self, text: str, url: str = "") -> ContextVerdict:
        """The anti-fraud context verdict of a text on its own (whether or not rules fire)."""
        nt = normalise(text[: self.max_chars])
        page = PageState(self, nt, self.matcher.scan(nt.text, self._grouped), [])
        return judge_context(page.context_terms(), self.lexicon.anti_fraud, url)

    def live_rules(self, state: PageState) -> int:
        """The rules (as bits) that may fire in a stretch of a page: their clauses occur in it
        and their ``unless`` does not hold on it. The parts of the ``unless`` blocks are decided
        widest first, each once, and one that holds settles every rule that has it; the broad
        parts a set look-up decides come even before candidates are picked."""
        verdict = state.strict_verdict
        live = self._all_rules
        for part, rules in self._broad_parts:
            if verdict(part):
                live &= ~rules
        live = self._candidates_among(live, state.present_indexes, state.candidate_rules)
        for part, rules in self._unless_parts:
            if not live:
                break
            if rules & live and verdict(part):
                live &= ~rules
        return live

    def _candidates(self, present: set[str]) -> list[int]:
        """Rules worth evaluating on a page with these terms (by rule index)."""
        index = self.matcher.index
        return self._candidate_indexes({index[t] for t in present if t in index})

    def _candidate_indexes(self, present: set[int]) -> list[int]:
        satisfied = reduce(or_, map(self._term_bits.__getitem__, present), 0)
        missing = self._all_clauses ^ satisfied  # (one int for all rules, not one per rule)
        return [i for i, need in enumerate(self._needs) if not need & missing]

    def candidate_bits(self, present: set[int]) -> int:
        """The candidate rules (as bits) of a stretch with these terms (by pattern index)."""
        return sum(1 << i for i in self._candidate_indexes(present))

    def _candidates_among(
        self, rules: int, present: set[int], all_candidates: Callable[[], int]
    ) -> int:
        """The candidate rules among ``rules`` (bits). A few are checked clause by clause; for
        more, ``all_candidates`` gives the candidates among all rules (worked out for all rules
        at once, and once for a stretch of a page)."""
        if rules.bit_count() > _FEW_RULES:
            return rules & all_candidates()
        plan = self._plan
        for rule_index in set_bits(rules):
            required = plan[rule_index][0]
            if required is not None and any(c.isdisjoint(present) for c in required):
                rules ^= 1 << rule_index
        return rules


def _any_of_parts(check: Check) -> list[Check]:
    """The parts of an any_of block, nested any_of blocks taken apart (any_of[any_of[a, b], c]
    holds exactly when one of a, b, c does)."""
    if type(check) is not AnyOfCheck:
        return [check]
    return [part for child in check.children for part in _any_of_parts(child)]


def text_blocks(text: str, title: str = "") -> list[Block]:
    """A plain text as blocks: the title (if any) and the text as one paragraph, each with
    offsets into itself."""
    blocks = [Block(BlockKind.PARAGRAPH, text or "", 0, len(text or ""))]
    title = (title or "").strip()
    if title:
        blocks.insert(0, Block(BlockKind.TITLE, title, 0, len(title)))
    return blocks


def _key(paths: Iterable[Path | str] | None) -> tuple[str, ...] | None:
    if paths is None:
        return None
    return tuple(str(Path(p).resolve()) for p in paths)


@lru_cache(maxsize=8)
def _cached_engine(key: tuple[str, ...] | None, model: bool) -> Engine:
    return Engine(load_rules(key), model=load_text_model() if model else None)


def load_engine(paths: Iterable[Path | str] | None = None, *, model: bool | None = None) -> Engine:
    """The engine over rules/packs/*.yaml (or the given files/directories), cached per process;
    with the text model as second signal when ``model`` says so (None: the ``rules_model``
    setting).

    Raises `rules.errors.RulePackError` listing every problem of invalid packs.
    """
    if model is None:
        from ground.settings import get_settings

        model = get_settings().rules_model
    return _cached_engine(_key(paths), model)
