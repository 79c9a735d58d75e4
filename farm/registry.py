"""The office's site registry for a farm, as CSV or XLSX with the Chinese headers it uses.

The optional "bad rows" variant inserts rows the importer must reject by line (missing URL,
malformed URL, a duplicate written differently); the truth lists each with its line number
(line 1 is the header, as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from farm.model import FarmLike

COLUMNS = ("网站名称", "网址", "ICP备案号", "所属区县", "网站类型", "主办单位", "渲染")


@dataclass
class RegistryRow:
    values: dict[str, str]
    site_index: int | None  # None for a deliberately bad row
    reason: str | None = None  # missing_url | malformed_url | duplicate


def _written_url(site, rng: random.Random) -> str:
    # Registries are typed by hand: scheme and trailing slash come and go.
    roll = rng.random()
    if roll < 0.6:
        return site.url
    if roll < 0.8:
        return site.url.rstrip("/")
    return site.host


def registry_rows(
    farm: FarmLike, *, bad_rows: bool = False
) -> tuple[list[RegistryRow], list[dict[str, Any]]]:
    """Rows in file order, and the expected per-line errors of the bad rows."""
    rows: list[RegistryRow] = []
    for site in farm.sites:
        rng = random.Random(f"{farm.seed}:registry:{site.index}")
        rows.append(
            RegistryRow(
                {
                    "网站名称": site.name,
                    "网址": _written_url(site, rng),
                    "ICP备案号": site.icp,
                    "所属区县": site.district,
                    "网站类型": site.site_type,
                    "主办单位": site.owner,
                    "渲染": "是" if site.registry_render else "否",
                },
                site.index,
            )
        )
    if not bad_rows:
        return rows, []
    first = farm.sites[0]
    bad = [
        RegistryRow(
            {
                "网站名称": "城西社区服务网",
                "网址": "",
                "ICP备案号": "湘ICP备2019000001号",
                "所属区县": "城关区",
                "网站类型": "政务服务",
                "主办单位": "城西街道办事处",
                "渲染": "否",
            },
            None,
            "missing_url",
        ),
        RegistryRow(
            {
                "网站名称": "老城商贸网",
                "网址": "http//127.0.0.1:abc/",
                "ICP备案号": "湘ICP备2019000002号",
                "所属区县": "城关区",
                "网站类型": "企业网站",
                "主办单位": "老城商贸有限公司",
                "渲染": "否",
            },
            None,
            "malformed_url",
        ),
        RegistryRow(
            {
                "网站名称": first.name,
                "网址": first.host + "/",
                "ICP备案号": first.icp,
                "所属区县": first.district,
                "网站类型": first.site_type,
                "主办单位": first.owner,
                "渲染": "否",
            },
            None,
            "duplicate",
        ),
        RegistryRow(
            {
                "网站名称": "便民导航",
                "网址": "javascript:alert(1)",
                "ICP备案号": "",
                "所属区县": "高新区",
                "网站类型": "综合门户",
                "主办单位": "个人",
                "渲染": "否",
            },
            None,
            "malformed_url",
        ),
    ]
    # Spread the bad rows so their line numbers are not just "the last ones".
    for offset, row in zip((2, 5, 9, 14), bad):
        rows.insert(min(offset, len(rows)), row)
    expected = [
        {
            "line": line,
            "reason": row.reason,
            "name": row.values["网站名称"],
            "url": row.values["网址"],
        }
        for line, row in enumerate(rows, start=2)
        if row.reason
    ]
    return rows, expected


def write_registry(
    farm: FarmLike, path: Path, *, bad_rows: bool = False, encoding: str = "utf-8-sig"
) -> Path:
    rows, _ = registry_rows(farm, bad_rows=bad_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows([row.values[c] for c in COLUMNS] for row in rows)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("网站备案登记")
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append([row.values[c] for c in COLUMNS])
        book.save(path)
    else:
        raise ValueError(f"registry file must end in .csv or .xlsx, not {path.name!r}")
    return path
