"""The review lifecycle of sites and hits, as data.

A site moves ``new → confirmed | false_positive``, then ``confirmed → takedown_requested →
taken_down``; when a taken-down site shows fraud again in a later crawl it becomes ``recurred``
(the one change wuzha makes on its own, see :func:`indexer.recurrence.raise_recurred`). Reviewers
may re-open a decision where that makes sense (a false positive that turns out to be fraud, a
takedown request that was withdrawn, a recurrence that gets a new request).

Hits are findings, not websites: only a site can be taken down, so a hit is judged
``confirmed`` or ``false_positive`` (and may be re-judged). The takedown states belong to its
site: ``wuzha review mark --site …``.

The tables below are the single source of truth: the CLI's error messages, the tests (every
allowed and every refused pair) and the README's state diagram are all read from them.
"""

from __future__ import annotations

from typing import Literal

TargetType = Literal["site", "hit"]

STATUSES: tuple[str, ...] = (
    "new",
    "confirmed",
    "false_positive",
    "takedown_requested",
    "taken_down",
    "recurred",
)

# What reviewers see (Kibana, exports). Stable ids stay in Elasticsearch.
STATUS_NAMES_ZH: dict[str, str] = {
    "new": "待审核",
    "confirmed": "已确认",
    "false_positive": "误报",
    "takedown_requested": "已申请下线",
    "taken_down": "已下线",
    "recurred": "下线后复发",
}

# from-status -> statuses a reviewer may move to. Anything not listed is refused.
TRANSITIONS: dict[TargetType, dict[str, frozenset[str]]] = {
    "site": {
        "new": frozenset({"confirmed", "false_positive"}),
        "confirmed": frozenset({"false_positive", "takedown_requested"}),
        "false_positive": frozenset({"confirmed"}),
        # a request may be withdrawn (back to confirmed) or fulfilled
        "takedown_requested": frozenset({"confirmed", "taken_down"}),
        # a reviewer who sees fraud again before the next crawl may say so by hand
        "taken_down": frozenset({"recurred"}),
        # ask again, or the recurrence was already handled / a false alarm: the site stays down
        "recurred": frozenset({"takedown_requested", "taken_down"}),
    },
    "hit": {
        "new": frozenset({"confirmed", "false_positive"}),
        "confirmed": frozenset({"false_positive"}),
        "false_positive": frozenset({"confirmed"}),
    },
}

# The only transition wuzha makes by itself (after a crawl or a retro-scan finds fraud again).
AUTOMATIC_TRANSITIONS: frozenset[tuple[str, str]] = frozenset({("taken_down", "recurred")})

# Reviewer name recorded for automatic changes.
SYSTEM_REVIEWER = "wuzha"


def allowed_targets(target_type: TargetType, from_status: str) -> frozenset[str]:
    """Statuses a reviewer may set on a ``target_type`` that is now ``from_status``."""
    return TRANSITIONS[target_type].get(from_status, frozenset())


def is_allowed(target_type: TargetType, from_status: str, to_status: str) -> bool:
    return to_status in allowed_targets(target_type, from_status)


def statuses_for(target_type: TargetType) -> tuple[str, ...]:
    """The statuses a target of this type can be in, in lifecycle order."""
    known = set(TRANSITIONS[target_type])
    for targets in TRANSITIONS[target_type].values():
        known |= targets
    return tuple(s for s in STATUSES if s in known)


def describe_allowed(target_type: TargetType, from_status: str) -> str:
    """A sentence for error messages: what may follow ``from_status``."""
    targets = [s for s in STATUSES if s in allowed_targets(target_type, from_status)]
    if not targets:
        return f"nothing may follow {from_status!r} for a {target_type}"
    return f"from {from_status!r} a {target_type} may go to " + ", ".join(repr(s) for s in targets)
