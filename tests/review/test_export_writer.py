"""Laying out export rows: Chinese headers, frozen header, autofilter, formulas stay text."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from indexer.export import TAKEDOWN_COLUMNS, neutralise, write_csv, write_xlsx

PAYLOADS = [
    '=HYPERLINK("http://x","点我")',
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "＝SUM(1,1)",  # full-width: a formula in Chinese-locale spreadsheets too
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_prefixes_formula_triggers(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", ["平安社区论坛", "http://a.test/=x", "1+1", "a@b", ""])
def test_neutralise_leaves_ordinary_text(text):
    assert neutralise(text) == text


def test_neutralise_drops_xml_illegal_characters_and_caps_length():
    assert neutralise("a\x00b\x1fc") == "abc"
    assert len(neutralise("字" * 40_000)) == 32_767


ROW = {
    "change": "新增",
    "site_name": '=HYPERLINK("http://x","点我")',
    "domain": "evil.test",
    "icp": "京ICP备00000001号",
    "district": "海淀区",
    "owner": "@SUM(1)",
    "categories": "刷单返利",
    "max_score": 91.5,
    "fraud_pages": 3,
    "evidence_1": "-1+2 加微信 abc",
    "evidence_1_url": "http://evil.test/a",
    "evidence_2": None,
    "review_status": "已确认",
    "reviewer": "张三",
}


def test_xlsx_keeps_payloads_as_text_and_has_the_layout(tmp_path):
    out = tmp_path / "t.xlsx"
    assert write_xlsx([ROW], out) == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["涉诈网站下线候选"]
    ws = wb.active
    assert [c.value for c in ws[1]] == [c.header for c in TAKEDOWN_COLUMNS]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:W2"
    cells = {TAKEDOWN_COLUMNS[i].key: c for i, c in enumerate(ws[2])}
    for key in ("site_name", "owner", "evidence_1"):
        assert cells[key].data_type == "s", key
        assert cells[key].value == "'" + ROW[key]
    assert cells["max_score"].value == 91.5 and cells["max_score"].data_type == "n"
    assert cells["fraud_pages"].value == 3
    assert cells["evidence_1_url"].hyperlink.target == "http://evil.test/a"
    assert cells["evidence_2"].value in (None, "")
    assert ws.column_dimensions["B"].width >= 20


def test_xlsx_never_links_a_non_http_url(tmp_path):
    out = tmp_path / "t.xlsx"
    write_xlsx([{"evidence_1_url": "javascript:alert(1)"}], out)
    cell = openpyxl.load_workbook(out).active["N2"]
    assert cell.value == "javascript:alert(1)" and cell.hyperlink is None


def test_csv_is_utf8_with_bom_and_neutralised(tmp_path):
    out = tmp_path / "t.csv"
    assert write_csv([ROW], out) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert rows[0][:3] == ["状态变化", "网站名称", "域名"]
    assert rows[1][1] == "'" + ROW["site_name"]
    assert rows[1][5] == "'@SUM(1)"
    assert rows[1][[c.key for c in TAKEDOWN_COLUMNS].index("max_score")] == "91.5"
