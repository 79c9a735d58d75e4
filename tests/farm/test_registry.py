from __future__ import annotations

import csv

from click.testing import CliRunner
from openpyxl import load_workbook

import farm
from wuzha.cli import cli


def _csv_rows(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_round_trip_with_chinese_headers(tmp_path, small_farm):
    path = small_farm.write_registry(tmp_path / "sites.csv")
    rows = _csv_rows(path)
    assert list(rows[0]) == list(farm.REGISTRY_COLUMNS)
    assert len(rows) == len(small_farm.sites)
    for row, site in zip(rows, small_farm.sites):
        assert row["网站名称"] == site.name
        assert row["ICP备案号"] == site.icp
        assert f"127.0.0.1:{site.port}" in row["网址"]
        assert row["渲染"] == ("是" if site.registry_render else "否")


def test_xlsx_round_trip(tmp_path, small_farm):
    path = small_farm.write_registry(tmp_path / "sites.xlsx")
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == farm.REGISTRY_COLUMNS
    assert [r[0] for r in rows[1:]] == [s.name for s in small_farm.sites]
    assert {r[6] for r in rows[1:]} == {"是", "否"}


def test_bad_rows_are_where_the_truth_says(tmp_path, small_farm, truth):
    path = small_farm.write_registry(tmp_path / "bad.csv", bad_rows=True)
    lines = {i: row for i, row in enumerate(_csv_rows(path), start=2)}  # line 1 is the header
    bad = truth["registry"]["bad_rows"]
    assert {b["reason"] for b in bad} == {"missing_url", "malformed_url", "duplicate"}
    for expected in bad:
        assert lines[expected["line"]]["网站名称"] == expected["name"]
        assert lines[expected["line"]]["网址"] == expected["url"]
    assert len(lines) == len(small_farm.sites) + len(bad)


def test_gb18030_csv(tmp_path, small_farm):
    path = small_farm.write_registry(tmp_path / "gbk.csv", encoding="gb18030")
    assert _csv_rows(path, "gb18030")[0]["网站名称"] == small_farm.sites[0].name


def test_cli_writes_registry_and_truth(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["farm", "registry", str(tmp_path / "r.xlsx"), "--sites", "25", "--seed", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "25 sites" in result.output
    result = runner.invoke(
        cli, ["farm", "truth", str(tmp_path / "t.json"), "--sites", "25", "--seed", "2"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.json").read_text(encoding="utf-8").count('"kind"') >= 25


def test_cli_rejects_other_registry_formats(tmp_path):
    result = CliRunner().invoke(cli, ["farm", "registry", str(tmp_path / "r.txt")])
    assert result.exit_code != 0
