"""wuzha's rule engine: fraud rule packs as data, one normalisation and one automaton per page,
explainable hits. Never imports Scrapy or Elasticsearch.

    from rules import load_engine
    result = load_engine().scan(text, title="", url="")
"""

from __future__ import annotations

from rules.engine import Engine, load_engine
from rules.entity_types import IDENTIFYING_ENTITY_TYPES, has_identifying_entity
from rules.result import Entity, Hit, ScanResult

__all__ = [
    "IDENTIFYING_ENTITY_TYPES",
    "Engine",
    "Entity",
    "Hit",
    "ScanResult",
    "has_identifying_entity",
    "load_engine",
]
