"""One page through the engine, block by block (the layout: rules.layout).

1. The page's blocks are joined into one scan text, normalised once and matched once by the
   shared automaton; entities are extracted once.
2. Candidate rules are those whose required terms all occur somewhere on the page.
3. For each candidate, its conditions are decided inside one run at a time — inside a window of
   ``WINDOW`` characters around an occurrence of its anchor terms when the run is long — and its
   ``unless`` block on the run's section. Words scattered across the page never make a hit.
4. Each section with hits gets a score (its hits' weights, raised when the section gives a
   contact or a money instruction, lowered when its context is a warning or a report); the
   page's score is its strongest section's, corroborated by the others.

A rule gives at most one hit per page: where it scores best (a section that solicits wins over a
section that quotes the words in a warning), first in page order among equals.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ground.blocks import BlockKind
from rules.conditions import Evidence
from rules.context import ContextVerdict, judge_context
from rules.entities import extract
from rules.explain import reasons, snippet
from rules.layout import Layout
from rules.normalise import NormalisedText, normalise
from rules.pagestate import PageState
from rules.plan import set_bits
from rules.result import Entity, Hit, ScanResult
from rules.scoring import boost_factor, combine, corroborate, level_for, rank_categories
from rules.stance import shapes_of
from rules.textmodel import (
    IDENTIFYING_SIGNALS,
    ModelConfig,
    ModelVerdict,
    model_text_same_length,
)
from rules.voice import echoes, reported_speech

if TYPE_CHECKING:
    from rules.engine import Engine
    from rules.loader import Rule

#: Evidence of one hit in a long run lies within this many characters around an anchor.
WINDOW = 600
#: Occurrences of a rule's anchor terms tried, per rule and page (the first in page order).
MAX_ANCHORS = 24
MAX_EVIDENCE_SPAN = 300  # evidence further apart than this is shown by its first part only
#: entities after which a section's closing question is a pitch's, not a reader's (rules.stance)
CONTACT_TYPES = IDENTIFYING_SIGNALS | {"url"}
LINK_TYPES = frozenset({"url", "apk"})  # where a section sends its reader (rules.stance)


@dataclass(frozen=True, slots=True)
class Unit:
    """Where one rule's conditions are decided: a run, or a window of a long one."""

    lo: int  # normalised offsets
    hi: int
    section: int
    kind: str  # the run's kind (rules.layout.Run.kind)
    run_chars: int  # the run's length (normalised)


@dataclass
class SectionVerdict:
    """What a section contributes: the rules that fired in it (rule index → evidence)."""

    fired: dict[int, Evidence] = field(default_factory=dict)
    context: ContextVerdict = field(default_factory=ContextVerdict)
    factor: float = 1.0
    contact: Evidence = field(default_factory=list)
    money: Evidence = field(default_factory=list)
    raw_score: float = 0.0
    score: float = 0.0
    #: the text model's hit in this section (rules.textmodel), when it spoke
    model: ModelHit | None = None
    #: the text model's reading when it found the section unlike fraud (it lowers the score)
    doubt: ModelVerdict | None = None
    #: every piece of the rules' evidence lies inside quotations (rules.voice)
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class ModelHit:
    """What the text model said about one window of a section (normalised offsets)."""

    verdict: ModelVerdict
    lo: int
    hi: int
    alone: bool = False  # read where neither a rule nor a signal spoke (ModelConfig.alone)


def to_normalised(nt: NormalisedText, position: int) -> int:
    """The first normalised offset whose original offset is at or after ``position``."""
    return bisect_left(range(len(nt.text) + 1), position, key=nt.to_original)


class PageScan:
    def __init__(self, engine: Engine, layout: Layout, url: str) -> None:
        self.engine = engine
        self.layout = layout
        self.url = url
        nt = normalise(layout.text)
        matches = engine.matcher.scan(nt.text, engine._grouped)
        present = matches.present
        cues = {cue for cue, i in engine._cue_indexes if i in present}
        self.nt = nt
        self.page = PageState(engine, nt, matches, extract(nt, cues))
        self.sections = [
            (to_normalised(nt, s.start), to_normalised(nt, s.end)) for s in layout.sections
        ]
        self.runs = [
            (to_normalised(nt, r.start), to_normalised(nt, r.end), r.section, str(r.kind))
            for r in layout.runs
        ]
        self._run_starts = [run[0] for run in self.runs]
        self._section_states: dict[int, PageState] = {}
        self._contexts: dict[int, ContextVerdict] = {}
        self._near_misses: dict[int, tuple[frozenset[str], int] | None] = {}
        self._candidates = True  # some rule's terms all stand on the page (evaluate)
        self._unit_states: dict[tuple[int, int], PageState] = {}

    # --- views --------------------------------------------------------------------------

    def section_state(self, index: int) -> PageState:
        state = self._section_states.get(index)
        if state is None:
            state = self._section_states[index] = self.page.view(*self.sections[index])
        return state

    def section_context(self, index: int) -> ContextVerdict:
        """The section's stance: its context words (rules.context) and its shape
        (rules.stance)."""
        context = self._contexts.get(index)
        if context is None:
            state = self.section_state(index)
            start, end = self._voice_span(index)
            text = self.layout.text[start:end]
            contacts = [e for e in state.entities if e.type in CONTACT_TYPES]
            links = [e.value for e in state.entities if e.type in LINK_TYPES]
            context = self._contexts[index] = judge_context(
                state.context_terms(),
                self.engine.lexicon.anti_fraud,
                self.url,
                shapes_of(
                    text,
                    [e.start - start for e in contacts if e.start >= start],
                    [e.type for e in contacts],
                    title=self.layout.text[self.layout.sections[index].start : start],
                    links=links,
                ),
            )
        return context

    def _voice_span(self, index: int) -> tuple[int, int]:
        """The stretch of the scan text whose shape tells the section's stance: the section
        without its title (a planted search title is not the post's first words)."""
        section = self.layout.sections[index]
        layout = self.layout
        block = layout.block_at(section.start)
        while (
            block + 1 < len(layout.blocks)
            and layout.blocks[block].kind == BlockKind.TITLE
            and layout.starts[block + 1] < section.end
        ):
            block += 1
        return max(section.start, layout.starts[block]), section.end

    def unit_state(self, unit: Unit) -> PageState:
        key = (unit.lo, unit.hi)
        state = self._unit_states.get(key)
        if state is None:
            state = self._unit_states[key] = self.page.view(unit.lo, unit.hi)
        return state

    def units_for(
        self, required: tuple[frozenset[int], ...] | None, section: int, rule: Rule
    ) -> list[Unit]:
        """Where in ``section`` a rule may fire: around the occurrences of its narrowest
        required clause's terms (every run when it requires no term), in the runs its
        ``blocks`` and ``max_block_chars`` allow."""
        lo_s, hi_s = self.sections[section]
        allowed = rule.blocks
        longest = rule.max_block_chars

        def fits(lo: int, hi: int, kind: str) -> bool:
            return kind in allowed and (longest is None or hi - lo <= longest)

        if not required:
            return [
                Unit(lo, hi, s, kind, hi - lo)
                for lo, hi, s, kind in self.runs
                if s == section and fits(lo, hi, kind)
            ]
        page = self.page
        starts: list[tuple[int, int]] = []
        for index in required[0] & page.present_indexes:
            spans = page.spans_at(index)
            first = bisect_left(spans, (lo_s, 0))
            starts.extend(spans[first : first + MAX_ANCHORS])
        starts.sort()
        units: dict[tuple[int, int], Unit] = {}
        last = -WINDOW
        for start, end in starts:
            if start >= hi_s or len(units) >= MAX_ANCHORS:
                break
            slot = bisect_right(self._run_starts, start) - 1
            lo, hi, _, kind = self.runs[slot]
            if end > hi or not fits(lo, hi, kind):
                continue  # over the gap between two blocks, or where the rule does not apply
            length = hi - lo
            if length > WINDOW:
                if lo <= last and start - last < WINDOW // 4:
                    continue  # nearly the window of the anchor before, in the same run
                last = start
                half = WINDOW // 2
                lo, hi = max(lo, start - half), min(hi, end + half)
            units.setdefault((lo, hi), Unit(lo, hi, section, kind, length))
        return list(units.values())

    def _clauses_within(self, required: tuple[frozenset[int], ...], lo: int, hi: int) -> bool:
        """Whether every required clause has a term occurring inside ``[lo, hi)`` (asked before
        a window's view is built: most windows fail here)."""
        page = self.page
        for clause in required:
            for index in clause & page.present_indexes:
                spans = page.spans_at(index)
                at = bisect_left(spans, (lo, 0))
                if at < len(spans) and spans[at][1] <= hi:
                    break
            else:
                return False
        return True

    # --- evaluation ---------------------------------------------------------------------

    def evaluate(self) -> dict[int, SectionVerdict]:
        engine = self.engine
        verdicts: dict[int, SectionVerdict] = {}
        self._candidates = bool(self.page.candidate_rules())
        if len(self.sections) == 1 or self._candidates:
            self._fire_rules(verdicts)  # (no rule's terms anywhere: no section needs a look)
        if engine.model is not None:
            self._ask_model(verdicts)
        for section, verdict in verdicts.items():
            self._score(section, verdict)
        self._echo_main_voice(verdicts)
        return verdicts

    def _echo_main_voice(self, verdicts: dict[int, SectionVerdict]) -> None:
        """A meta description that repeats the page's main text takes the main text's stance
        when that damps more (rules.voice)."""
        kinds = self.layout.sections
        main = next(
            (i for i, s in enumerate(kinds) if s.kind in (BlockKind.PARAGRAPH, BlockKind.HEADING)),
            None,
        )
        if main is None:
            return
        for section, verdict in verdicts.items():
            if kinds[section].kind not in (BlockKind.META_DESCRIPTION, BlockKind.META_KEYWORDS):
                continue
            context = self.section_context(main)
            if context.damping >= verdict.context.damping:
                continue
            lo, hi = self.sections[section]
            main_lo, main_hi = self.sections[main]
            if echoes(self.nt.text[lo:hi], self.nt.text[main_lo:main_hi]):
                verdict.context = context
                self._rescore(verdict)

    def _fire_rules(self, verdicts: dict[int, SectionVerdict]) -> None:
        engine = self.engine
        plan = engine._plan
        for section in range(len(self.sections)):
            state = self.section_state(section)
            if not state.present_indexes and not state.entities:
                continue
            for rule_index in set_bits(engine.live_rules(state)):
                required, match, _ = plan[rule_index]
                if match.monotone and not match.holds(state):
                    continue  # nowhere in the section, so in no stretch of it
                rule = engine.rules[rule_index]
                for unit in self.units_for(required, section, rule):
                    if required and not self._clauses_within(required, unit.lo, unit.hi):
                        continue
                    unit_state = self.unit_state(unit)
                    if not match.holds(unit_state):
                        continue
                    evidence = rule.match.evaluate(unit_state)
                    if evidence is not None:
                        verdicts.setdefault(section, SectionVerdict()).fired[rule_index] = evidence
                        break

    def _ask_model(self, verdicts: dict[int, SectionVerdict]) -> None:
        """The text model reads a window of each section of a content kind where a rule fired
        (and, when configured, where only a contact entity or a channel-handing cue stands, at
        a higher bar, or, at a higher bar still, where a rule's terms all stand but its
        conditions do not hold: it adds to evidence, it finds it alone only when very sure),
        around that evidence. Confident of fraud, it adds
        its hit; confident of the contrary (when configured), it lowers the section's score."""
        config = self.engine.model_config
        asks: list[tuple[int, int, int, float]] = []  # (priority, section, anchor, threshold)
        quiet: list[int] = []  # content sections where neither a rule nor a signal spoke
        for section in range(len(self.sections)):
            if self.layout.sections[section].kind not in config.kinds:
                continue
            verdict = verdicts.get(section)
            if verdict is not None:
                anchor = min(s for ev in verdict.fired.values() for _, s, e in ev if e > s)
                asks.append((0, section, anchor, config.threshold))
                continue
            found = self._signal_anchors(section)
            if found is None:  # (a warning's, a report's or a victim's voice)
                continue
            if found:
                threshold = config.signal_threshold or config.threshold
                asks.append((1, section, min(found), threshold))
            elif config.alone is not None and self._candidates:
                quiet.append(section)  # (no rule's terms all on the page: no near miss)
        alone = config.alone
        for section in quiet:  # (in page order, only while windows are left)
            if alone is None or len(asks) >= config.max_windows:
                break
            near = self._near_miss(section)
            if near is not None:
                asks.append((2, section, near[1], alone))
        for priority, section, anchor, threshold in sorted(asks)[: config.max_windows]:
            near = self._near_miss(section) if priority == 2 else None
            self._ask(verdicts, section, anchor, threshold, near_misses=near and near[0])

    def _near_miss(self, section: int) -> tuple[frozenset[str], int] | None:
        """The categories of the rules whose terms all stand in a section and whose
        ``unless`` does not hold there (rules.engine.Engine.live_rules), and where the first of
        their anchor terms stands (None: no such rule): where the model may speak alone, and
        only for one of these categories. It confirms a near miss of the rules; it is not
        calibrated on every kind of text (a tech blog's Latin reads as phishing to it)."""
        if section in self._near_misses:
            return self._near_misses[section]
        engine, page = self.engine, self.page
        live = list(set_bits(engine.live_rules(self.section_state(section))))
        found = None
        if live:
            lo, hi = self.sections[section]
            starts = [hi]
            for rule_index in live:
                required = engine._plan[rule_index][0]
                for index in (required[0] & page.present_indexes) if required else ():
                    spans = page.spans_at(index)
                    at = bisect_left(spans, (lo, 0))
                    if at < len(spans) and spans[at][0] < hi:
                        starts.append(spans[at][0])
            anchor = min(starts) if len(starts) > 1 else lo
            found = (frozenset(engine.rules[i].category for i in live), anchor)
        self._near_misses[section] = found
        return found

    def _signal_anchors(self, section: int) -> list[int] | None:
        """Where the configured signals stand in a section no rule fired in (None: the section
        is excused for its stance, or no signal is configured and the model is not to speak
        alone)."""
        engine = self.engine
        config = engine.model_config
        if not (config.signals or config.signal_words or config.alone is not None):
            return None
        state = self.section_state(section)
        found = [e.norm_start for e in state.entities if e.type in config.signals]
        if config.signal_words:
            cues = state.present_indexes & engine._contact_cue_indexes
            found += [state.matches.first(i)[0] for i in sorted(cues)]
        if not found and (config.alone is None or not self._candidates):
            return None
        return None if self._excused(section) else found

    def _ask(
        self,
        verdicts: dict[int, SectionVerdict],
        section: int,
        anchor: int,
        threshold: float,
        *,
        near_misses: frozenset[str] | None = None,
    ) -> None:
        """The model's reading of the window of ``section`` around ``anchor`` (``near_misses``:
        in a section where neither a rule nor a signal spoke, the categories it may name)."""
        engine = self.engine
        model, config = engine.model, engine.model_config
        assert model is not None
        verdict = verdicts.get(section)
        lo, hi = self._window(section, anchor, config.window)
        said = model.score(self._model_window(lo, hi), explain=config.explain)
        alone = near_misses is not None
        if alone and said.category not in near_misses:
            return
        if said.probability >= threshold and len(said.features) >= config.min_evidence:
            if verdict is None:
                verdict = verdicts[section] = SectionVerdict()
            verdict.model = ModelHit(said, lo, hi, alone)
        elif verdict is not None and config.doubt is not None and said.probability < config.doubt:
            verdict.doubt = said

    def _excused(self, section: int) -> bool:
        """Whether the section speaks as a warning, a report or a victim: the model, which reads
        no stance that well, then does not speak where no rule did. With ``stance_excuse``,
        stance alone decides — the anti-fraud or report context (rules.context) or a word of
        the voice lexicons (a victim's story, an article's voice); otherwise any part of any
        rule's ``unless`` block does, a category's routing exclusions (走账 is no loan) too."""
        state = self.section_state(section)
        if not self.engine.model_config.stance_excuse:
            verdict = state.strict_verdict
            return any(verdict(part) for part, _ in self.engine._unless_parts)
        engine = self.engine
        if state.present_indexes & engine._voice_indexes:
            return True
        config = engine.lexicon.anti_fraud
        context = self.section_context(section)
        if context.label:
            return True
        # a warning that quotes the ad it warns about: the ad's words (script cues) pull the
        # context score down, but the warning's own words still say what the section is
        publicity = sum(config.words.get(word, 0.0) for word in context.words)
        return publicity >= config.partial

    def _model_window(self, lo: int, hi: int) -> str:
        """The window's text with its links blanked (same length): a site's URL says nothing
        of what the text solicits, and Latin n-grams lean towards phishing in training."""
        text = self.nt.text[lo:hi]
        for entity in self.page.entities:
            if entity.type == "url" and lo <= entity.norm_start and entity.norm_end <= hi:
                a, b = entity.norm_start - lo, entity.norm_end - lo
                text = text[:a] + " " * (b - a) + text[b:]
        return text

    def _window(self, section: int, anchor: int, width: int) -> tuple[int, int]:
        """At most ``width`` characters of the run that holds ``anchor``, around it."""
        slot = max(0, bisect_right(self._run_starts, anchor) - 1)
        lo, hi, _, _ = self.runs[slot]
        if hi - lo <= width:
            return lo, hi
        lo = max(lo, anchor - width // 3)
        return lo, min(hi, lo + width)

    def _score(self, section: int, verdict: SectionVerdict) -> None:
        engine = self.engine
        state = self.section_state(section)
        verdict.context = self.section_context(section)
        verdict.contact = state.signal("contact")
        if not verdict.contact and verdict.model is not None and engine.model_config.signal_words:
            # the channel a post hands over in words (私我, 企鹅, 飞机@…) is its contact, for
            # the model that was asked there for it
            patterns = engine.matcher.patterns
            cues = state.present_indexes & engine._contact_cue_indexes
            verdict.contact = sorted(
                ((patterns[i], *state.matches.first(i)) for i in cues), key=lambda c: c[1]
            )
        verdict.money = state.signal("money")
        verdict.factor = boost_factor(bool(verdict.contact), bool(verdict.money), engine.scoring)
        weights = [engine.rules[i].weight for i in verdict.fired]
        if verdict.model is not None:
            weights.append(_model_weight(verdict.model, engine.model_config))
        verdict.raw_score = combine(weights, verdict.factor, engine.scoring)
        lo, hi = self.sections[section]
        verdict.quoted = reported_speech(self.nt.text, lo, hi, verdict.fired.values())
        self._rescore(verdict)

    def _rescore(self, verdict: SectionVerdict) -> None:
        engine = self.engine
        verdict.score = verdict.raw_score * verdict.context.damping
        if self._doubted(verdict):
            verdict.score *= engine.model_config.doubt_damping
        if verdict.quoted:
            verdict.score *= engine.scoring.quoted_damping

    def _doubted(self, verdict: SectionVerdict) -> bool:
        config = self.engine.model_config
        return verdict.doubt is not None and verdict.context.score >= config.doubt_context

    # --- the result ---------------------------------------------------------------------

    def result(self, truncated_at: int | None = None) -> ScanResult:
        verdicts = self.evaluate()
        entities = [self._entity(e) for e in self.page.entities]
        engine = self.engine
        if not verdicts:
            return ScanResult(
                entities=entities,
                reasons=reasons(
                    hits=[],
                    raw_score=0.0,
                    score=0.0,
                    level="none",
                    contact=[],
                    money=[],
                    factor=1.0,
                    context=ContextVerdict(),
                    truncated_at=truncated_at,
                    config=engine.scoring,
                ),
            )
        # each rule's hit where it weighs most (least damped section), first in page order
        strength = {s: v.factor * v.context.damping for s, v in verdicts.items()}
        best: dict[int, int] = {}  # rule index -> section
        for section in sorted(verdicts):
            for rule_index in verdicts[section].fired:
                current = best.get(rule_index)
                if current is None or strength[section] > strength[current]:
                    best[rule_index] = section
        hits = [
            self._hit(engine.rules[i], verdicts[section].fired[i])
            for i, section in sorted(best.items())
        ]
        hits.extend(self._model_hits(verdicts, strength))
        ordered = sorted(verdicts.values(), key=lambda v: -v.score)
        top = ordered[0]
        score = round(corroborate([v.score for v in ordered]), 1)
        level = level_for(score, engine.scoring)
        damped = {v.context.label for v in verdicts.values() if v.context.label}
        said = reasons(
            hits=hits,
            raw_score=top.raw_score,
            score=score,
            level=level,
            contact=_labels(top.contact),
            money=_labels(top.money),
            factor=top.factor,
            context=top.context,
            truncated_at=truncated_at,
            config=engine.scoring,
        )
        if top.quoted:
            said.insert(
                len(said) - 1,
                f"命中的词都在引号里（转述别人的话），分数 ×{engine.scoring.quoted_damping:g}。",
            )
        if self._doubted(top):
            said.insert(
                len(said) - 1,
                f"文本模型认为这一段不像诈骗（概率 {top.doubt.probability:.2f}），分数"
                f" ×{engine.model_config.doubt_damping:g}。",
            )
        return ScanResult(
            score=score,
            level=level,
            categories=rank_categories(hits),
            hits=hits,
            entities=entities,
            context=sorted(damped) if top.context.label else [],
            reasons=said,
        )

    def _place(self, start: int, end: int) -> tuple[int, int, int]:
        """(block index, start, end) of a scan-text span, offsets within the block's text."""
        layout = self.layout
        block = layout.block_at(start)
        origin = layout.starts[block]
        length = len(layout.blocks[block].text)
        local_start = min(max(0, start - origin), length)
        local_end = min(max(local_start, end - origin), length)
        return block, local_start, local_end

    def _model_hits(
        self, verdicts: dict[int, SectionVerdict], strength: dict[int, float]
    ) -> list[Hit]:
        """One hit ``model.<category>`` per category the model named, from the section where
        it weighs most; its evidence is the window's strongest n-grams."""
        best: dict[str, int] = {}
        for section in sorted(verdicts):
            said = verdicts[section].model
            if said is None:
                continue
            current = best.get(said.verdict.category)
            if current is None or strength[section] > strength[current]:
                best[said.verdict.category] = section
        return [self._model_hit(verdicts[s].model) for _, s in sorted(best.items())]

    def _model_hit(self, said: ModelHit | None) -> Hit:
        assert said is not None
        engine = self.engine
        verdict = said.verdict
        folded = model_text_same_length(self.nt.text[said.lo : said.hi])
        evidence: Evidence = []
        for gram in verdict.features:
            at = folded.find(gram)
            if at >= 0:
                evidence.append((gram, said.lo + at, said.lo + at + len(gram)))
        if not evidence:  # (features are the window's own n-grams; whitespace may hide them)
            evidence.append((verdict.features[0], said.lo, said.lo))
        name = engine.category_names.get(verdict.category, verdict.category)
        model = engine.model
        assert model is not None
        return self._hit_of(
            rule_id=f"model.{verdict.category}",
            version=model.version,
            category=verdict.category,
            title=f"文本模型：像{name}（概率 {verdict.probability:.2f}）",
            level="medium",
            weight=_model_weight(said, engine.model_config),
            evidence=evidence[:1] + sorted(evidence[1:], key=lambda item: item[1]),
        )

    def _hit(self, rule: Rule, evidence: Evidence) -> Hit:
        return self._hit_of(
            rule_id=rule.id,
            version=rule.version,
            category=rule.category,
            title=rule.title,
            level=rule.level,
            weight=rule.weight,
            evidence=evidence,
        )

    def _hit_of(
        self,
        *,
        rule_id: str,
        version: int,
        category: str,
        title: str,
        level: str,
        weight: float,
        evidence: Evidence,
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
            start, end = self.nt.span(start, end)
        else:
            start = end = 0
        index, local_start, local_end = self._place(start, end)
        block = self.layout.blocks[index]
        return Hit(
            rule_id=rule_id,
            rule_version=version,
            category=category,
            title=title,
            level=level,
            weight=weight,
            matched=matched,
            start=block.start + local_start,
            end=block.start + local_end,
            snippet=snippet(block.text, local_start, local_end),
            field=str(block.kind),
        )

    def _entity(self, entity: Entity) -> Entity:
        index, local_start, local_end = self._place(entity.start, entity.end)
        block = self.layout.blocks[index]
        entity.start = block.start + local_start
        entity.end = block.start + local_end
        entity.field = str(block.kind)
        return entity


def _model_weight(said: ModelHit, config: ModelConfig) -> float:
    return config.alone_weight if said.alone else config.weight


def _labels(evidence: Iterable[tuple[str, int, int]]) -> list[str]:
    out: list[str] = []
    for label, _, _ in evidence:
        if label not in out:
            out.append(label)
    return out
