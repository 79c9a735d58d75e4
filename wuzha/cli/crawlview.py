"""How a sweep looks in the terminal: a live panel while it runs, a summary when it ends.

Shared by `wuzha crawl` and `wuzha demo`; fed by the snapshots of
:class:`crawler.extensions.progress.CrawlProgress`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Self

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.progress_bar import ProgressBar
from rich.table import Table


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render_snapshot(snap: dict[str, Any]) -> Group:
    total = max(1, snap.get("sites_total", 0))
    done = snap.get("sites_done", 0)
    levels = snap.get("levels", {})
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "sites",
        f"{done}/{snap.get('sites_total', 0)} done, {snap.get('sites_running', 0)} running",
    )
    table.add_row("pages", f"{snap.get('pages', 0)}  ({snap.get('rate', 0.0):.1f}/s)")
    table.add_row(
        "hits",
        f"[red]high {levels.get('high', 0)}[/]  [yellow]medium {levels.get('medium', 0)}[/]  "
        f"low {levels.get('low', 0)}",
    )
    table.add_row("errors", f"{snap.get('errors', 0)}  (blocked unsafe: {snap.get('blocked', 0)})")
    table.add_row("time", f"{_duration(snap.get('elapsed'))}  ETA {_duration(snap.get('eta'))}")
    return Group(ProgressBar(total=total, completed=done, width=50), table)


class CrawlDisplay:
    """A rich Live panel updated from the crawl's progress callback (same thread as the reactor)."""

    def __init__(self, enabled: bool = True, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self._live: Live | None = None
        self.last: dict[str, Any] = {}

    def __enter__(self) -> Self:
        if self.enabled:
            self._live = Live(console=self.console, refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
            self._live = None

    def update(self, snap: dict[str, Any]) -> None:
        self.last = snap
        if self._live is not None:
            self._live.update(render_snapshot(snap))


def spool_sentence(waiting: int, spool: Path | None) -> str:
    """What the operator reads when documents of the sweep could not reach Elasticsearch."""
    where = f" {spool}" if spool is not None else ""
    return (
        f"Elasticsearch was unreachable: {waiting} document(s) of this sweep wait in the "
        f"spool{where}; run `wuzha es replay` once it answers (the next crawl also sends them "
        "first)."
    )


def _whole_sweep(out_dir: Path | None) -> dict[str, Any] | None:
    """summary.json of the sweep in ``out_dir``: after --resume it covers the interrupted runs
    too, where this process's own figures cover only what it fetched."""
    if out_dir is None:
        return None
    try:
        summary = json.loads((out_dir / "summary.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(summary, dict) and isinstance(summary.get("findings"), dict)
    return summary if ok else None


def print_summary(
    console: Console, result: Any, log_file: Path | None = None, spool: Path | None = None
) -> None:
    """The closing summary: figures, sites by outcome, every failed site with its reason, and
    what waits in the spool (``spool``: its directory)."""
    states = result.site_states
    snap = result.progress or {}
    by_status: dict[str, int] = {}
    for state in states.values():
        by_status[state["status"]] = by_status.get(state["status"], 0) + 1
    levels = snap.get("levels", {})
    pages = snap.get("pages", sum(s["pages"] for s in states.values()))
    findings = snap.get("findings", 0)
    whole = _whole_sweep(result.out_dir)
    if whole and whole.get("pages", pages) != pages:  # a resumed sweep: count all of it
        levels = whole["findings"].get("by_level", {})
        pages_text = f"{whole['pages']} ({pages} in this run)"
        findings = whole["findings"].get("pages", findings)
    else:
        pages_text = str(pages)
    ended = "completed" if result.completed else f"stopped ({result.finish_reason})"
    console.print(
        f"\n[bold]Sweep {escape(result.run_id)} {ended}[/] in {_duration(result.seconds)}"
    )
    figures = Table(show_header=False, box=None, padding=(0, 2))
    figures.add_row("sites", ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "0")
    figures.add_row("pages", pages_text)
    figures.add_row(
        "findings",
        f"{findings} pages; high {levels.get('high', 0)}, "
        f"medium {levels.get('medium', 0)}, low {levels.get('low', 0)}",
    )
    figures.add_row("errors", str(sum(s["errors"] for s in states.values())))
    if snap.get("blocked"):
        figures.add_row("blocked", f"{snap['blocked']} requests to non-public addresses refused")
    console.print(figures)
    failed = [s for s in states.values() if s["status"] in ("failed", "timeout")]
    if failed:
        table = Table(
            title=f"Sites that failed or ran out of time ({len(failed)})", title_justify="left"
        )
        table.add_column("site")
        table.add_column("url")
        table.add_column("status")
        table.add_column("reason")
        for state in failed[:40]:
            table.add_row(
                escape(state["name"][:40]),
                escape(state["url"][:60]),
                state["status"],
                escape(state["reason"][:100]),
            )
        console.print(table)
        if len(failed) > 40:
            console.print(f"… and {len(failed) - 40} more (see summary.json)")
    waiting = int(result.stats.get("es/spool_pending") or 0)
    if waiting:
        console.print(f"[yellow]{escape(spool_sentence(waiting, spool))}[/]")
    if result.out_dir is not None:
        report = Path(result.out_dir) / "report.html"
        if report.exists():
            console.print(f"Report: [bold]{report.resolve()}[/]")
        console.print(f"Results: {Path(result.out_dir).resolve()}")
    if log_file is not None:
        console.print(f"Log: {log_file}")
