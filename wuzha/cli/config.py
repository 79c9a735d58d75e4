"""`wuzha config`: show the settings in force (secrets masked) or the README table."""

from __future__ import annotations

import click

from ground.settings import Settings, env_var_name, get_settings, settings_table

SECRET_FIELDS = {"elasticsearch_api_key", "elasticsearch_password"}


@click.command()
@click.option("--markdown", is_flag=True, help="Print the settings table used in the README.")
def config(markdown: bool) -> None:
    """Show every setting, its environment variable and its current value."""
    if markdown:
        click.echo(settings_table())
        return
    settings = get_settings()
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name in SECRET_FIELDS and value:
            value = "********"
        click.echo(f"{env_var_name(name, field):32} {value}")
