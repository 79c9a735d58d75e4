"""Writing the weekly takedown-candidate list to XLSX or CSV.

The rows come from :mod:`indexer.takedown_candidates`; this module only lays them out, and makes
sure nothing a crawled page said can run as a formula in a spreadsheet.

Layout: ONE sheet with a district (所属区县) column and an autofilter, not one sheet per
district, because
- the office works the list city-wide (sort by score, filter by status or district) and a
  filter over one sheet does that; per-district sheets would need the same filter ten times
  and make "all still-open sites" impossible to see at once;
- district names come from the registry (untrusted, may be empty, may repeat with variants,
  may contain ``[]:*?/\\`` or exceed Excel's 31-character sheet-name limit);
- the CSV export, which has no sheets, then has exactly the same columns and rows.

Times (首次发现, 最近发现) come in the rows as the office's wall-clock time: real dates in the
XLSX (number format ``yyyy-mm-dd hh:mm``), ``2026-11-24 10:00`` in the CSV.

Untrusted text: a cell whose text starts with ``= + - @`` or a tab/carriage return is prefixed
with ``'`` (OWASP's advice for CSV injection) in both formats, and XLSX cells are written as
explicit strings, so ``=HYPERLINK(…)`` stays text. Characters XML cannot carry are dropped and
cells are capped at Excel's 32,767-character limit.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ground.clock import DISPLAY_FORMAT

# Also their full-width forms: spreadsheets in Chinese locales read ＝SUM(…) as a formula too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXCEL_CELL_LIMIT = 32_767
EXCEL_DATE_FORMAT = "yyyy-mm-dd hh:mm"  # the XLSX's dates read like DISPLAY_FORMAT


@dataclass(frozen=True)
class Column:
    key: str  # key in the row dicts
    header: str  # Chinese header reviewers see
    width: float  # XLSX column width, in characters
    wrap: bool = False
    link: bool = False  # http(s) values become clickable in XLSX


TAKEDOWN_COLUMNS: tuple[Column, ...] = (
    Column("change", "状态变化", 11),
    Column("site_name", "网站名称", 24, wrap=True),
    Column("domain", "域名", 24),
    Column("icp", "ICP备案号", 20),
    Column("district", "所属区县", 12),
    Column("owner", "主办单位", 22, wrap=True),
    Column("disposal", "处置建议", 10),
    Column("verdicts", "站点判定", 36, wrap=True),
    Column("verdict_url", "判定证据链接", 36, link=True),
    Column("categories", "涉诈类别", 22, wrap=True),
    Column("max_score", "最高风险分", 10),
    Column("fraud_pages", "涉诈页面数", 10),
    Column("evidence_1", "证据1摘要", 40, wrap=True),
    Column("evidence_1_url", "证据1链接", 36, link=True),
    Column("evidence_2", "证据2摘要", 40, wrap=True),
    Column("evidence_2_url", "证据2链接", 36, link=True),
    Column("evidence_3", "证据3摘要", 40, wrap=True),
    Column("evidence_3_url", "证据3链接", 36, link=True),
    Column("first_seen", "首次发现", 17),
    Column("last_seen", "最近发现", 17),
    Column("review_status", "审核状态", 12),
    Column("reviewer", "审核人", 10),
    Column("review_note", "审核备注", 24, wrap=True),
)

CHANGE_NAMES_ZH = {"new": "新增", "open": "仍未处理", "closed": "已关闭"}


def neutralise(value: str) -> str:
    """Text that a spreadsheet shows as text: no formula, no control characters."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return value[:EXCEL_CELL_LIMIT]


def cell_value(value: Any) -> Any:
    """Numbers stay numbers; everything else becomes neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.strftime(DISPLAY_FORMAT)  # rows carry office wall-clock times
    return neutralise(str(value))


def write_csv(
    rows: Iterable[Mapping[str, Any]], out: Path, columns: Sequence[Column] = TAKEDOWN_COLUMNS
) -> int:
    """UTF-8 with a BOM, so Excel shows the Chinese right when the file is double-clicked."""
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow([cell_value(row.get(c.key)) for c in columns])
            count += 1
    return count


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    out: Path,
    *,
    title: str = "涉诈网站下线候选",
    columns: Sequence[Column] = TAKEDOWN_COLUMNS,
) -> int:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = column.width
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    count = 0
    for r, row in enumerate(rows, start=2):
        for col, column in enumerate(columns, start=1):
            raw = row.get(column.key)
            cell = ws.cell(row=r, column=col)
            if isinstance(raw, datetime):
                # a real Excel date (sorts and filters as one); Excel has no time zones, so
                # the office's wall-clock time the row carries
                cell.value = raw.replace(tzinfo=None)
                cell.number_format = EXCEL_DATE_FORMAT
                cell.alignment = top
                continue
            value = cell_value(raw)
            cell.value = value
            if isinstance(value, str):
                # openpyxl guesses a formula from a leading "="; the prefix above already
                # prevents that, and the explicit type keeps it so whatever the value.
                cell.data_type = "s"
                if column.link and value.startswith(("http://", "https://")):
                    cell.hyperlink = value
                    cell.font = Font(color="0563C1", underline="single")
            cell.alignment = wrap if column.wrap else top
        count += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(count + 1, 1)}"
    ws.row_dimensions[1].height = 22
    wb.properties.title = title
    wb.save(out)
    return count


def write_rows(
    rows: Iterable[Mapping[str, Any]], out: Path, fmt: str, *, title: str = "涉诈网站下线候选"
) -> int:
    """Write rows in ``fmt`` ("xlsx" or "csv"); returns the number of data rows."""
    if fmt == "csv":
        return write_csv(rows, out)
    if fmt == "xlsx":
        return write_xlsx(rows, out, title=title)
    raise ValueError(f"unknown export format {fmt!r}")
