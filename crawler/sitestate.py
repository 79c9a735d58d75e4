"""The live state of each site during a sweep: budgets, progress, and how it ended.

A hostile or broken site must cost its own budget, never the sweep: each site has a page
budget, a depth budget, a wall-time budget and an error budget (consecutive failures), and
once a site is closed its remaining requests are dropped before they reach the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from crawler.scope import SiteScope, TrapGuard, TrapLimits

# Final statuses (`CrawlState.site_states` and summary.json use these words).
DONE = "done"
FAILED = "failed"
BUDGET_EXHAUSTED = "budget_exhausted"
TIMEOUT = "timeout"
PENDING = "pending"
RUNNING = "running"
FINAL_STATUSES = (DONE, FAILED, BUDGET_EXHAUSTED, TIMEOUT)

SITE_FIELDS = ("id", "name", "url", "domain", "icp", "district", "type", "owner", "render_js")


@dataclass
class Budget:
    max_pages: int
    max_depth: int
    wall_time: float  # seconds
    max_consecutive_errors: int


@dataclass
class SiteState:
    site: dict[str, Any]
    scope: SiteScope
    budget: Budget
    traps: TrapGuard
    status: str = PENDING
    reason: str = ""
    requested: int = 0  # requests issued: what the page budget counts
    pages: int = 0  # pages emitted as items
    errors: int = 0
    consecutive_errors: int = 0
    last_error: str = ""
    trapped: int = 0  # URLs skipped by trap rules
    budget_hit: bool = False
    seen: set[str] = field(default_factory=set)  # canonical URLs already requested
    tokens: set[int] = field(default_factory=set)  # requests in flight or queued
    started_at: float | None = None
    finished_at: float | None = None
    last_activity: float = 0.0
    # site-level verdicts (sitecheck.Verdict.to_record()), settled when the site finishes
    compromise: list[dict[str, Any]] = field(default_factory=list)
    # the verdict kinds this sweep looked for (a kind not looked for is not "repaired")
    checked: set[str] = field(default_factory=set)

    @classmethod
    def create(cls, site: dict[str, Any], budget: Budget, limits: TrapLimits) -> SiteState:
        return cls(
            site={k: site.get(k) for k in SITE_FIELDS},
            scope=SiteScope.from_site(site),
            budget=budget,
            traps=TrapGuard(limits),
        )

    @property
    def id(self) -> str:
        return self.scope.site_id

    @property
    def active(self) -> bool:
        return self.status == RUNNING or (
            self.status in (TIMEOUT, FAILED) and self.finished_at is None
        )

    @property
    def closed(self) -> bool:
        """No more requests of this site may go out (time or error budget used up)."""
        return self.status in (TIMEOUT, FAILED)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def start(self, now: float | None = None) -> None:
        self.status = RUNNING
        self.started_at = self.last_activity = now if now is not None else time.monotonic()

    def can_request(self) -> bool:
        if self.closed or self.finished:
            return False
        if self.requested >= self.budget.max_pages:
            self.budget_hit = True
            return False
        return True

    def record_success(self) -> None:
        self.consecutive_errors = 0
        self.last_activity = time.monotonic()

    def record_error(self, reason: str, *, counts_for_budget: bool = True) -> None:
        self.errors += 1
        self.last_error = reason
        self.last_activity = time.monotonic()
        if not counts_for_budget:
            return
        self.consecutive_errors += 1
        if self.consecutive_errors >= self.budget.max_consecutive_errors and not self.closed:
            self.status = FAILED
            self.reason = f"{self.consecutive_errors} consecutive failures; last: {reason}"

    def check_deadline(self, now: float) -> bool:
        """Close the site when its wall-time budget is used up; True if that happened now."""
        if self.status != RUNNING or self.started_at is None:
            return False
        if now - self.started_at > self.budget.wall_time:
            self.status = TIMEOUT
            self.reason = f"wall-time budget of {self.budget.wall_time:g} s used up"
            return True
        return False

    def remaining(self, now: float) -> float | None:
        """Seconds of wall time the site has left (None before it started)."""
        if self.started_at is None:
            return None
        return self.budget.wall_time - (now - self.started_at)

    def finish(self, now: float | None = None) -> None:
        """Settle the final status once nothing of this site is queued or in flight."""
        if self.finished:
            return
        self.finished_at = now if now is not None else time.monotonic()
        if self.status in (TIMEOUT, FAILED):
            return
        if self.pages == 0 and self.errors:
            self.status, self.reason = (
                FAILED,
                f"no page could be fetched; last error: {self.last_error}",
            )
        elif self.pages == 0:
            self.status = FAILED
            self.reason = self.last_error or "no page could be fetched"
        elif self.budget_hit:
            self.status = BUDGET_EXHAUSTED
            self.reason = f"page budget of {self.budget.max_pages} reached"
        else:
            self.status, self.reason = DONE, ""

    def summary(self) -> dict[str, Any]:
        """The entry of `CrawlState.site_states` (summary.json and the CLI summary use it)."""
        return {
            "name": self.site.get("name") or "",
            "url": self.site.get("url") or "",
            "pages": self.pages,
            "errors": self.errors,
            "status": self.status,
            "reason": self.reason,
            "compromise": list(self.compromise),
            "checked": sorted(self.checked),
        }
