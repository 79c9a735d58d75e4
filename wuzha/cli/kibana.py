"""`wuzha kibana …`: import wuzha's data views, saved searches and dashboard into Kibana."""

from __future__ import annotations

import click

from ground.settings import get_settings


@click.group()
def kibana() -> None:
    """Kibana: data views, saved searches and the review dashboard."""


@kibana.command()
@click.option("--url", help="Kibana URL (default: the KIBANA_URL setting).")
def setup(url: str | None) -> None:
    """Import the saved objects from kibana/*.ndjson (overwrites them; safe to re-run)."""
    from indexer.kibana import import_objects

    settings = get_settings()
    result = import_objects(settings, url=url)
    target = (url or settings.kibana_url or "").rstrip("/")
    click.echo(
        f"Imported {result.success_count} saved objects into {target} "
        f"(data views for {settings.index_prefix}-pages/-hits/-sites/-crawls, saved searches, "
        "dashboard 「无诈 涉诈网站监测」)."
    )
