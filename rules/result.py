"""What a scan returns: entities, hits and the page verdict (the data contract of `rules/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ground.levels import is_fraud

ENTITY_TYPES = (
    "phone",
    "qq",
    "qq_group",
    "wechat",
    "bank_card",
    "usdt_trc20",
    "usdt_erc20",
    "telegram",
    "url",
    "apk",
    "icp",
)


@dataclass(slots=True)
class Entity:
    """A contact channel, payment target or filing number found on the page.

    ``value`` is canonical (digits only for numbers, lower case for ids) so the same phone
    written three ways is one value; ``start``/``end`` point into the ORIGINAL text.
    """

    type: str
    value: str
    start: int
    end: int
    # span in the normalised text, for proximity checks inside the engine
    norm_start: int = field(default=0, repr=False, compare=False)
    norm_end: int = field(default=0, repr=False, compare=False)
    # the kind of the block it was found in (ground.blocks.BlockKind); offsets point into the
    # page text the blocks were cut from
    field: str = "paragraph"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "field": self.field,
        }
        return data


@dataclass(slots=True)
class Hit:
    """One rule that fired, with the evidence a reviewer needs."""

    rule_id: str
    rule_version: int
    category: str
    title: str
    level: str
    weight: float
    matched: list[str]
    start: int
    end: int
    snippet: str
    # the kind of the block that holds the evidence (ground.blocks.BlockKind); offsets point
    # into the page text the blocks were cut from
    field: str = "paragraph"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "category": self.category,
            "title": self.title,
            "level": self.level,
            "weight": self.weight,
            "matched": list(self.matched),
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
            "field": self.field,
        }
        return data


@dataclass(slots=True)
class ScanResult:
    """The verdict on one page."""

    score: float = 0.0
    level: str = "none"
    categories: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """High or medium: what reviewers are asked to look at."""
        return is_fraud(self.level)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level,
            "categories": list(self.categories),
            "hits": [hit.to_dict() for hit in self.hits],
            "entities": [entity.to_dict() for entity in self.entities],
            "context": list(self.context),
            "reasons": list(self.reasons),
        }
