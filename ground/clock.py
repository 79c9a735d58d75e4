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
