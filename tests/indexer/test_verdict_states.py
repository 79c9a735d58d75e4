"""The site-verdict lifecycle as a table: the state follows the reviewer's decision and whether
the latest normal sweep still found the evidence; 处置建议 follows the active kinds."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.site_verdicts import replacing
from indexer.verdict_states import (
    DISPOSAL_BY_KIND,
    KIND_NAMES_ZH,
    STATE_NAMES_ZH,
    STATES,
    active_at,
    decided,
    disposal,
    missed,
    seen,
    state_of,
)
from sitecheck.verdict import KINDS


@pytest.mark.parametrize(
    ("decision", "present", "state"),
    [
        (None, True, "open"),
        (None, False, "repaired"),
        ("confirmed", True, "confirmed"),
        ("confirmed", False, "repaired"),
        ("false_positive", True, "dismissed"),
        ("false_positive", False, "dismissed"),
    ],
)
def test_state_table(decision, present, state):
    assert state_of(decision, present) == state


def test_every_kind_and_state_has_its_names_and_a_disposal():
    assert set(DISPOSAL_BY_KIND) == set(KINDS) == set(KIND_NAMES_ZH)
    assert set(STATE_NAMES_ZH) == set(STATES)


@pytest.mark.parametrize(
    ("kinds", "said"),
    [
        ([], "关停"),  # listed for its own fraud content, as before verdicts
        (["spam_injected"], "通知整改"),
        (["cloaking", "hijack_redirect"], "通知整改"),
        (["takeover_suspected"], "关停"),
        (["takeover_suspected", "spam_injected"], "关停"),
    ],
)
def test_disposal(kinds, said):
    assert disposal(kinds) == said


def test_a_decision_survives_seen_and_missed():
    record = {"kind": "cloaking", "evidence": {"urls": ["http://a.test/"], "detail": "d"}}
    entry = seen(None, record, at="2026-11-01T00:00:00Z", run_id="r1")
    entry = decided(entry, "confirmed", "王", None, "2026-11-02T00:00:00Z")
    again = seen(entry, record, at="2026-11-08T00:00:00Z", run_id="r2")
    assert again["decision"]["status"] == "confirmed" and again["state"] == "confirmed"
    assert again["first_seen"] == "2026-11-01T00:00:00Z"
    gone = missed(again, at="2026-11-15T00:00:00Z")
    assert gone["state"] == "repaired" and gone["repaired_at"] == "2026-11-15T00:00:00Z"
    assert missed(gone, at="2026-11-22T00:00:00Z")["repaired_at"] == "2026-11-15T00:00:00Z"


def test_active_at():
    entry = {
        "state": "repaired",
        "first_seen": "2026-11-01T00:00:00Z",
        "repaired_at": "2026-11-10T00:00:00Z",
    }
    assert active_at(entry, datetime.fromisoformat("2026-11-05T00:00:00+00:00"))
    assert not active_at(entry, datetime.fromisoformat("2026-11-12T00:00:00+00:00"))
    assert not active_at(entry, datetime.fromisoformat("2026-10-30T00:00:00+00:00"))
    assert not active_at(
        {**entry, "state": "dismissed"}, datetime.fromisoformat("2026-11-05T00:00:00+00:00")
    )


def test_replacing_sends_dropped_keys_as_null():
    old = {"evidence": {"urls": ["a"], "count": 3}, "state": "open"}
    new = {"evidence": {"urls": ["b"]}, "state": "open"}
    assert replacing(old, new) == {"evidence": {"count": None, "urls": ["b"]}, "state": "open"}


def test_a_sweep_older_than_what_is_stored_changes_nothing():
    from indexer.site_verdicts import fold

    stored = {
        "cloaking": {
            "kind": "cloaking",
            "state": "repaired",
            "present": False,
            "first_seen": "2026-11-01T00:00:00Z",
            "last_seen": "2026-11-08T00:00:00Z",
            "repaired_at": "2026-11-15T00:00:00Z",
        }
    }
    record = {"kind": "cloaking", "evidence": {"urls": [], "detail": "d"}}
    late = {"at": "2026-11-10T00:00:00Z", "run_id": "kept-while-away"}
    assert fold(stored, [record], True, late) == (stored, {})
    newer = {"at": "2026-11-22T00:00:00Z", "run_id": "r"}
    again, counts = fold(stored, [record], True, newer)
    assert again["cloaking"]["state"] == "open" and counts == {"verdicts/seen_again": 1}


def test_the_sites_mapping_has_an_entry_per_verdict_kind_and_pages_have_none():
    from indexer.templates import field_types

    sites = field_types("sites")
    mapped = {f.split(".")[2] for f in sites if f.startswith("site.compromise.")}
    assert mapped == set(KINDS)
    for kind in KINDS:
        for name in (
            "kind",
            "state",
            "first_seen",
            "last_seen",
            "evidence.urls",
            "decision.status",
        ):
            assert f"site.compromise.{kind}.{name}" in sites
    assert not any(f.startswith("site.compromise") for f in field_types("pages"))


def test_a_kind_the_sweep_did_not_look_for_is_not_taken_for_repaired():
    # a sweep without the variant requests (switched off, --no-render, resumed past the home
    # page) ran normally but cannot tell whether a hijack is still there
    from indexer.site_verdicts import fold

    stored = {
        "hijack_redirect": {
            "kind": "hijack_redirect",
            "state": "open",
            "present": True,
            "first_seen": "2026-11-01T00:00:00Z",
            "last_seen": "2026-11-08T00:00:00Z",
        }
    }
    batch = {"at": "2026-11-15T00:00:00Z", "run_id": "no-render"}
    judged_only = frozenset({"takeover_suspected", "spam_injected"})
    assert fold(stored, [], True, batch, checked=judged_only) == (stored, {})
    looked, counts = fold(stored, [], True, batch, checked=judged_only | {"hijack_redirect"})
    assert looked["hijack_redirect"]["state"] == "repaired"
    assert counts == {"verdicts/repaired": 1}


def test_sweeps_kept_for_later_carry_the_kinds_looked_for():
    from indexer.site_verdicts import SiteSweep, _plain

    kept = _plain({"s1": SiteSweep([], True, frozenset({"cloaking"}))})
    assert kept["s1"]["checked"] == ["cloaking"]
