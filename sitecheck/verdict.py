"""One site-level verdict and its evidence, as sites.jsonl, the sites index and the export
carry it: ``{"kind", "evidence": {"urls", "detail", ...}}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TAKEOVER_SUSPECTED = "takeover_suspected"  # the domain changed hands: registry ≠ what it shows
SPAM_INJECTED = "spam_injected"  # planted titles, hidden links, parasitic pages
CLOAKING = "cloaking"  # search-engine crawlers are shown other content than visitors
HIJACK_REDIRECT = "hijack_redirect"  # visitors (from a search, on mobile) sent to another host
KINDS = (TAKEOVER_SUSPECTED, SPAM_INJECTED, CLOAKING, HIJACK_REDIRECT)


@dataclass(frozen=True)
class Verdict:
    kind: str
    urls: tuple[str, ...]  # the pages that show it, most telling first
    detail: str  # one sentence a reviewer reads
    facts: Mapping[str, Any] = field(default_factory=dict)  # what was compared, counted

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown site verdict {self.kind!r}; one of {', '.join(KINDS)}")

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "evidence": {"urls": list(self.urls), "detail": self.detail, **dict(self.facts)},
        }
