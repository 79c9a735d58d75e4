"""The transition table itself: shape and the decisions the issue spells out."""

from __future__ import annotations

import pytest

from indexer.review_states import (
    AUTOMATIC_TRANSITIONS,
    STATUS_NAMES_ZH,
    STATUSES,
    TRANSITIONS,
    describe_allowed,
    is_allowed,
    statuses_for,
)

# (target, from, to) the issue names or implies; everything else in test_review_es is derived
# from the table, so these pin the table's meaning.
REQUIRED = [
    ("site", "new", "confirmed"),
    ("site", "new", "false_positive"),
    ("site", "confirmed", "takedown_requested"),
    ("site", "takedown_requested", "taken_down"),
    ("site", "taken_down", "recurred"),
    ("site", "false_positive", "confirmed"),
    ("site", "recurred", "takedown_requested"),
    ("site", "recurred", "taken_down"),
    ("hit", "new", "confirmed"),
    ("hit", "new", "false_positive"),
    ("hit", "false_positive", "confirmed"),
    ("hit", "confirmed", "false_positive"),
]
FORBIDDEN = [
    ("site", "new", "taken_down"),  # no takedown without a decision and a request
    ("site", "new", "takedown_requested"),
    ("site", "false_positive", "takedown_requested"),
    ("site", "taken_down", "new"),
    ("site", "recurred", "new"),
    ("hit", "new", "takedown_requested"),  # takedowns are for sites
    ("hit", "confirmed", "taken_down"),
    ("hit", "confirmed", "new"),
]


@pytest.mark.parametrize("target,src,dst", REQUIRED)
def test_required_transitions_are_allowed(target, src, dst):
    assert is_allowed(target, src, dst)


@pytest.mark.parametrize("target,src,dst", FORBIDDEN)
def test_forbidden_transitions_are_refused(target, src, dst):
    assert not is_allowed(target, src, dst)


def test_table_only_names_known_statuses_and_never_returns_to_new():
    for target, table in TRANSITIONS.items():
        for src, dsts in table.items():
            assert src in STATUSES
            assert dsts <= set(STATUSES)
            assert "new" not in dsts, (target, src)
            assert src not in dsts, "a no-op is not a transition"


def test_every_status_is_reachable_from_new():
    for target in TRANSITIONS:
        seen, todo = {"new"}, ["new"]
        while todo:
            for dst in TRANSITIONS[target].get(todo.pop(), ()):
                if dst not in seen:
                    seen.add(dst)
                    todo.append(dst)
        assert seen == set(statuses_for(target))


def test_automatic_change_is_only_recurrence_and_also_allowed_by_hand():
    assert AUTOMATIC_TRANSITIONS == {("taken_down", "recurred")}
    assert is_allowed("site", "taken_down", "recurred")


def test_chinese_names_for_every_status():
    assert set(STATUS_NAMES_ZH) == set(STATUSES)


def test_describe_allowed_lists_the_next_states():
    assert describe_allowed("site", "confirmed") == (
        "from 'confirmed' a site may go to 'false_positive', 'takedown_requested'"
    )
    assert describe_allowed("hit", "taken_down") == "nothing may follow 'taken_down' for a hit"
