"""`wuzha es …`: the local Elasticsearch, index set-up, spool replay."""

from __future__ import annotations

import json

import click

from ground.settings import get_settings
from wuzha import localsearch
from wuzha.cli.errors import UsageError


@click.group()
def es() -> None:
    """Elasticsearch: start a local server, set up indices, replay the spool."""


@es.command()
@click.option("--wait", default=180.0, show_default=True, help="Seconds to wait for health.")
def up(wait: float) -> None:
    """Fetch (once) and start a single-node Elasticsearch on 127.0.0.1."""
    url = localsearch.up(get_settings(), wait_seconds=wait, echo=click.echo)
    click.echo(url)


@es.command()
def down() -> None:
    """Stop the local Elasticsearch started by `wuzha es up`."""
    localsearch.down(get_settings(), echo=click.echo)


@es.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Which Elasticsearch wuzha uses, its health, and what waits in the spool."""
    from indexer.spool import Spool

    settings = get_settings()
    info = localsearch.status(settings)
    spool = Spool(settings.spool_path)
    info["spool"] = {
        "path": str(spool.path),
        "files": len(spool.files()),
        "documents": spool.pending(),
    }
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    if not info["url"]:
        click.echo("No Elasticsearch configured: set ELASTICSEARCH_URL or run `wuzha es up`.")
    else:
        health = info["health"]
        state = health["status"] if health else "unreachable"
        click.echo(f"{info['url']} (from {info['source']}): {state}")
    click.echo(spool_line(info["spool"]))
    if not info["url"] or not info["health"]:
        raise SystemExit(1)


def spool_line(spool: dict) -> str:
    """The spool's size as `wuzha es status` says it."""
    if not spool["documents"]:
        return f"Spool: empty ({spool['path']})."
    return (
        f"Spool: {spool['documents']} document(s) in {spool['files']} batch file(s) wait in "
        f"{spool['path']}; run `wuzha es replay` when Elasticsearch answers."
    )


@es.command()
def setup() -> None:
    """Create or update index templates, indices and aliases (idempotent; run on every deploy)."""
    from rich.console import Console
    from rich.table import Table

    from indexer.client import resolve_url
    from indexer.setup import setup as run_setup

    settings = get_settings()
    report = run_setup(settings)
    table = Table(title=f"Elasticsearch set-up at {resolve_url(settings)}")
    for column in ("object", "name", "result", "detail"):
        table.add_column(column, no_wrap=True)
    colours = {"created": "green", "updated": "yellow", "unchanged": "dim"}
    for what, name, action, detail in report.steps:
        table.add_row(what, name, f"[{colours[action]}]{action}[/]", detail)
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)
    console.print(f"Set-up complete: {report.summary()}.")


@es.command()
def replay() -> None:
    """Send documents spooled while Elasticsearch was unreachable (safe to run any time)."""
    from rich.progress import Progress

    from indexer.spool import Spool
    from indexer.spool import replay as run_replay

    settings = get_settings()
    spool = Spool(settings.spool_path)
    files, pending = len(spool.files()), spool.pending()
    if not files:
        if not _fold_kept_verdicts(settings):
            click.echo(f"Nothing to replay: the spool {spool.path} is empty.")
        return
    click.echo(f"Replaying {pending} document(s) in {files} batch file(s) from {spool.path}…")
    with Progress(transient=True) as progress:
        task = progress.add_task("replaying", total=files)
        report = run_replay(
            settings, progress=lambda done, total: progress.update(task, completed=done)
        )
    if report.busy:
        raise UsageError(
            "Another process is replaying the spool right now; try again when it is done."
        )
    click.echo(
        f"Replayed {report.actions_sent} document(s) from {report.files_done} file(s); "
        f"{report.remaining} still spooled."
    )
    failed = {
        k.removeprefix("es/failed/"): v
        for k, v in report.stats.items()
        if k.startswith("es/failed/")
    }
    if failed:
        reasons = ", ".join(f"{reason}: {n}" for reason, n in failed.items())
        click.echo(
            f"{sum(failed.values())} document(s) refused ({reasons}); see {spool.rejected_dir}."
        )
    if report.error:
        raise UsageError(
            f"Replay stopped: {report.error} The rest stays spooled; run `wuzha es replay` again."
        )
    _fold_kept_verdicts(settings)  # after the documents: the site documents come first


def _fold_kept_verdicts(settings) -> int:
    """Fold in the site verdicts of sweeps that ended while Elasticsearch was away (kept
    apart from the spool: see indexer.site_verdicts); returns how many sweeps."""
    from indexer.site_verdicts import PendingSweeps, apply_pending
    from wuzha.cli._connect import elasticsearch

    if not PendingSweeps(settings.spool_path / "verdicts").files():
        return 0
    with elasticsearch(settings) as client:
        done = apply_pending(client, settings).stats["verdicts/replayed_sweeps"]
    click.echo(f"Recorded the site verdicts of {done} sweep(s) kept while Elasticsearch was away.")
    return done
