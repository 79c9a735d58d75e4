"""`wuzha sites …`: the office's site registry."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ground.settings import get_settings
from wuzha.cli.errors import UsageError

SHOWN_PER_KIND = 20  # sites listed by name per kind of change; the rest is counted


@click.group()
def sites() -> None:
    """The registry of sites the sweep crawls."""


@sites.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--prune",
    is_flag=True,
    help="Retire stored sites this file no longer lists: kept with their review history, "
    "no longer crawled (crawl --from-index) or exported.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and print what would be added, changed and retired (reads the sites "
    "index); write nothing.",
)
def import_(file: Path, prune: bool, dry_run: bool) -> None:
    """Read the registry FILE (CSV or XLSX, Chinese or English headers) and store its sites in
    the <prefix>-sites index. Bad rows are listed by line with the reason; the rest is imported.
    Importing again updates the rows and keeps reviewers' decisions and crawl risk; with
    --prune, sites no longer in the file are retired (listed again later, they are active
    again)."""
    from rich.console import Console
    from rich.markup import escape

    from crawler.registry import load_registry

    console = Console(highlight=False)
    result = load_registry(file)
    encoding = f", {result.encoding}" if result.encoding else ""
    console.print(
        f"{file.name}: {result.rows} row(s){encoding} → {len(result.sites)} site(s), "
        f"{len(result.duplicates)} duplicate(s), {len(result.errors)} bad row(s)"
    )
    for error in result.errors:
        console.print(f"  [red]bad[/red]       {escape(str(error))}", soft_wrap=True)
    for duplicate in result.duplicates:
        console.print(f"  [yellow]duplicate[/yellow] {escape(str(duplicate))}", soft_wrap=True)
    for warning in result.warnings:
        console.print(f"  [yellow]warning[/yellow]   {escape(str(warning))}", soft_wrap=True)
    if not result.sites:
        raise UsageError(
            f"no valid site in {file}: every row was bad or a duplicate (see above); fix the "
            "网址/域名 column and import again"
        )

    from indexer.client import connect, resolve_url
    from indexer.errors import IndexerError, translated
    from indexer.site_registry import import_documents, plan_import, stored_sites
    from indexer.templates import alias_name

    settings = get_settings()
    alias = alias_name(settings.index_prefix, "sites")
    try:
        client = connect(settings)
        with translated(resolve_url(settings)), console.status(f"Reading {alias}…"):
            stored = stored_sites(client, settings)
    except IndexerError as err:
        if dry_run:
            raise UsageError(
                f"the file was checked (above), but {alias} cannot be read, so the dry run "
                f"cannot tell what would change: {err}"
            ) from err
        raise UsageError(
            f"nothing imported: {alias} cannot be read ({err}). Import again once "
            "Elasticsearch answers."
        ) from err
    plan = plan_import(stored, result.sites, prune=prune)
    _print_plan(console, plan, {site["id"] for site in result.sites})
    if dry_run:
        console.print(
            f"Dry run: would add {len(plan.added)}, change {len(plan.changed)}, retire "
            f"{len(plan.retired)}, leave {plan.unchanged} unchanged; nothing written.",
            soft_wrap=True,
        )
        client.close()
        return

    from indexer.writer import BulkWriter

    with console.status(f"Storing {len(result.sites)} site(s) in {alias}…"):
        writer = BulkWriter(settings, client)
        try:
            writer.add(*import_documents(plan, result.sites))
        finally:
            stats = writer.close()
        if not stats.get("es/spooled"):
            with translated(resolve_url(settings)):
                client.indices.refresh(index=alias)  # `sites list` right after shows them
    client.close()
    for line in writer.summary():
        console.print(line)
    if not stats.get("es/failed") and not stats.get("es/spooled"):
        console.print(
            f"Imported {len(result.sites)} site(s) into {alias}: {len(plan.added)} added, "
            f"{len(plan.changed)} changed, {plan.unchanged} unchanged, "
            f"{len(plan.retired)} retired.",
            soft_wrap=True,
        )


def _print_plan(console, plan, listed: set[str]) -> None:
    """One line per added, changed and retired site (the first few of each)."""
    from rich.markup import escape

    from ground.urls import site_id

    def retired(site) -> str:
        # a record an older wuzha made for a listed site under another id (a site list's own)
        try:
            second = site_id(site.site.get("url") or "") in listed
        except ValueError:
            second = False
        return (
            f"{site.label} (a second record of a listed site, id {site.id})"
            if second
            else site.label
        )

    kinds = (
        ("add", "green", [f"{s['name']} <{s['url']}>" for s in plan.added]),
        ("change", "yellow", [f"{c.label}: {c.describe()}" for c in plan.changed]),
        ("retire", "red", [retired(s) for s in plan.retired]),
    )
    for word, colour, lines in kinds:
        for line in lines[:SHOWN_PER_KIND]:
            console.print(f"  [{colour}]{word:<8}[/{colour}] {escape(line)}", soft_wrap=True)
        if len(lines) > SHOWN_PER_KIND:
            console.print(f"  … and {len(lines) - SHOWN_PER_KIND} more to {word}")
    if plan.absent:
        console.print(
            f"  [yellow]note[/yellow]     {len(plan.absent)} stored site(s) are not in this file "
            "and stay active (import with --prune to retire them): "
            + escape(", ".join(s.label for s in plan.absent[:SHOWN_PER_KIND]))
            + (" …" if len(plan.absent) > SHOWN_PER_KIND else ""),
            soft_wrap=True,
        )


@sites.command(name="list")
@click.option(
    "--status",
    type=click.Choice(["active", "retired"]),
    help="Only active sites (listed by the last import) or retired ones (default: all).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list of site objects instead of a table."
)
def list_(status: str | None, as_json: bool) -> None:
    """The sites stored in the <prefix>-sites index, with their registry and review status."""
    from indexer.client import connect, resolve_url
    from indexer.errors import translated
    from indexer.site_registry import RETIRED, stored_sites
    from indexer.templates import alias_name

    settings = get_settings()
    client = connect(settings)
    try:
        with translated(resolve_url(settings)):
            found = stored_sites(client, settings, status=status)
    finally:
        client.close()
    if as_json:
        click.echo(json.dumps([s.as_json() for s in found], ensure_ascii=False, indent=2))
        return
    alias = alias_name(settings.index_prefix, "sites")
    if not found:
        what = f"no {status} site" if status else "no site"
        click.echo(f"{alias} holds {what}; import the registry with `wuzha sites import FILE`.")
        return
    header = ("status", "review", "id", "url", "ICP", "district", "name")
    rows = [
        (
            site.status,
            site.review_status,
            site.id,
            site.site.get("url") or "",
            site.site.get("icp") or "",
            site.site.get("district") or "",
            site.site.get("name") or "",
        )
        for site in found
    ]
    for line in _columns([header, *rows]):
        click.echo(line)
    retired = sum(1 for s in found if s.status == RETIRED)
    if status:
        click.echo(f"{len(found)} {status} site(s) in {alias}.")
    else:
        click.echo(
            f"{len(found)} site(s): {len(found) - retired} active, {retired} retired ({alias})."
        )


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text, never wrapped or cut (URLs and ids are copied from here); widths
    in terminal cells, so Chinese lines up. The last column (the name) is not padded."""
    from rich.cells import cell_len

    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell + " " * (w - cell_len(cell)) for cell, w in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]
