"""`wuzha demo`: a whole sweep on the local site farm, in about a minute, with nothing to set up."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from farm.kinds import CYCLE
from ground.errors import os_reason
from ground.settings import get_settings, settings_with
from wuzha.cli.errors import UsageError


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Directory for the registry, pages.jsonl, findings.jsonl, summary.json, report.html.",
)
@click.option(
    "--sites",
    "n_sites",
    type=click.IntRange(len(CYCLE), 400),
    default=max(40, len(CYCLE)),
    show_default=True,
    help=f"Number of farm sites ({len(CYCLE)} or more include every kind: hostile and "
    "compromised ones too).",
)
@click.option("--max-pages", type=int, default=80, show_default=True, help="Page budget per site.")
@click.option("--no-render", is_flag=True, help="Skip JavaScript rendering (no Chromium).")
@click.option("--quiet", is_flag=True, help="No live progress display.")
def demo(out_dir: Path, n_sites: int, max_pages: int, no_render: bool, quiet: bool) -> None:
    """Serve a farm of virtual sites on 127.0.0.1, sweep it, and write the report.

    The farm holds portals, news sites (GBK, Big5, mislabelled charsets), Discuz!/phpBB forums,
    classified ads, company sites, JavaScript-only sites, and hostile sites (slow, 5xx, redirect
    loops, redirects to private addresses, huge pages, compression bombs, endless calendars).
    """
    from crawler.run import CrawlOptions, run_crawl
    from crawler.sitelist import load_sites
    from farm import FarmOptions, build_farm
    from farm.runner import free_base_port, running
    from indexer.client import configured_url
    from indexer.localstate import health
    from wuzha.cli.crawl import in_flag_terms
    from wuzha.cli.crawlview import CrawlDisplay, print_summary

    config = get_settings()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(
            f"--out {out_dir} is a file, not a folder; give a folder for the demo (it is created "
            "if missing)"
        )
    if not is_demo_output(out_dir):
        raise UsageError(
            f"{out_dir} holds the results of a sweep that is not the demo's; give `wuzha demo` "
            "another --out folder"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(
            f"--out {out_dir}: cannot create it ({os_reason(err)}); give a folder you can write to"
        ) from err
    display = CrawlDisplay(enabled=not quiet, console=None)
    console = display.console

    es_url = configured_url(config)
    es_ok = bool(es_url and health(es_url))
    overrides = {"crawl_playwright": config.crawl_playwright and not no_render}
    if es_ok:
        overrides["elasticsearch_url"] = es_url
    config = settings_with(**overrides)

    # Hostile behaviours scaled down so the demo takes a minute: 2 s slow answers, an 8 MB
    # huge page and 256 MB compression bombs still show that the caps work.
    options = FarmOptions(
        slow_seconds=2.0,
        drip_seconds=8.0,
        huge_bytes=8 * 1024 * 1024,
        gzip_bomb_bytes=256 * 1024 * 1024,
        brotli_bomb_bytes=256 * 1024 * 1024,
    )
    try:
        farm = build_farm(n_sites, config.farm_seed, free_base_port(n_sites), options=options)
    except (RuntimeError, ValueError) as err:
        raise UsageError(
            f"could not set up the farm: {err}; free some local ports and retry"
        ) from err
    registry = farm.write_registry(out_dir / "registry.csv")
    farm.write_truth(out_dir / "truth.json")
    console.print(f"Farm: {n_sites} sites on 127.0.0.1:{farm.port_range}; registry {registry}")

    with in_flag_terms():
        sites, problems = load_sites(registry)
    if not sites:
        raise UsageError(f"the farm's registry {registry} gave no sites: {problems[:3]}")
    crawl = CrawlOptions(
        sites=sites,
        out_dir=out_dir,
        max_pages=max_pages,
        max_depth=5,
        site_timeout=45.0,  # rendering JavaScript sites in Chromium takes its time
        download_timeout=8.0,
        allow_private=["127.0.0.0/8"],
        job_dir=out_dir / ".job",
        overwrite=True,  # its own earlier output (is_demo_output): the first command repeats
        progress=display.update,
    )
    with in_flag_terms(), running(farm, control=False), display:
        result = run_crawl(config, crawl)
    print_summary(
        Console(), result, log_file=out_dir / ".job" / "crawl.log", spool=config.spool_path
    )
    if es_ok:
        console.print(f"Indexed into Elasticsearch at {es_url} (prefix {config.index_prefix}).")
    else:
        console.print(
            "No Elasticsearch configured (ELASTICSEARCH_URL or `wuzha es up`): wrote files only."
        )
    report = out_dir / "report.html"
    if report.exists():
        click.echo(f"Open the report: {report.resolve()}")
    if not result.completed:
        raise UsageError(f"the demo sweep stopped early ({result.finish_reason})")


def is_demo_output(out_dir: Path) -> bool:
    """Whether the demo may write into `out_dir`: it holds no sweep's results, or the demo's
    own (they come with the farm's ground truth, truth.json, which no real sweep writes)."""
    from crawler.output import results_in

    return not results_in(out_dir) or (out_dir / "truth.json").exists()
