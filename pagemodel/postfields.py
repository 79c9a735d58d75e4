"""A post's time, floor and author, read from the words a forum or comment template shows.

Forum software prints times in a dozen shapes (``发表于 2024-3-8 09:15:22``, ``2024年 2月 20日,
16:12``, ``Tue Feb 20, 2024 8:12 am``, ``2005年6月1日 下午 3:20``) and floors as names
(楼主, 沙发, 板凳, 地板) or numbers (``5#``, ``5楼``, ``#5``). Relative times (``3 天前``,
``昨天 10:20``) have no date without the fetch time and give None: Discuz! keeps the absolute
time in a ``title`` attribute, which the caller tries first.
"""

from __future__ import annotations

import re
from datetime import datetime

from pagemodel.textutil import squash

MAX_AUTHOR_CHARS = 100
_YEARS = range(1990, 2101)

_TIME = (
    r"(?:[\sT,，]*(?:at\s+)?(?P<ap1>上午|下午|中午|晚上|凌晨|早上)?\s*"
    r"(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?"
    r"(?:\s*(?P<ap2>[ap]\.?\s?m\b\.?))?)?"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATES = (
    # 2024-3-8, 2024/03/08, 2024.3.8, 2024年3月8日
    re.compile(
        r"(?<!\d)(?P<y>\d{4})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
        + _TIME,
        re.IGNORECASE,
    ),
    # Feb 20, 2024 / February 20th, 2024 at 7:32 pm (phpBB, WordPress in English)
    re.compile(
        _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)" + _TIME,
        re.IGNORECASE,
    ),
    # 20 Feb 2024, 08:12
    re.compile(
        r"(?<!\d)(?P<d>\d{1,2})\s+" + _MONTH + r",?\s+(?P<y>\d{4})(?!\d)" + _TIME, re.IGNORECASE
    ),
    # 2月 20, 2024 8:12 am (phpBB 3.0's Chinese language pack keeps the English order)
    re.compile(
        r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?\s*[,，]\s*(?P<y>\d{4})(?!\d)" + _TIME,
        re.IGNORECASE,
    ),
)
_LETTERS = re.compile(r"[A-Za-z]{3}")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:?\d{2}|Z)?$")
_PM = ("下午", "晚上")

# "3 天前", "半小时前", "刚刚", "昨天 20:13", "05-12 21:05": a time, but no date to give.
_RELATIVE = re.compile(
    r"^\s*(?:[\d半一两三四五六七八九十]+\s*(?:秒|分钟|小时|天|周|个月|月|年)前|刚刚|(?:今天|昨天|前天)"
    r"\s*\d{1,2}:\d{2}|\d{1,2}[-/月]\d{1,2}日?\s+\d{1,2}:\d{2})(?:\s|$)"
)
_FLOOR_NAMES = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}
_FLOOR_NUMBER = re.compile(
    r"(?:第\s*)?(?<!\d)(\d{1,7})\s*(?:#|＃|楼|层|F\b)|[#＃]\s*(\d{1,7})(?!\d)|^\s*(\d{1,7})\s*$"
)
_FLOOR_NAME = re.compile("|".join(_FLOOR_NAMES))

# What templates print around a name: "由 admin »", "by admin", "作者：admin", "admin 说道：".
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?:由|by)\s+|(?:作者|发表人|发布人|发帖人)\s*[:：]\s*)", re.IGNORECASE
)
_AUTHOR_SUFFIX = re.compile(
    r"\s*(?:说道|说|says|wrote|写道|的评论|发表于.*)\s*[:：]?\s*$", re.IGNORECASE
)


def parse_post_time(value: str | None) -> str | None:
    """``"发表于 2024-3-8 09:15:22"`` → ``"2024-03-08T09:15:22"``; None when there is no date.

    An ISO 8601 time (``<time datetime>``) comes back unchanged, zone and all; the others are
    local times without a zone, as the page shows them."""
    if not value:
        return None
    value = value.strip()
    if _ISO.match(value):
        return value
    # The other shapes only where their words are: English months, "2月 20, 2024".
    patterns = [_DATES[0]]
    if _LETTERS.search(value):
        patterns += _DATES[1:3]
    if "月" in value and ("," in value or "，" in value):
        patterns.append(_DATES[3])
    best = None
    for pattern in patterns:
        match = pattern.search(value)
        if match is not None and (best is None or match.start() < best.start()):
            best = match
    return _moment(best) if best is not None else None


def _moment(match: re.Match[str]) -> str | None:
    parts = match.groupdict()
    year, day = int(parts["y"]), int(parts["d"])
    if year not in _YEARS:
        return None
    month = _MONTHS.index(parts["mon"][:3].lower()) + 1 if parts.get("mon") else int(parts["m"])
    hour = int(parts["H"] or 0)
    marker = parts.get("ap1") or parts.get("ap2")
    if marker:
        marker = marker.lower().replace(".", "").replace(" ", "")
        if (marker in ("pm", *_PM) and hour < 12) or (marker == "中午" and hour < 11):
            hour += 12
        elif marker == "am" and hour == 12:
            hour = 0
    try:
        return datetime(
            year, month, day, hour, int(parts["M"] or 0), int(parts["S"] or 0)
        ).isoformat()
    except ValueError:
        return None


def shows_time(value: str | None) -> bool:
    """True when ``value`` is a time, absolute or relative (``3 天前``) as comment lists show."""
    return bool(value) and (parse_post_time(value) is not None or bool(_RELATIVE.match(value)))


def parse_floor(value: str | None, offset: int = 0) -> int | None:
    """The post's place in the thread, 1 for the opening post: 楼主 → 1, 沙发 → 2, ``5#`` → 5.

    ``offset`` is added to a shown number, for engines that number replies (PHPWind: 楼主,
    沙发, 板凳, 地板, then ``4楼`` for the fifth post)."""
    if not value:
        return None
    match = _FLOOR_NUMBER.search(value)
    name = _FLOOR_NAME.search(value)
    if name is not None and (match is None or name.start() < match.start()):
        return _FLOOR_NAMES[name.group(0)]
    if match is None:
        return None
    number = int(next(group for group in match.groups() if group))
    return number + offset if 0 < number + offset < 10_000_000 else None


def clean_author(value: str | None) -> str | None:
    """A user name without the words around it; None when nothing is left."""
    if not value:
        return None
    author = squash(value, MAX_AUTHOR_CHARS)
    author = author.split("»")[0].strip()
    author = _AUTHOR_SUFFIX.sub("", _AUTHOR_PREFIX.sub("", author)).strip(" :：|")
    return author or None
