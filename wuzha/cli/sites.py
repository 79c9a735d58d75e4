"""`wuzha sites …`: the office's site registry."""

from __future__ import annotations

from pathlib import Path

import click

from ground.settings import get_settings
from wuzha.cli.errors import UsageError


@click.group()
def sites() -> None:
    """The registry of sites the sweep crawls."""


@sites.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and print what would be stored; do not write to Elasticsearch.",
)
def import_(file: Path, dry_run: bool) -> None:
    """Read the registry FILE (CSV or XLSX, Chinese or English headers) and store its sites in
    the <prefix>-sites index. Bad rows are listed by line with the reason; the rest is imported.
    Importing again updates the rows and keeps reviewers' decisions and crawl risk."""
    from rich.console import Console

    from crawler.registry import load_registry

    console = Console(highlight=False)
    result = load_registry(file)
    encoding = f", {result.encoding}" if result.encoding else ""
    console.print(
        f"{file.name}: {result.rows} row(s){encoding} → {len(result.sites)} site(s), "
        f"{len(result.duplicates)} duplicate(s), {len(result.errors)} bad row(s)"
    )
    for error in result.errors:
        console.print(f"  [red]bad[/red]       {error}", markup=True, soft_wrap=True)
    for duplicate in result.duplicates:
        console.print(f"  [yellow]duplicate[/yellow] {duplicate}", soft_wrap=True)
    for warning in result.warnings:
        console.print(f"  [yellow]warning[/yellow]   {warning}", soft_wrap=True)
    if not result.sites:
        raise UsageError(
            f"no valid site in {file}: every row was bad or a duplicate (see above); fix the "
            "网址/域名 column and import again"
        )
    if dry_run:
        console.print(f"Dry run: {len(result.sites)} site(s) would be stored; nothing written.")
        return

    from indexer.writer import BulkWriter

    settings = get_settings()
    with console.status(f"Storing {len(result.sites)} site(s) in {settings.index_prefix}-sites…"):
        writer = BulkWriter(settings)
        try:
            for site in result.sites:
                writer.upsert_site(site)
        finally:
            stats = writer.close()
    for line in writer.summary():
        console.print(line)
    if not stats.get("es/failed") and not stats.get("es/spooled"):
        console.print(f"Imported {len(result.sites)} site(s) into {settings.index_prefix}-sites.")
