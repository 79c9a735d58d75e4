"""`wuzha rescan`: run the current rule packs again over pages stored in Elasticsearch."""

from __future__ import annotations

from datetime import datetime

import click

from ground.settings import get_settings
from wuzha.cli._connect import elasticsearch
from wuzha.cli.errors import said_with_flags
from wuzha.cli.review import target_sentence


@click.command()
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only pages fetched on or after this date (UTC), e.g. 2026-11-01.",
)
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="SITE",
    help="Only this site (registry URL, host[:port] or name); repeat for more.",
)
@click.option("--batch-size", default=250, show_default=True, help="Pages read per request.")
def rescan(since: datetime | None, sites: tuple[str, ...], batch_size: int) -> None:
    """Re-scan stored pages with the current rules: new hits, cleared hits, level changes.

    Review decisions are never changed; hits that no longer match are marked inactive
    (hit.active: false), not deleted.
    """
    from datetime import UTC

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from indexer.rescan import count_pages, pages_query
    from indexer.rescan import rescan as run_rescan
    from indexer.review_targets import resolve_site
    from rules import load_engine

    settings = get_settings()
    since_utc = since.replace(tzinfo=UTC) if since else None
    engine = load_engine()
    with elasticsearch(settings) as client:
        with said_with_flags(target_sentence):
            site_ids = [resolve_site(client, settings, s).id for s in sites] if sites else None
        total = count_pages(client, settings, pages_query(since_utc, site_ids))
        click.echo(
            f"Rules: {len(engine.rule_versions)} (fingerprint {engine.fingerprint}); "
            f"{total} stored page(s) to scan."
        )
        with Progress(
            TextColumn("rescan"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} pages/s"),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("rescan", total=total, rate="-")

            def advance(n: int) -> None:
                bar.advance(task, n)
                elapsed = bar.tasks[0].elapsed or 0
                if elapsed:
                    bar.update(task, rate=f"{bar.tasks[0].completed / elapsed:,.0f}")

            report = run_rescan(
                client,
                settings,
                engine=engine,
                since=since_utc,
                site_ids=site_ids,
                batch_size=batch_size,
                progress=advance,
            )
    click.echo(
        f"{report.pages} page(s) rescanned in {report.seconds:.1f}s "
        f"({report.pages_per_second:,.0f} pages/s)."
    )
    click.echo(
        f"New hits: {report.new_hits}; hits no longer matching (marked inactive): "
        f"{report.cleared_hits}; pages whose level changed: {report.level_changes}."
    )
    for rule_id, url in report.new_examples[:10]:
        click.echo(f"  + {rule_id}  {url}")
    for rule_id, url in report.cleared_examples[:10]:
        click.echo(f"  - {rule_id}  {url}")
    for url, old, new in report.level_examples[:10]:
        click.echo(f"  {old} -> {new}  {url}")
    for label in report.recurred:
        click.secho(f"recurred: {label} shows fraud again after its takedown", fg="yellow")
    failed = sum(v for k, v in report.write_stats.items() if k.startswith("es/failed/"))
    spooled = report.write_stats.get("es/spooled", 0)
    if failed or spooled:
        click.secho(
            f"{failed} update(s) refused, {spooled} spooled (replayed by `wuzha es replay`).",
            fg="red",
        )
    click.echo(f"Recorded as run {report.run_id}.")
