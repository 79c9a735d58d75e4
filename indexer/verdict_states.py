"""The lifecycle of a site-level verdict (``site.compromise.<kind>`` in the sites index), as
data and one pure function per step.

A verdict's ``state`` follows from two facts only, so a sweep and a reviewer can each change
one without undoing the other:

- the reviewer's decision (``decision.status``: none yet, ``confirmed``, ``false_positive``),
  written only by ``wuzha review mark --site S --verdict KIND``;
- whether the latest sweep of the site that ran normally still found the evidence
  (``present``), written only by sweeps.

=================  ===================  =====================
decision           evidence present     evidence gone
=================  ===================  =====================
none               ``open``             ``repaired``
``confirmed``      ``confirmed``        ``repaired``
``false_positive`` ``dismissed``        ``dismissed``
=================  ===================  =====================

So a recrawl never overwrites the decision: a confirmed verdict seen again stays confirmed, a
dismissed one stays dismissed whatever later sweeps find. A confirmed verdict whose evidence is
gone is ``repaired`` (that is what notifying the owner aims at); its decision stays recorded, and
if the evidence comes back it is ``confirmed`` again without another review. A sweep of the site
that did not run normally (failed, timed out) says nothing about absence: it changes no state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ground.clock import parse_time

OPEN = "open"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
REPAIRED = "repaired"
STATES = (OPEN, CONFIRMED, DISMISSED, REPAIRED)
#: Verdicts that make the site a case for the office (the export lists the site).
ACTIVE_STATES = frozenset({OPEN, CONFIRMED})

#: What a reviewer may say of a verdict (``review mark --status``) -> the state it leads to
#: while the evidence is present.
DECISIONS: dict[str, str] = {"confirmed": CONFIRMED, "false_positive": DISMISSED}

#: What the office does about a site (the export's 处置建议): a hacked site's owner is told to
#: fix it; a site that is itself the scam or casino (a taken-over domain) is shut down.
NOTIFY = "通知整改"
SHUT_DOWN = "关停"
DISPOSAL_BY_KIND: dict[str, str] = {
    "takeover_suspected": SHUT_DOWN,
    "spam_injected": NOTIFY,
    "cloaking": NOTIFY,
    "hijack_redirect": NOTIFY,
}

KIND_NAMES_ZH: dict[str, str] = {
    "takeover_suspected": "疑似域名易主",
    "spam_injected": "被植入推广内容",
    "cloaking": "对搜索引擎伪装",
    "hijack_redirect": "劫持跳转",
}

STATE_NAMES_ZH: dict[str, str] = {
    OPEN: "待审核",
    CONFIRMED: "已确认",
    DISMISSED: "误报",
    REPAIRED: "已修复",
}


def state_of(decision: str | None, present: bool) -> str:
    """The state a verdict is in, from the reviewer's decision and whether the evidence is
    still there (the table in the module's docstring)."""
    if decision == "false_positive":
        return DISMISSED
    if not present:
        return REPAIRED
    return CONFIRMED if decision == "confirmed" else OPEN


def disposal(active_kinds: list[str] | set[str]) -> str:
    """处置建议 of a listed site from the kinds of its active verdicts: 关停 when one of them
    says the site itself is the fraud (takeover), 通知整改 when it was hacked (its fraud pages
    are then most likely the planted ones), and 关停 for a site listed for its own fraud
    content alone, as every row was before site verdicts."""
    found = {DISPOSAL_BY_KIND[k] for k in active_kinds if k in DISPOSAL_BY_KIND}
    if SHUT_DOWN in found or not found:
        return SHUT_DOWN
    return NOTIFY


def seen(
    entry: Mapping[str, Any] | None, record: Mapping[str, Any], *, at: str, run_id: str
) -> dict[str, Any]:
    """The stored verdict after a sweep found it again (or for the first time): latest
    evidence, ``last_seen`` moved on, first seen and the decision kept."""
    old = dict(entry or {})
    decision = old.get("decision") or None
    out = {
        "kind": record["kind"],
        "evidence": dict(record.get("evidence") or {}),
        "first_seen": old.get("first_seen") or at,
        "last_seen": at,
        "present": True,
        "repaired_at": None,
        "run_id": run_id or None,
        "state": state_of((decision or {}).get("status"), True),
    }
    if decision:
        out["decision"] = decision
    return out


def missed(entry: Mapping[str, Any], *, at: str) -> dict[str, Any]:
    """The stored verdict after a normal sweep no longer found its evidence."""
    out = dict(entry)
    if out.get("present", True):
        out["repaired_at"] = at  # when a sweep first missed it; a later miss keeps the date
    out["present"] = False
    out["state"] = state_of((out.get("decision") or {}).get("status"), False)
    return out


def decided(entry: Mapping[str, Any], status: str, by: str, note: str | None, at: str) -> dict:
    """The stored verdict after a reviewer's decision (``confirmed`` / ``false_positive``)."""
    out = dict(entry)
    out["decision"] = {"status": status, "by": by, "note": note, "at": at}
    out["state"] = state_of(status, bool(out.get("present", True)))
    return out


def active_at(entry: Mapping[str, Any], moment: datetime) -> bool:
    """Whether the verdict made its site a case at `moment`: first seen by then, and open or
    confirmed now, or repaired only after `moment`. Dismissed verdicts never count (the
    decision is taken as it is now, as hits' decisions are)."""
    first = parse_time(entry.get("first_seen"))
    if first is None or first > moment:
        return False
    state = entry.get("state")
    if state in ACTIVE_STATES:
        return True
    repaired = parse_time(entry.get("repaired_at"))
    return state == REPAIRED and repaired is not None and repaired > moment
