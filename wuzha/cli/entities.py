"""`wuzha entities`: contact and money identifiers that appear on several sites."""

from __future__ import annotations

import json

import click

from ground.errors import WuzhaError
from ground.settings import get_settings
from indexer.errors import BadThreshold
from wuzha.cli._connect import elasticsearch
from wuzha.cli.errors import said_with_flags


def threshold_sentence(err: WuzhaError) -> str | None:
    """A threshold below one, said with --min-sites."""
    if isinstance(err, BadThreshold):
        return "--min-sites must be 1 or more."
    return None


@click.command()
@click.option("--min-sites", default=2, show_default=True, help="Seen on at least this many sites.")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="T",
    help="phone, qq, qq_group, wechat, bank_card, usdt_trc20, usdt_erc20 (usdt: both), "
    "telegram; repeat for several (default: all of them).",
)
@click.option("--limit", default=200, show_default=True, help="Most identifiers listed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def entities(min_sites: int, types: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Phones, QQ, WeChat ids, bank cards, wallets and Telegram handles seen on several sites,
    with the sites and an example page on each."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from indexer.entity_queries import resolve_types, shared_entities

    settings = get_settings()
    wanted = resolve_types(types)
    with said_with_flags(threshold_sentence), elasticsearch(settings) as client:
        found = shared_entities(client, settings, min_sites=min_sites, types=wanted, limit=limit)
    if as_json:
        for entity in found:
            click.echo(json.dumps(entity.to_dict(), ensure_ascii=False))
        return
    if not found:
        click.echo(f"No {'/'.join(wanted)} identifier is on {min_sites} or more sites.")
        return
    table = Table(title=f"Identifiers on ≥ {min_sites} sites", show_lines=True)
    for column in ("type", "value", "sites", "pages", "where (site: example page)"):
        table.add_column(column)
    for entity in found:
        where = "\n".join(
            f"{escape(s.name or s.domain or s.site_id)}: {escape(s.example_url or '')}"
            for s in entity.sites[:10]
        )
        if len(entity.sites) > 10:
            where += f"\n… {len(entity.sites) - 10} more"
        table.add_row(
            entity.type, escape(entity.value), str(entity.site_count), str(entity.page_count), where
        )
    Console().print(table)
    click.echo(f"{len(found)} identifier(s) on {min_sites}+ sites.")
