"""Time as people read it: stored in UTC, shown in the office's time zone (``report_timezone``,
Asia/Shanghai by default) in report.html, review history, the export and CLI summaries; the
XLSX holds real Excel dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

from crawler.report import render_report
from ground.clock import office_text, office_time
from indexer.export import TAKEDOWN_COLUMNS, write_csv, write_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("stored", "zone", "shown"),
    [
        ("2026-11-24T02:00:00Z", "Asia/Shanghai", "2026-11-24 10:00"),
        ("2026-11-24T16:30:00+00:00", "Asia/Shanghai", "2026-11-25 00:30"),  # the next day
        ("2026-11-24T02:00:00.123Z", "Europe/Berlin", "2026-11-24 03:00"),
        ("2026-07-01T02:00:00Z", "Europe/Berlin", "2026-07-01 04:00"),  # summer time
        ("2026-11-24T02:00:00", "Asia/Shanghai", "2026-11-24 10:00"),  # naive: stored UTC
        (None, "Asia/Shanghai", None),
        ("not a time", "Asia/Shanghai", None),
    ],
)
def test_office_text(stored, zone, shown):
    assert office_text(stored, ZoneInfo(zone)) == shown


def test_office_time_is_the_wall_clock_time_in_the_zone():
    moment = office_time("2026-11-24T02:00:00Z", SHANGHAI)
    assert moment is not None and moment.utcoffset().total_seconds() == 8 * 3600
    assert (moment.hour, moment.minute) == (10, 0)


def summary():
    from crawler.tally import SweepTally

    return SweepTally().summary(
        run_id="run-1",
        started="2026-12-01T16:30:00+00:00",
        ended="2026-12-01T17:05:00+00:00",
        finish_reason="finished",
        site_states={},
        stats={},
    )


def test_report_shows_start_and_end_in_the_office_time_zone():
    html = render_report(summary(), [], {}, zone=SHANGHAI)
    assert "开始 2026-12-02 00:30" in html and "结束 2026-12-02 01:05" in html
    assert "Asia/Shanghai" in html
    assert "2026-12-01T16:30" not in html


def test_xlsx_dates_are_real_excel_dates_and_csv_shows_them_as_text(tmp_path):
    row = {c.key: None for c in TAKEDOWN_COLUMNS}
    row.update(
        site_name="甲站",
        first_seen=datetime(2026, 11, 24, 10, 0),
        last_seen=datetime(2026, 11, 26, 11, 30),
    )
    write_xlsx([row], tmp_path / "w.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    columns = [c.key for c in TAKEDOWN_COLUMNS]
    first = ws.cell(row=2, column=columns.index("first_seen") + 1)
    last = ws.cell(row=2, column=columns.index("last_seen") + 1)
    assert first.is_date and first.value == datetime(2026, 11, 24, 10, 0)
    assert last.is_date and last.value == datetime(2026, 11, 26, 11, 30)
    assert first.number_format == "yyyy-mm-dd hh:mm"

    write_csv([row], tmp_path / "w.csv")
    text = (tmp_path / "w.csv").read_text("utf-8-sig")
    assert "2026-11-24 10:00" in text and "2026-11-26 11:30" in text


@pytest.mark.elasticsearch
def test_review_history_shows_decisions_in_the_office_time_zone(es_isolated_settings, monkeypatch):
    import wuzha.cli.review as review_cli
    from indexer import documents
    from indexer.client import connect
    from indexer.templates import alias_name
    from indexer.writer import BulkWriter
    from tests.review.conftest import site

    settings = es_isolated_settings
    monkeypatch.setattr(review_cli, "get_settings", lambda: settings)
    row = site("时区站", "tz.history.test")
    client = connect(settings)
    with BulkWriter(settings, client) as writer:
        writer.upsert_site(row)
        writer.add(
            documents.review_log_document(
                target_type="site",
                target_id=documents.site_fields(row)["id"],
                status="confirmed",
                previous_status="new",
                by="吴审核",
                note=None,
                at="2026-11-24T16:30:00Z",
                site=row,
            )
        )
    client.indices.refresh(index=alias_name(settings.index_prefix, "review-log"))
    client.indices.refresh(index=alias_name(settings.index_prefix, "sites"))
    client.close()
    outcome = CliRunner().invoke(review_cli.review, ["history", "--site", "tz.history.test"])
    assert outcome.exit_code == 0, outcome.output
    assert "2026-11-25 00:30  new -> confirmed  by 吴审核" in outcome.output
    assert "Asia/Shanghai" in outcome.output
    assert "2026-11-24T16:30" not in outcome.output
