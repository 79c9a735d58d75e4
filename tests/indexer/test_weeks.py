"""ISO weeks on the office's wall clock, kept as UTC bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ground.clock import UnknownTimeZone
from ground.settings import settings_with
from indexer.errors import BadWeek, NoSuchWeek
from indexer.weeks import parse_week, previous_week, report_zone, week_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    "text,zone,start,end",
    [
        ("2026-W48", SHANGHAI, "2026-11-22T16:00:00+00:00", "2026-11-29T16:00:00+00:00"),
        ("2026w48", SHANGHAI, "2026-11-22T16:00:00+00:00", "2026-11-29T16:00:00+00:00"),
        (" 2026-W1 ", SHANGHAI, "2025-12-28T16:00:00+00:00", "2026-01-04T16:00:00+00:00"),
        # clocks go forward on Sunday 29 March: the week is an hour short
        ("2026-W13", BERLIN, "2026-03-22T23:00:00+00:00", "2026-03-29T22:00:00+00:00"),
    ],
)
def test_week_bounds(text, zone, start, end):
    week = parse_week(text, zone)
    assert (week.start.isoformat(), week.end.isoformat()) == (start, end)


def test_label_and_neighbours():
    week = parse_week("2026-w1", SHANGHAI)
    assert week.label == "2026-W01"
    assert previous_week(week, SHANGHAI).label == "2025-W52"
    assert previous_week(parse_week("2027-W01", SHANGHAI), SHANGHAI).label == "2026-W53"


@pytest.mark.parametrize(
    "moment,label",
    [
        (datetime(2026, 11, 22, 16, 0, tzinfo=UTC), "2026-W48"),  # Monday 00:00 in Shanghai
        (datetime(2026, 11, 22, 15, 59, tzinfo=UTC), "2026-W47"),  # still Sunday there
    ],
)
def test_week_of_follows_the_office_clock(moment, label):
    week = week_of(moment, SHANGHAI)
    assert week.label == label
    assert week.start <= moment < week.end
    assert week.end - week.start == timedelta(days=7)


@pytest.mark.parametrize(
    "text,error",
    [("2026-48", BadWeek), ("W48", BadWeek), ("2026-W", BadWeek), ("2025-W53", NoSuchWeek)],
)
def test_not_a_week(text, error):
    with pytest.raises(error) as err:
        parse_week(text, SHANGHAI)
    assert err.value.text == text


def test_report_zone_reads_the_setting():
    assert report_zone(settings_with(report_timezone="Europe/Berlin")) == BERLIN
    with pytest.raises(UnknownTimeZone, match="Mars/Olympus"):
        report_zone(settings_with(report_timezone="Mars/Olympus"))
