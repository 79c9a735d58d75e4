"""`wuzha kibana …`: import wuzha's data views, saved searches and dashboard into Kibana."""

from __future__ import annotations

import click

from ground.errors import WuzhaError
from ground.settings import get_settings
from indexer.errors import KibanaUnreachable, KibanaUrlMissing
from wuzha.cli.errors import said_with_flags


def url_sentence(err: WuzhaError) -> str | None:
    """No Kibana, or none where the URL points, said with --url."""
    match err:
        case KibanaUrlMissing():
            return (
                "No Kibana URL: pass --url http://HOST:5601 or set KIBANA_URL "
                "(kibana/docker-compose.yml starts one on http://127.0.0.1:5601)."
            )
        case KibanaUnreachable():
            return (
                f"Kibana at {err.url} is not reachable ({err.reason}): start it "
                "(see the README section on Docker Compose) or pass the right --url."
            )
    return None


@click.group()
def kibana() -> None:
    """Kibana: data views, saved searches and the review dashboard."""


@kibana.command()
@click.option("--url", help="Kibana URL (default: the KIBANA_URL setting).")
def setup(url: str | None) -> None:
    """Import the saved objects from kibana/*.ndjson (overwrites them; safe to re-run)."""
    from indexer.kibana import import_objects

    settings = get_settings()
    with said_with_flags(url_sentence):
        result = import_objects(settings, url=url)
    target = (url or settings.kibana_url or "").rstrip("/")
    click.echo(
        f"Imported {result.success_count} saved objects into {target} "
        f"(data views for {settings.index_prefix}-pages/-hits/-sites/-crawls, saved searches, "
        "dashboard 「无诈 涉诈网站监测」)."
    )
