"""Word lists that are data, not rules: signal words (signals.yaml) and context words
(context.yaml), loaded once and normalised like rule terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from rules.normalise import DATA_DIR, normalise_term


@dataclass(frozen=True)
class AntiFraudContext:
    words: dict[str, float]  # normalised word → weight
    threshold: float
    damping: float
    partial: float
    partial_damping: float
    official_hosts: dict[str, float]
    #: stance shown by a section's shape (rules.stance): shape → (weight, label shown)
    shapes: dict[str, tuple[float, str]] = field(default_factory=dict)
    #: shapes of a section that quotes a script to explain it: the script's cues do not count
    muting_shapes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lexicon:
    contact_words: frozenset[str]
    money_words: frozenset[str]
    anti_fraud: AntiFraudContext

    def terms(self) -> set[str]:
        """Everything the shared automaton must look for on behalf of signals and context."""
        return set(self.contact_words) | set(self.money_words) | set(self.anti_fraud.words)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _terms(words) -> frozenset[str]:
    return frozenset(t for t in (normalise_term(str(w)) for w in words) if t)


def context_words(data_dir: Path = DATA_DIR) -> dict[str, float]:
    """The stance words of context.yaml and of context.d/*.yaml (more cues, one file per
    category or register, ``words: {word: weight}``), as written (later files add words; a
    word given twice keeps its first weight)."""
    words = dict(_load(data_dir / "context.yaml")["anti_fraud"]["words"] or {})
    extra = data_dir / "context.d"
    for path in sorted(extra.glob("*.yaml")) if extra.is_dir() else ():
        for word, weight in ((_load(path) or {}).get("words") or {}).items():
            words.setdefault(word, weight)
    return words


@lru_cache(maxsize=4)
def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    signals = _load(data_dir / "signals.yaml")
    context = _load(data_dir / "context.yaml")["anti_fraud"]
    words: dict[str, float] = {}
    for word, weight in context_words(data_dir).items():
        norm = normalise_term(str(word))
        if norm:
            words[norm] = max(float(weight), words.get(norm, 0.0))
    return Lexicon(
        contact_words=_terms(signals["contact_words"]),
        money_words=_terms(signals["money_words"]),
        anti_fraud=AntiFraudContext(
            words=words,
            threshold=float(context["threshold"]),
            damping=float(context["damping"]),
            partial=float(context["partial"]),
            partial_damping=float(context["partial_damping"]),
            official_hosts={
                str(k): float(v) for k, v in (context.get("official_hosts") or {}).items()
            },
            shapes={
                str(k): (float(v["weight"]), str(v["label"]))
                for k, v in (context.get("shapes") or {}).items()
            },
            muting_shapes=frozenset(
                str(k) for k, v in (context.get("shapes") or {}).items() if v.get("mutes_script")
            ),
        ),
    )
