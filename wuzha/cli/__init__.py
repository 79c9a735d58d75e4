"""The `wuzha` command: one entry point for operators.

Each command group lives in its own module here and only translates between the terminal and
the packages (`rules`, `indexer`, `crawler`): no business logic in this package.
"""

from __future__ import annotations

import importlib
import sys

import click

from ground.errors import WuzhaError
from wuzha import __version__

# module name -> command attribute; imported lazily so `wuzha rules …` never loads Scrapy.
COMMAND_MODULES = {
    "config": "wuzha.cli.config",
    "es": "wuzha.cli.es",
    "rules": "wuzha.cli.rules",
    "sites": "wuzha.cli.sites",
    "crawl": "wuzha.cli.crawl",
    "demo": "wuzha.cli.demo",
    "review": "wuzha.cli.review",
    "kibana": "wuzha.cli.kibana",
    "export": "wuzha.cli.export",
    "rescan": "wuzha.cli.rescan",
    "entities": "wuzha.cli.entities",
    "farm": "wuzha.cli.farm",
    "weekly": "wuzha.cli.weekly",
}


class LazyGroup(click.Group):
    """Loads a command's module only when that command runs (fast start, light imports)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMAND_MODULES if self._load(name) is not None)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._load(name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(name)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:  # command not built yet
                return None
            raise
        return getattr(module, name.replace("-", "_"))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wuzha")
def cli() -> None:
    """无诈 wuzha: sweep registered sites for fraud, explain every hit, index it for review."""


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except WuzhaError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
