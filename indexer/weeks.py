"""ISO weeks in the office's time zone: the unit of the weekly takedown export.

A week runs from Monday 00:00 to the next Monday 00:00 on the office's wall clock
(``report_timezone``, Asia/Shanghai by default) and is kept as UTC bounds, the way every time
is stored in Elasticsearch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ground.clock import office_zone
from ground.settings import Settings
from indexer.errors import BadWeek, NoSuchWeek

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    year: int
    number: int
    start: datetime  # UTC, inclusive (Monday 00:00 in the report time zone)
    end: datetime  # UTC, exclusive

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"


def report_zone(settings: Settings) -> ZoneInfo:
    """The office's time zone, in which weeks start and times are shown."""
    return office_zone(settings.report_timezone)


def parse_week(text: str, zone: ZoneInfo) -> Week:
    """``2026-W48`` → the week's bounds (Monday to Monday in `zone`, as UTC datetimes)."""
    match = _WEEK.match(text.strip())
    if not match:
        raise BadWeek(text)
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError as err:
        raise NoSuchWeek(text, year, number) from err
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    end = start + timedelta(days=7)
    # wall-clock arithmetic in zone, then to UTC (zones with DST stay right)
    end = datetime(end.year, end.month, end.day, tzinfo=zone)
    return Week(year, number, start.astimezone(UTC), end.astimezone(UTC))


def week_of(moment: datetime, zone: ZoneInfo) -> Week:
    """The week `moment` falls in, on the wall clock of `zone`."""
    year, number, _ = moment.astimezone(zone).isocalendar()
    return parse_week(f"{year}-W{number:02d}", zone)


def previous_week(week: Week, zone: ZoneInfo) -> Week:
    return week_of(week.start - timedelta(days=1), zone)
