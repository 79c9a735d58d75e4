"""`wuzha farm …`: serve the local site farm, write its registry and ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from wuzha.cli.errors import UsageError

_REGISTRY_SUFFIXES = (".csv", ".xlsx")


def _build(
    sites: int,
    seed: int,
    base_port: int,
    slow_seconds: float | None = None,
    huge_mb: int | None = None,
    bomb_mb: int | None = None,
):
    from farm import FarmOptions, build_farm

    overrides = {}
    if slow_seconds is not None:
        overrides["slow_seconds"] = slow_seconds
    if huge_mb is not None:
        overrides["huge_bytes"] = huge_mb * 1024 * 1024
    if bomb_mb is not None:
        overrides["gzip_bomb_bytes"] = bomb_mb * 1024 * 1024
        overrides["brotli_bomb_bytes"] = bomb_mb * 1024 * 1024
    try:
        return build_farm(sites, seed, base_port, options=FarmOptions(**overrides))
    except ValueError as err:
        raise UsageError(f"{err}: choose another --base-port or fewer --sites") from None


def _check_registry_path(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in _REGISTRY_SUFFIXES:
        raise UsageError(f"--registry-out must end in .csv or .xlsx (got {path.name})")


def _farm_options(func):
    func = click.option(
        "--base-port",
        default=None,
        type=int,
        help="Port of site 0; site i listens on base+i, the control port on base-1. "
        "Default: the farm_base_port setting (18000).",
    )(func)
    func = click.option(
        "--seed",
        default=None,
        type=int,
        help="Seed of the generator (same seed, same farm). Default: farm_seed setting.",
    )(func)
    func = click.option(
        "--sites",
        "sites",
        default=None,
        type=click.IntRange(1, 20000),
        help="Number of virtual sites. Default: farm_sites setting.",
    )(func)
    return func


def _defaults(sites, seed, base_port):
    from ground.settings import get_settings

    settings = get_settings()
    return (
        sites or settings.farm_sites,
        settings.farm_seed if seed is None else seed,
        base_port or settings.farm_base_port,
    )


@click.group()
def farm() -> None:
    """The local site farm: virtual Chinese sites on 127.0.0.1 for tests, demo and benchmarks."""


@farm.command()
@_farm_options
@click.option(
    "--registry-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the sites' registry (.csv or .xlsx, Chinese headers).",
)
@click.option(
    "--truth-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the ground truth as JSON.",
)
@click.option(
    "--bad-rows", is_flag=True, help="Put deliberately bad rows in the registry (import tests)."
)
@click.option(
    "--slow-seconds", type=float, default=None, help="Delay of the slow sites (default 3)."
)
@click.option(
    "--huge-mb", type=int, default=None, help="Size of the huge pages in MiB (default 30)."
)
@click.option(
    "--bomb-mb", type=int, default=None, help="Inflated size of the compression bombs in MiB."
)
@click.option("--quiet", is_flag=True, help="Print only the URL range.")
def serve(
    sites, seed, base_port, registry_out, truth_out, bad_rows, slow_seconds, huge_mb, bomb_mb, quiet
) -> None:
    """Serve the farm until Ctrl-C."""
    from farm.runner import serve_forever

    sites, seed, base_port = _defaults(sites, seed, base_port)
    _check_registry_path(registry_out)
    built = _build(sites, seed, base_port, slow_seconds, huge_mb, bomb_mb)
    if registry_out:
        built.write_registry(registry_out, bad_rows=bad_rows)
        click.echo(f"registry: {registry_out} ({len(built.sites)} sites)")
    if truth_out:
        built.write_truth(truth_out)
        click.echo(f"truth: {truth_out}")

    def ready(server) -> None:
        first, last = built.sites[0], built.sites[-1]
        click.echo(f"farm: {len(built.sites)} sites, {first.url} … {last.url} (seed {seed})")
        if not quiet:
            click.echo(
                f"control: {server.control_url}requests  {server.control_url}truth  {server.control_url}health"
            )
            click.echo("Press Ctrl-C to stop.")

    serve_forever(built, on_ready=ready)
    if not quiet:
        click.echo("farm stopped.")


@farm.command()
@_farm_options
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--bad-rows", is_flag=True, help="Put deliberately bad rows in the registry (import tests)."
)
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    help="CSV encoding (e.g. gb18030 as some office exports use).",
)
def registry(sites, seed, base_port, out, bad_rows, encoding) -> None:
    """Write the farm's site registry to OUT (.csv or .xlsx) without serving."""
    sites, seed, base_port = _defaults(sites, seed, base_port)
    _check_registry_path(out)
    built = _build(sites, seed, base_port)
    built.write_registry(out, bad_rows=bad_rows, encoding=encoding)
    click.echo(f"registry: {out} ({len(built.sites)} sites, ports {built.port_range})")


@farm.command()
@_farm_options
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def truth(sites, seed, base_port, out) -> None:
    """Write the farm's ground truth (JSON) to OUT without serving."""
    sites, seed, base_port = _defaults(sites, seed, base_port)
    built = _build(sites, seed, base_port)
    built.write_truth(out)
    fraud = sum(1 for site in built.sites for page in site.pages if page.fraud)
    click.echo(f"truth: {out} ({len(built.sites)} sites, {fraud} fraud pages)")
