"""Is the page warning about scams rather than running one?

Anti-fraud publicity, news reports and police notices quote scam wording word for word. They also
say things scams never say together: 国家反诈中心, 96110, 民警, 警惕, 骗局, 被骗… Each such word
has a weight (rules/data/context.yaml); the sum over the DISTINCT words on the page is the context
score. At the threshold the page is `anti_fraud_publicity` and its score is strongly damped; a bit
below it, damped less. A scam page that says 谨防假冒 once stays far below the threshold.

Scam scripts use some of the same words: a fake officer says 我是公安局民警, 涉案, 诈骗. What gives
them away is the voice: they accuse and order the reader (您涉嫌…, 请您配合调查, 警号…, 不要告诉
任何人), where publicity talks about victims in the third person. Such script cues carry NEGATIVE
weights in the same table: they pull the context score down, so a police-impersonation script is
not damped as if it were a police notice, while a real notice (提醒, 警惕, 96110…) that quotes one
line of a script still clears the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from rules.lexicon import AntiFraudContext, context_words
from rules.normalise import DATA_DIR, normalise_term

ANTI_FRAUD = "anti_fraud_publicity"
REPORT_LIKE = "report_like"


@dataclass(frozen=True)
class ContextVerdict:
    score: float = 0.0
    words: list[str] = field(default_factory=list)  # publicity cues, strongest first
    label: str | None = None
    damping: float = 1.0
    script_words: list[str] = field(default_factory=list)  # scam-script cues found (negative)


def _host_weight(url: str, hosts: dict[str, float]) -> tuple[float, str | None]:
    if not url:
        return 0.0, None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return 0.0, None
    for suffix, weight in hosts.items():
        if host == suffix or host.endswith("." + suffix):
            return weight, suffix
    return 0.0, None


@lru_cache(maxsize=4)
def script_cues(data_dir: Path = DATA_DIR) -> dict[str, float]:
    """The negative (scam-script) weights of context.yaml, normalised like rule terms.

    rules.lexicon keeps every context word so the automaton looks for it, but it reads weights
    with a floor of zero; the negative weights are taken from the table here.
    """
    cues: dict[str, float] = {}
    for word, weight in context_words(data_dir).items():
        norm = normalise_term(str(word))
        if norm and float(weight) < 0:
            cues[norm] = min(float(weight), cues.get(norm, 0.0))
    return cues


def _weight(word: str, config: AntiFraudContext, cues: dict[str, float]) -> float:
    weight = config.words[word]
    return weight if weight != 0 else cues.get(word, 0.0)


def judge_context(
    present: set[str] | dict,
    config: AntiFraudContext,
    url: str = "",
    shapes: Iterable[str] = (),
) -> ContextVerdict:
    """Context verdict from the set of terms the automaton found on the page, and the stance
    ``shapes`` (rules.stance) its section shows, each weighing like one more word."""
    cues = script_cues()
    found = [(_weight(w, config, cues), w) for w in present if w in config.words]
    # a word inside a longer word that was found is one mention, not two: 反诈中心 inside
    # 国家反诈中心 counts once, and 民警 inside the script cue 我是民警 counts only as the cue
    words = [w for _, w in found]
    found = [(wt, w) for wt, w in found if not any(w != o and w in o for o in words)]
    shapes = [shape for shape in shapes if shape in config.shapes]
    if config.muting_shapes.intersection(shapes):
        # an explainer quotes the script it explains: its cues say nothing of its own voice
        found = [(wt, w) for wt, w in found if wt >= 0]
    found += [config.shapes[shape] for shape in shapes]
    score = sum(wt for wt, _ in found)
    host_weight, host = _host_weight(url, config.official_hosts)
    score += host_weight
    publicity = sorted((x for x in found if x[0] > 0), key=lambda x: (-x[0], x[1]))
    script = sorted((x for x in found if x[0] < 0), key=lambda x: (x[0], x[1]))
    ordered = [w for _, w in publicity]
    if host:
        ordered.append(host)
    script_words = [w for _, w in script]
    if score >= config.threshold:
        return ContextVerdict(score, ordered, ANTI_FRAUD, config.damping, script_words)
    if score >= config.partial:
        return ContextVerdict(score, ordered, REPORT_LIKE, config.partial_damping, script_words)
    return ContextVerdict(score, ordered, script_words=script_words)
