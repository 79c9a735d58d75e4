"""`wuzha crawl`: sweep the registered sites, scan every page, write and index the findings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from crawler.errors import (
    BadNetwork,
    BudgetTooSmall,
    CrawlError,
    NoSites,
    OutDirHoldsResults,
    PathUnusable,
    SiteFileMissing,
    SitesIndexUnreadable,
)
from ground.settings import get_settings, settings_with
from wuzha.cli.errors import UsageError

# CrawlOptions fields and the flags that set them.
FLAGS = {
    "max_pages": "--max-pages",
    "max_depth": "--max-depth",
    "site_timeout": "--site-timeout",
    "concurrency": "--concurrency",
    "concurrency_per_site": "--concurrency-per-site",
    "out_dir": "--out",
    "job_dir": "--job-dir",
    "log_file": "--log-file",
}


def crawl_problem(err: CrawlError) -> str | None:
    """What the operator reads for a crawler error about an option or the site source, in
    terms of the flags; None for the others (their own sentence says it)."""
    if isinstance(err, NoSites):
        return "there are no sites to crawl; check the registry file or the --site options"
    if isinstance(err, BadNetwork):
        return f"--allow-private: {err.reason}"
    if isinstance(err, BudgetTooSmall):
        return f"{FLAGS.get(err.option, err.option)} must be a positive number, not {err.shown}"
    if isinstance(err, PathUnusable):
        return path_sentence(err, "the results")
    if isinstance(err, OutDirHoldsResults):
        return (
            f"{err.path} already holds a sweep's results ({', '.join(err.files)}); add --resume "
            "to continue that sweep, --overwrite to replace it, or give another --out folder"
        )
    if isinstance(err, SiteFileMissing):
        return f"site file {err.path} does not exist; give the registry CSV/XLSX with --sites"
    if isinstance(err, SitesIndexUnreadable):
        return (
            f"could not read sites from Elasticsearch index {err.alias}: {err.reason}; run "
            "`wuzha sites import FILE` first, or crawl a file with --sites FILE"
        )
    return None


def path_sentence(err: PathUnusable, what: str) -> str:
    """A folder or file flag whose path cannot be used (``what``: what --out holds)."""
    flag = FLAGS.get(err.option, err.option)
    if err.is_file:
        return (
            f"{flag} {err.path} is a file, not a folder; give a folder for {what} (it is "
            "created if missing)"
        )
    if err.option == "log_file":
        return (
            f"{flag} {err.path}: cannot write it ({err.reason}); give a file in a folder you "
            "can write to"
        )
    return f"{flag} {err.path}: cannot create it ({err.reason}); give a folder you can write to"


@contextmanager
def in_flag_terms() -> Iterator[None]:
    """Crawler errors about an option or the site source become usage errors naming flags."""
    try:
        yield
    except CrawlError as err:
        problem = crawl_problem(err)
        if problem is None:
            raise
        raise UsageError(problem) from err


@click.command()
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(path_type=Path),
    help="Registry file (CSV/XLSX, Chinese or English headers) or a .jsonl site list.",
)
@click.option(
    "--from-index",
    is_flag=True,
    help="Crawl the sites stored by `wuzha sites import` in Elasticsearch.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Write pages.jsonl, findings.jsonl, summary.json and report.html here.",
)
@click.option(
    "--site",
    "site_specs",
    multiple=True,
    metavar="SITE",
    help="Only this site: its registry URL, host[:port] or name (repeatable).",
)
@click.option("--max-pages", type=int, help="Page budget per site (default: crawl_max_pages).")
@click.option(
    "--max-depth", type=int, help="Link depth budget per site (default: crawl_max_depth)."
)
@click.option(
    "--site-timeout",
    type=float,
    help="Wall-time budget per site in seconds (default: crawl_site_timeout).",
)
@click.option(
    "--allow-private",
    "allow_private",
    multiple=True,
    metavar="CIDR",
    help="Allow fetching from this private network (tests and the demo: 127.0.0.0/8).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the interrupted sweep of the same sites and --out directory.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the results a previous sweep left in --out (without it, such a folder is "
    "refused).",
)
@click.option(
    "--job-dir",
    type=click.Path(path_type=Path),
    help="Where the crawl journal lives (default: <state_dir>/jobs/<sweep key>).",
)
@click.option("--no-render", is_flag=True, help="Never start Chromium (no JavaScript rendering).")
@click.option("--concurrency", type=int, help="Concurrent requests in total.")
@click.option("--concurrency-per-site", type=int, help="Concurrent requests per site.")
@click.option("--no-robots", is_flag=True, help="Ignore robots.txt (default: obey it).")
@click.option(
    "--log-file",
    type=click.Path(path_type=Path),
    help="Scrapy's log (default: crawl.log in --out or in the job directory).",
)
@click.option("--quiet", is_flag=True, help="No live progress display, only the summary.")
def crawl(
    sites_file: Path | None,
    from_index: bool,
    out_dir: Path | None,
    site_specs: tuple[str, ...],
    max_pages: int | None,
    max_depth: int | None,
    site_timeout: float | None,
    allow_private: tuple[str, ...],
    resume: bool,
    overwrite: bool,
    job_dir: Path | None,
    no_render: bool,
    concurrency: int | None,
    concurrency_per_site: int | None,
    no_robots: bool,
    log_file: Path | None,
    quiet: bool,
) -> None:
    """Sweep the registered sites: crawl within budgets, scan, index, report.

    Exits 0 when the sweep ran to its end, even if some sites failed (they are listed with the
    reason); non-zero only when it could not run, or was interrupted or stopped because the
    spool could not be written (its message says what to do: usually --resume).
    """
    from crawler import spoolstop
    from crawler.run import CrawlOptions, run_crawl
    from crawler.scope import find_sites
    from crawler.sitelist import load_sites, sites_from_index
    from wuzha.cli.crawlview import CrawlDisplay, print_summary

    if bool(sites_file) == from_index:
        raise UsageError("say which sites to crawl: --sites FILE or --from-index (one of them)")
    if resume and overwrite:
        raise UsageError(
            "--resume continues the sweep in --out and --overwrite replaces it: give one of them"
        )
    config = get_settings()
    if no_render:
        config = settings_with(crawl_playwright=False)
    display = CrawlDisplay(enabled=not quiet)
    if from_index:
        with in_flag_terms():
            sites = sites_from_index(config)
        if not sites:
            raise UsageError("the sites index is empty; run `wuzha sites import FILE` first")
    else:
        assert sites_file is not None
        with in_flag_terms():
            sites, problems = load_sites(sites_file)
        for problem in problems[:20]:
            display.console.print(f"[yellow]skipped[/] {problem}")
        if len(problems) > 20:
            display.console.print(f"[yellow]… and {len(problems) - 20} more bad rows[/]")
        if not sites:
            raise UsageError(f"{sites_file} has no usable site rows; check its URL column")
    if site_specs:
        sites = find_sites(sites, site_specs)
    options = CrawlOptions(
        sites=sites,
        out_dir=out_dir,
        max_pages=max_pages,
        max_depth=max_depth,
        site_timeout=site_timeout,
        allow_private=allow_private,
        resume=resume,
        overwrite=overwrite,
        job_dir=job_dir,
        render=False if no_render else None,
        concurrency=concurrency,
        concurrency_per_site=concurrency_per_site,
        robots_txt=False if no_robots else None,
        log_file=log_file or _default_log(out_dir, job_dir),
        progress=display.update,
    )
    with in_flag_terms(), display:
        result = run_crawl(config, options)
    print_summary(Console(), result, log_file=options.log_file, spool=config.spool_path)
    if result.finish_reason in (spoolstop.REASON, spoolstop.CLOSING_REASON):
        why = result.stats.get(spoolstop.ERROR_STAT) or "cannot be written"
        raise UsageError(
            f"the spool folder {config.spool_path} cannot be written ({why}), "
            + _spool_advice(result.finish_reason)
        )
    if not result.completed:
        raise UsageError(
            f"the sweep stopped before its end ({result.finish_reason}); run the same command "
            "with --resume to continue where it stopped",
        )


def _spool_advice(reason: str) -> str:
    """What to do when the spool could not be written, by the sweep's finish reason."""
    from crawler import spoolstop

    if reason == spoolstop.REASON:
        return (
            "so the sweep stopped to lose nothing: free space there or set another folder in "
            "WUZHA_SPOOL_DIR, then run the same command with --resume"
        )
    # CLOSING_REASON: every site is journalled as finished, so --resume would do nothing.
    return (
        "so the sites' risks and the run's record, written as the sweep closed, were "
        "lost (every page was fetched and its documents kept; --resume would not write them): free "
        "space there or set another folder in WUZHA_SPOOL_DIR, run `wuzha es replay` once "
        "Elasticsearch answers, and sweep these sites again (with --overwrite or another --out) "
        "to record their risks"
    )


def _default_log(out_dir: Path | None, job_dir: Path | None) -> Path | None:
    # run_crawl creates the folders (and says so in a sentence when it cannot)
    if out_dir is not None:
        return out_dir / "crawl.log"
    if job_dir is not None:
        return job_dir / "crawl.log"
    return None  # run_crawl puts it in the job directory
