"""The risk levels of a page, a hit and a site: defined once, used everywhere."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """How strongly a page, hit or site points to fraud (a ``str``: ``Level.HIGH == "high"``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


#: Most severe first: the order of report tables and summaries.
LEVELS: tuple[Level, ...] = (Level.HIGH, Level.MEDIUM, Level.LOW, Level.NONE)
#: Levels that count as fraud (a finding for review and the takedown list).
FRAUD_LEVELS: frozenset[Level] = frozenset({Level.HIGH, Level.MEDIUM})

_RANK = {Level.NONE: 0, Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3}


def rank(level: str | None) -> int:
    """0 for none (or anything unknown) up to 3 for high: for sorting and comparing."""
    return _RANK.get(level, 0)  # type: ignore[call-overload]


def is_fraud(level: str | None) -> bool:
    """True for the levels a reviewer must look at (high, medium)."""
    return level in FRAUD_LEVELS


#: What reviewers read (report.html, explanations, exports).
LEVEL_NAMES_ZH: dict[str, str] = {
    Level.HIGH: "高",
    Level.MEDIUM: "中",
    Level.LOW: "低",
    Level.NONE: "无",
}
