"""Running totals of a sweep, from the lines written to pages.jsonl / findings.jsonl.

Fed line by line during the crawl, and from the existing files when a crawl resumes, so the
closing ``summary.json`` covers the whole run. Also gives each site's aggregated risk (what the
index pipeline upserts into the sites index).
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.output import is_finding
from ground.levels import FRAUD_LEVELS, LEVELS, rank

TOP_FINDINGS = 100
TOP_SITES = 20
FINISHED_OK = ("done", "budget_exhausted")


@dataclass
class SiteTally:
    site: dict[str, Any]
    pages: int = 0
    findings: int = 0
    fraud_pages: int = 0
    hits: int = 0
    max_score: float = 0.0
    max_level: str = "none"
    categories: Counter[str] = field(default_factory=Counter)
    entity_keys: set[str] = field(default_factory=set)

    def risk(self, run_id: str | None = None, error: str | None = None) -> dict[str, Any]:
        """The ``risk`` block of the site's document (see indexer.documents.site_document)."""
        risk = {
            "max_score": round(self.max_score, 2),
            "max_level": self.max_level,
            "fraud_pages": self.fraud_pages,
            "pages_crawled": self.pages,
            "hits": self.hits,
            "categories": [name for name, _ in self.categories.most_common()],
            "entity_keys": sorted(self.entity_keys)[:500],
            "last_crawled": datetime.now(UTC).isoformat(timespec="seconds"),
            "last_error": error,
        }
        if run_id:
            risk["run_id"] = run_id
        return risk


class SweepTally:
    """Counts pages and findings overall and per site; keeps the strongest findings."""

    def __init__(self) -> None:
        self.pages = 0
        self.http_status: Counter[str] = Counter()
        self.charsets: Counter[str] = Counter()
        self.findings = 0
        self.hits = 0
        self.findings_by_level: Counter[str] = Counter()
        self.findings_by_category: Counter[str] = Counter()
        self.hits_by_category: Counter[str] = Counter()
        self.sites: dict[str, SiteTally] = {}
        self._top: list[tuple[int, float, int, dict[str, Any]]] = []  # min-heap
        self._order = 0

    def add_page(self, record: dict[str, Any]) -> None:
        self.pages += 1
        self.http_status[str(record.get("status"))] += 1
        self.charsets[str(record.get("charset") or "unknown")] += 1
        self._site(record).pages += 1

    def add_finding(self, record: dict[str, Any]) -> None:
        """Count one findings.jsonl line; a line that is no finding (a URL or ICP number only,
        as files written before that rule held) is not counted."""
        if not is_finding(record):
            return
        level = record.get("level") or "none"
        score = float(record.get("score") or 0.0)
        hits = record.get("hits") or []
        categories = record.get("categories") or []
        self.findings += 1
        self.hits += len(hits)
        self.findings_by_level[level] += 1
        self.findings_by_category.update(categories)
        self.hits_by_category.update(hit.get("category") for hit in hits if hit.get("category"))
        site = self._site(record)
        site.findings += 1
        site.hits += len(hits)
        site.fraud_pages += level in FRAUD_LEVELS
        site.categories.update(categories)
        site.entity_keys.update(
            f"{e.get('type')}:{e.get('value')}" for e in record.get("entities") or []
        )
        site.max_score = max(site.max_score, score)
        if rank(level) > rank(site.max_level):
            site.max_level = level
        if hits:
            self._keep_top(record, level, score)

    def top_findings(self) -> list[dict[str, Any]]:
        """The strongest findings, strongest first (level, then score)."""
        ranked = sorted(self._top, key=lambda entry: (entry[0], entry[1], -entry[2]), reverse=True)
        return [entry[3] for entry in ranked]

    def top_sites(self, limit: int = TOP_SITES) -> list[dict[str, Any]]:
        ranked = sorted(
            (s for s in self.sites.values() if s.findings),
            key=lambda s: (rank(s.max_level), s.fraud_pages, s.max_score, s.hits),
            reverse=True,
        )
        return [
            {
                **s.site,
                "pages": s.pages,
                "findings": s.findings,
                "fraud_pages": s.fraud_pages,
                "hits": s.hits,
                "max_score": round(s.max_score, 2),
                "max_level": s.max_level,
                "categories": [name for name, _ in s.categories.most_common()],
            }
            for s in ranked[:limit]
        ]

    def summary(
        self,
        *,
        run_id: str,
        started: str | None,
        ended: str | None,
        finish_reason: str | None,
        site_states: dict[str, dict[str, Any]] | None,
        stats: dict[str, Any] | None,
        taxonomy: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Everything summary.json holds (and report.html shows)."""
        stats = stats or {}
        taxonomy = taxonomy or {}
        return {
            "run_id": run_id,
            "started": started,
            "ended": ended,
            "duration_seconds": _duration(started, ended),
            "finish_reason": finish_reason,
            "sites": _sites_summary(site_states, self),
            "pages": self.pages,
            "http_status": dict(self.http_status.most_common()),
            "charsets": dict(self.charsets.most_common()),
            "findings": {
                "pages": self.findings,
                "hits": self.hits,
                "by_level": {level: self.findings_by_level.get(level, 0) for level in LEVELS},
                "by_category": [
                    {
                        "id": name,
                        "name": taxonomy.get(name, name),
                        "pages": count,
                        "hits": self.hits_by_category.get(name, 0),
                    }
                    for name, count in self.findings_by_category.most_common()
                ],
            },
            "errors": _errors(stats),
            # Documents of this sweep still waiting in the spool at its end (Elasticsearch was
            # unreachable); 0 without Elasticsearch. A contract: operators' scripts read it.
            "spooled": int(stats.get("es/spool_pending") or 0),
            "top_sites": self.top_sites(),
            "stats": {k: v for k, v in sorted(stats.items()) if _is_number(v)},
        }

    def _site(self, record: dict[str, Any]) -> SiteTally:
        site = record.get("site") or {}
        key = site.get("id") or site.get("url") or "?"
        tally = self.sites.get(key)
        if tally is None:
            tally = self.sites[key] = SiteTally(site=dict(site))
        return tally

    def _keep_top(self, record: dict[str, Any], level: str, score: float) -> None:
        self._order += 1
        entry = (rank(level), score, -self._order, record)
        if len(self._top) < TOP_FINDINGS:
            heapq.heappush(self._top, entry)
        elif entry[:3] > self._top[0][:3]:
            heapq.heapreplace(self._top, entry)


def _sites_summary(
    site_states: dict[str, dict[str, Any]] | None, tally: SweepTally
) -> dict[str, Any]:
    states = site_states or {}
    by_status = Counter(state.get("status") or "unknown" for state in states.values())
    problems = [
        {
            "id": site_id,
            **{k: state.get(k) for k in ("name", "url", "status", "reason", "pages", "errors")},
        }
        for site_id, state in states.items()
        if state.get("status") not in FINISHED_OK
    ]
    problems.sort(key=lambda p: (str(p.get("status")), str(p.get("name"))))
    compromised = [
        {"id": site_id, "name": state.get("name"), "url": state.get("url"), "compromise": verdicts}
        for site_id, state in states.items()
        if (verdicts := list(state.get("compromise") or ()))
    ]
    return {
        "total": len(states) or len(tally.sites),
        "done": sum(by_status.get(status, 0) for status in FINISHED_OK),
        "failed": by_status.get("failed", 0),
        "timed_out": by_status.get("timeout", 0),
        "unfinished": by_status.get("pending", 0) + by_status.get("running", 0),
        "by_status": dict(by_status.most_common()),
        "problems": problems,
        "compromised": compromised,
    }


def _errors(stats: dict[str, Any]) -> dict[str, Any]:
    by_reason: dict[str, int] = {}
    for key, value in stats.items():
        for prefix in (
            "sweep/errors/",
            "sweep/http_errors/",
            "sweep/skipped/binary/",
            "scan/errors",
            "es/failed/",
        ):
            if key.startswith(prefix) and _is_number(value):
                by_reason[key] = int(value)
    return {"total": sum(by_reason.values()), "by_reason": dict(sorted(by_reason.items()))}


def _duration(started: str | None, ended: str | None) -> float | None:
    try:
        start = datetime.fromisoformat(started) if started else None
        end = datetime.fromisoformat(ended) if ended else None
    except ValueError:
        return None
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 1)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
