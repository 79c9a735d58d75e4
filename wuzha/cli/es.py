"""`wuzha es …`: the local Elasticsearch, index set-up, spool replay."""

from __future__ import annotations

import json

import click

from wuzha import localsearch
from wuzha.config import get_settings


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
    """Which Elasticsearch wuzha uses, and its health."""
    info = localsearch.status(get_settings())
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    if not info["url"]:
        click.echo("No Elasticsearch configured: set ELASTICSEARCH_URL or run `wuzha es up`.")
        raise SystemExit(1)
    health = info["health"]
    state = health["status"] if health else "unreachable"
    click.echo(f"{info['url']} (from {info['source']}): {state}")
    if not health:
        raise SystemExit(1)
