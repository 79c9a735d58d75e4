"""`wuzha weekly`: the weekly routine a timer runs — import the registry, sweep the registered
sites into a dated folder, export the week's takedown list there, keep the last N folders.

Each step is the operator's own command (`sites import`, `crawl --from-index`, `export
takedown`), invoked in this process; a step that cannot run stops the routine with one line
and exit status 2, so the scheduler's alerting sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.errors import OutDirHoldsResults
from ground.dated import prune_dated
from ground.errors import WuzhaError
from ground.settings import get_settings
from wuzha.cli.errors import UsageError


def _stopped(step: str, err: WuzhaError) -> UsageError:
    reason = " ".join(str(err).split())  # one line, whatever the step said
    return UsageError(f"weekly: {step} could not run: {reason}")


@click.command()
@click.option(
    "--registry",
    "registry_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Registry file (CSV/XLSX) to import first, as `wuzha sites import FILE` does "
    "(default: sweep the sites already imported).",
)
@click.option(
    "--prune", is_flag=True, help="With --registry: retire stored sites the file no longer lists."
)
@click.option(
    "--base-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Base folder of the dated run folders (default: setting weekly_base_dir).",
)
@click.option("--keep", type=int, help="Dated run folders to keep (default: setting weekly_keep).")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option("--max-pages", type=int, help="Page budget per site (default: crawl_max_pages).")
@click.option("--max-depth", type=int, help="Link depth budget per site.")
@click.option("--site-timeout", type=float, help="Wall-time budget per site in seconds.")
@click.option(
    "--allow-private",
    multiple=True,
    metavar="CIDR",
    help="Allow fetching from this private network (tests: 127.0.0.0/8).",
)
@click.option("--no-render", is_flag=True, help="Never start Chromium.")
@click.option(
    "--resume", is_flag=True, help="Continue today's interrupted sweep in its dated folder."
)
@click.option("--quiet", is_flag=True, help="No live progress display of the sweep.")
@click.pass_context
def weekly(
    ctx: click.Context,
    registry_file: Path | None,
    prune: bool,
    base_dir: Path | None,
    keep: int | None,
    fmt: str,
    max_pages: int | None,
    max_depth: int | None,
    site_timeout: float | None,
    allow_private: tuple[str, ...],
    no_render: bool,
    resume: bool,
    quiet: bool,
) -> None:
    """The weekly routine: import the registry (with --registry), sweep the registered sites
    into BASE/<YYYY-MM-DD> (the run's date in the office time zone), export the ISO week's
    takedown list into that folder (takedown-<YYYY-Www>.xlsx), then keep only the newest
    weekly_keep dated folders. Exits 2 with one line when a step could not run."""
    from indexer.weeks import report_zone, week_of
    from wuzha.cli.crawl import crawl
    from wuzha.cli.export import takedown
    from wuzha.cli.sites import import_

    if prune and registry_file is None:
        raise UsageError("weekly: --prune needs the registry file: add --registry FILE")
    if keep is not None and keep < 1:
        raise UsageError(f"weekly: --keep must be 1 or more, not {keep}")
    settings = get_settings()
    base = base_dir or settings.weekly_base_path
    keep = keep or settings.weekly_keep
    zone = report_zone(settings)
    now = datetime.now(UTC)
    week = week_of(now, zone)
    folder = base / now.astimezone(zone).date().isoformat()
    steps = 3 if registry_file else 2
    step = 0

    def progress(text: str) -> None:
        nonlocal step
        step += 1
        click.echo(f"weekly [{step}/{steps}] {text}")

    if registry_file is not None:
        progress(f"importing the registry {registry_file}" + (" (--prune)" if prune else ""))
        try:
            ctx.invoke(import_, file=registry_file, prune=prune, dry_run=False)
        except WuzhaError as err:
            raise _stopped("the registry import", err) from err
    progress(f"sweeping the registered sites into {folder}")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(
            f"weekly: cannot create the base folder {base} ({err.strerror}); give a folder you "
            "can write to with --base-dir or weekly_base_dir"
        ) from err
    try:
        ctx.invoke(
            crawl,
            from_index=True,
            out_dir=folder,
            max_pages=max_pages,
            max_depth=max_depth,
            site_timeout=site_timeout,
            allow_private=allow_private,
            resume=resume,
            no_render=no_render,
            quiet=quiet,
        )
    except WuzhaError as err:
        if isinstance(err.__cause__, OutDirHoldsResults):
            raise UsageError(
                f"weekly: {folder} already holds today's sweep; run `wuzha weekly --resume` to "
                "continue it if it was interrupted, or remove the folder to sweep again"
            ) from err
        if registry_file is None and _no_sites(err):
            raise UsageError(
                "weekly: the sweep could not run: there are no imported sites to sweep ("
                + " ".join(str(err.__cause__ or err).split())
                + "); give the registry with `wuzha weekly --registry FILE`"
            ) from err
        raise _stopped("the sweep", err) from err
    out = folder / f"takedown-{week.label}.{fmt}"
    progress(f"exporting the takedown list of {week.label} to {out}")
    try:
        ctx.invoke(takedown, week=week.label, fmt=fmt, out=out)
    except WuzhaError as err:
        raise _stopped("the takedown export", err) from err
    removed = prune_dated(base, keep)
    kept = (
        f"removed {len(removed)} old run(s) (keeping {keep})"
        if removed
        else (f"no old run removed (keeping {keep})")
    )
    click.echo(f"weekly: done — {folder}: {_swept(folder)}; {out.name}; {kept}")


def _no_sites(err: WuzhaError) -> bool:
    """The sweep found no imported sites: the sites index is missing, unreadable or empty."""
    from crawler.errors import SitesIndexUnreadable

    return isinstance(err.__cause__, SitesIndexUnreadable) or str(err).startswith(
        "the sites index is empty"
    )


def _swept(folder: Path) -> str:
    """The sweep's numbers, from its summary.json."""
    import json

    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        sites, findings = summary["sites"], summary["findings"]
        said = (
            f"{sites['total']} site(s) swept ({sites['failed']} failed), {summary['pages']} "
            f"page(s), {findings['pages']} with findings"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "sweep results"
    if summary.get("spooled"):
        said += f", {summary['spooled']} document(s) still in the spool"
    return said
