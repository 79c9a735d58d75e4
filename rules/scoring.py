"""From hits to a page score (0–100), a level and categories.

Each hit contributes its rule's weight; weights combine like independent pieces of evidence
(``1 - Π(1 - w/100)``), so two medium hits outweigh one but nothing passes 100. A page that also
gives a contact channel or a money instruction is what turns scam wording into a scam: the
weights are multiplied by ``signal_boost`` for each of the two. Anti-fraud context damps the
result (rules.context). All of this is per section of the page (rules.layout); the page's score
is its strongest section's, corroborated by the others (:func:`corroborate`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ground.levels import Level
from rules.result import Hit


@dataclass(frozen=True, kw_only=True)
class ScoringConfig:
    high: float = 70.0  # score at or above → high
    medium: float = 40.0  # at or above → medium (high and medium are "flagged")
    signal_boost: float = 0.3  # +30 % of each hit's weight per signal (contact, money)
    max_hit_weight: float = 95.0  # one hit alone never makes a certainty
    corroboration: float = 0.5  # share of another section's score that adds to the strongest
    quoted_damping: float = 0.4  # a section whose evidence is all inside quotations (rules.voice)


DEFAULT_SCORING = ScoringConfig()


def boost_factor(contact: bool, money: bool, config: ScoringConfig = DEFAULT_SCORING) -> float:
    return 1.0 + config.signal_boost * (int(contact) + int(money))


def combine(weights: list[float], factor: float, config: ScoringConfig = DEFAULT_SCORING) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - min(weight * factor, config.max_hit_weight) / 100.0
    return 100.0 * (1.0 - remaining)


def corroborate(scores: list[float], config: ScoringConfig = DEFAULT_SCORING) -> float:
    """A page's score from its sections' scores: the strongest, raised by each other section
    that also scores (a second spam post, the title of a landing page), at ``corroboration`` of
    its weight — many weak sections never add up to a strong page."""
    ordered = sorted(scores, reverse=True)
    if not ordered:
        return 0.0
    remaining = 1.0 - ordered[0] / 100.0
    for score in ordered[1:]:
        remaining *= 1.0 - config.corroboration * score / 100.0
    return 100.0 * (1.0 - remaining)


def level_for(score: float, config: ScoringConfig = DEFAULT_SCORING) -> str:
    if score >= config.high:
        return Level.HIGH
    if score >= config.medium:
        return Level.MEDIUM
    if score > 0:
        return Level.LOW
    return Level.NONE


def rank_categories(hits: list[Hit]) -> list[str]:
    """Categories by their strongest hit, then by the total weight of their hits.

    The strongest single rule decides: a category whose rules are many and overlapping (several
    generic investment rules all firing on one dialogue) must not outvote the one specific rule
    that says what the page is (a dating contact steering to a "platform" is 杀猪盘). The total
    breaks ties between equally strong hits.
    """
    best: dict[str, float] = defaultdict(float)
    totals: dict[str, float] = defaultdict(float)
    for hit in hits:
        best[hit.category] = max(best[hit.category], hit.weight)
        totals[hit.category] += hit.weight
    return [c for c in sorted(totals, key=lambda c: (-best[c], -totals[c], c))]
