"""`wuzha export …`: the weekly takedown-candidate list for the office."""

from __future__ import annotations

from pathlib import Path

import click

from ground.clock import office_text
from ground.errors import WuzhaError
from ground.settings import get_settings
from indexer.errors import BadWeek, NoSuchWeek
from wuzha.cli._connect import elasticsearch
from wuzha.cli.errors import UsageError, said_with_flags


def week_sentence(err: WuzhaError) -> str | None:
    """A week that cannot be read, said with --week."""
    match err:
        case NoSuchWeek():
            return f"--week {err.text!r}: {err.year} has no ISO week {err.number}."
        case BadWeek():
            return f"--week {err.text!r} is not an ISO week: write it like 2026-W48."
    return None


@click.group()
def export() -> None:
    """Exports for the office (XLSX/CSV)."""


@export.command()
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 (default: this week).")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: takedown-<week>.<format> here).",
)
def takedown(week: str | None, fmt: str, out: Path | None) -> None:
    """Sites to take down this week: one row per site with evidence, status and the change
    since last week (新增 / 仍未处理 / 已关闭)."""
    from datetime import UTC, datetime

    from indexer.export import write_rows
    from indexer.takedown_candidates import takedown_rows
    from indexer.weeks import parse_week, report_zone, week_of

    settings = get_settings()
    zone = report_zone(settings)
    with said_with_flags(week_sentence):
        chosen = parse_week(week, zone) if week else week_of(datetime.now(UTC), zone)
    out = out or Path(f"takedown-{chosen.label}.{fmt}")
    if out.suffix.lower() != f".{fmt}":
        raise UsageError(
            f"--out {out} does not end in .{fmt}: name it like takedown-{chosen.label}.{fmt}."
        )
    if out.parent and not out.parent.exists():
        raise UsageError(f"Folder {out.parent} does not exist: create it or choose another --out.")
    with elasticsearch(settings) as client:
        rows = takedown_rows(client, settings, chosen)
    count = write_rows(rows, out, fmt, title=f"下线候选 {chosen.label}")
    changes = {
        name: sum(1 for r in rows if r["change"] == name) for name in ("新增", "仍未处理", "已关闭")
    }
    span = f"{office_text(chosen.start, zone)} – {office_text(chosen.end, zone)} {zone.key}"
    disposals = {
        name: sum(1 for r in rows if r.get("disposal") == name) for name in ("通知整改", "关停")
    }
    click.echo(
        f"{out}: {count} site(s) for {chosen.label} ({span}) — "
        + ", ".join(f"{k} {v}" for k, v in changes.items())
        + "; 处置建议: "
        + ", ".join(f"{k} {v}" for k, v in disposals.items())
    )
