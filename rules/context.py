"""Is the page warning about scams rather than running one?

Anti-fraud publicity, news reports and police notices quote scam wording word for word. They also
say things scams never say together: 国家反诈中心, 96110, 民警, 警惕, 骗局, 被骗… Each such word
has a weight (rules/data/context.yaml); the sum over the DISTINCT words on the page is the context
score. At the threshold the page is `anti_fraud_publicity` and its score is strongly damped; a bit
below it, damped less. A scam page that says 谨防假冒 once stays far below the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rules.lexicon import AntiFraudContext

ANTI_FRAUD = "anti_fraud_publicity"
REPORT_LIKE = "report_like"


@dataclass(frozen=True)
class ContextVerdict:
    score: float = 0.0
    words: list[str] = field(default_factory=list)  # strongest first
    label: str | None = None
    damping: float = 1.0


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


def judge_context(
    present: set[str] | dict, config: AntiFraudContext, url: str = ""
) -> ContextVerdict:
    """Context verdict from the set of terms the automaton found on the page."""
    found = [(config.words[w], w) for w in present if w in config.words]
    # 反诈中心 inside 国家反诈中心 is one mention, not two
    words = [w for _, w in found]
    found = [(wt, w) for wt, w in found if not any(w != o and w in o for o in words)]
    score = sum(wt for wt, _ in found)
    host_weight, host = _host_weight(url, config.official_hosts)
    score += host_weight
    ordered = [w for _, w in sorted(found, key=lambda x: (-x[0], x[1]))]
    if host:
        ordered.append(host)
    if score >= config.threshold:
        return ContextVerdict(score, ordered, ANTI_FRAUD, config.damping)
    if score >= config.partial:
        return ContextVerdict(score, ordered, REPORT_LIKE, config.partial_damping)
    return ContextVerdict(score, ordered)
