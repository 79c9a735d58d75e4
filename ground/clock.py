"""Time as wuzha stores it (UTC, ISO 8601) and the office's time zone for what people read."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ground.errors import WuzhaError


class UnknownTimeZone(WuzhaError):
    """The configured office time zone is not an IANA zone name."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(value: datetime | str | None = None, *, timespec: str = "milliseconds") -> str | None:
    """ISO 8601 in UTC with a ``Z`` (naive datetimes are taken as UTC; strings pass through;
    no value: now)."""
    if value is None:
        value = utc_now()
    if value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
    return str(value)


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO time as an aware datetime (naive: UTC); None for empty or unreadable text."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))  # 3.11 reads "Z"
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def office_zone(name: str) -> ZoneInfo:
    """The office's time zone (the ``report_timezone`` setting)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise UnknownTimeZone(
            f"WUZHA_REPORT_TIMEZONE {name!r} is not a known time zone: use an IANA name such "
            "as Asia/Shanghai."
        ) from err


#: How a time reads for people (report.html, review history, CLI summaries, the CSV export):
#: minutes are enough, and the zone is said once beside it, not on every value.
DISPLAY_FORMAT = "%Y-%m-%d %H:%M"


def office_time(value: datetime | str | None, zone: ZoneInfo) -> datetime | None:
    """A stored time (ISO text or datetime; naive means UTC) on the office's wall clock."""
    moment = parse_time(value) if isinstance(value, str) or value is None else value
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def office_text(value: datetime | str | None, zone: ZoneInfo) -> str | None:
    """A stored time as people read it: ``2026-11-24 10:00`` in `zone`; None when there is none."""
    moment = office_time(value, zone)
    return moment.strftime(DISPLAY_FORMAT) if moment else None
