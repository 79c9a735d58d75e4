"""`wuzha rules …`: check the rule packs, run their examples, explain a page, scan in batch."""

from __future__ import annotations

import gzip
import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from ground.levels import LEVELS
from wuzha.cli.errors import UsageError

packs_option = click.option(
    "--packs",
    "packs",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    help="Rule pack directory or YAML file to use instead of rules/packs/ (repeatable).",
)


def _packs(packs: tuple[Path, ...]) -> list[Path] | None:
    return list(packs) or None


@click.group()
def rules() -> None:
    """Fraud rules: validate the packs, test their examples, scan pages."""


@rules.command()
@packs_option
def validate(packs: tuple[Path, ...]) -> None:
    """Check the packs: schema, unique ids, taxonomy categories, regexes and examples."""
    from rules.loader import check_packs, pack_files

    files = pack_files(_packs(packs))
    found, problems = check_packs(_packs(packs))
    console = Console(stderr=True)
    for problem in problems:
        console.print(f"[red]✗[/red] {escape(str(problem))}", soft_wrap=True)
    if problems:
        console.print(
            f"[red]{len(problems)} problem(s)[/red] in {len(files)} pack file(s); "
            f"{len(found)} rule(s) are fine."
        )
        raise SystemExit(1)
    categories = sorted({r.category for r in found})
    click.echo(
        f"OK: {len(found)} rules in {len(files)} pack file(s), {len(categories)} categories "
        f"({', '.join(categories)})."
    )


@rules.command()
@packs_option
@click.option(
    "--baseline",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of benign baseline pages (default rules/baseline/).",
)
def test(packs: tuple[Path, ...], baseline: Path | None) -> None:
    """Run every rule's examples and the benign baseline; list failures (exit 1 on any)."""
    from rules import load_engine
    from rules.selftest import DEFAULT_BASELINE_DIR, run_all

    engine = load_engine(_packs(packs))
    baseline_dir = baseline or DEFAULT_BASELINE_DIR
    report = run_all(engine, baseline_dir)
    console = Console(stderr=True)
    for failure in report.failures:
        console.print(f"[red]✗[/red] {escape(str(failure))}", soft_wrap=True)
    summary = (
        f"{len(engine.rules)} rules, {report.examples} examples, "
        f"{report.baseline_pages} baseline page(s) in {baseline_dir}"
    )
    if report.baseline_pages == 0:
        summary += " (no baseline pages found)"
    if report.failures:
        console.print(f"[red]{len(report.failures)} failure(s)[/red]: {summary}.")
        raise SystemExit(1)
    click.echo(f"OK: {summary}; all pass.")


@rules.command()
@click.argument("source", required=False)
@packs_option
@click.option(
    "--jsonl",
    "jsonl_in",
    default=None,
    help='Batch mode: JSON lines {"id", "text"} to scan (a file, .gz, or - for stdin).',
)
@click.option(
    "--out",
    "out_path",
    default=None,
    help="Batch mode: where to write the result lines (a file or - for stdout).",
)
@click.option("--title", default="", help="Page title to scan with the text.")
@click.option("--url", "page_url", default="", help="Page URL (context only; not fetched).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--allow-private",
    "allow_private",
    multiple=True,
    metavar="CIDR",
    help="Allow fetching from this private/loopback network (repeatable).",
)
@click.option(
    "--max-bytes",
    default=5 * 1024 * 1024,
    show_default=True,
    help="Largest page body fetched from a URL.",
)
@click.option("--timeout", default=15.0, show_default=True, help="Seconds allowed to fetch a URL.")
def scan(
    source: str | None,
    packs: tuple[Path, ...],
    jsonl_in: str | None,
    out_path: str | None,
    title: str,
    page_url: str,
    as_json: bool,
    allow_private: tuple[str, ...],
    max_bytes: int,
    timeout: float,
) -> None:
    """Explain one page (FILE, URL or - for stdin), or scan JSON lines with --jsonl IN --out OUT."""
    from rules import load_engine

    if jsonl_in is not None or out_path is not None:
        if source is not None:
            raise UsageError("give either a page to explain or --jsonl IN --out OUT, not both")
        if not (jsonl_in and out_path):
            raise UsageError("batch mode needs both --jsonl IN and --out OUT")
        _scan_batch(load_engine(_packs(packs)), jsonl_in, out_path)
        return
    if source is None:
        raise UsageError("give a FILE, a URL or - (stdin) to scan, or --jsonl IN --out OUT")

    text, title, page_url = _read_page(source, title, page_url, allow_private, max_bytes, timeout)
    result = load_engine(_packs(packs)).scan(text, title=title, url=page_url)
    if as_json:
        import json

        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_result(result, source, len(text))


def _read_page(
    source: str,
    title: str,
    page_url: str,
    allow_private: tuple[str, ...],
    max_bytes: int,
    timeout: float,
) -> tuple[str, str, str]:
    from crawler.errors import FetchRefused
    from crawler.fetch import decode, fetch_page, html_to_text
    from ground.addresses import AddressPolicy

    if source.startswith(("http://", "https://")):
        try:
            policy = AddressPolicy.from_cidrs(allow_private)
        except ValueError as err:
            raise UsageError(f"--allow-private: {err}") from None
        try:
            page = fetch_page(source, policy=policy, max_bytes=max_bytes, timeout=timeout)
        except FetchRefused as err:
            raise UsageError(f"{err}; pass --allow-private <CIDR> if this is intended") from None
        return page.text, title or page.title, page_url or page.url
    if source == "-":
        body = sys.stdin.buffer.read(max_bytes)
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{source} is neither a file nor an http(s) URL")
        with path.open("rb") as handle:
            body = handle.read(max_bytes)
    text = decode(body, "")
    if text.lstrip()[:200].lower().startswith(("<!doctype", "<html")) or source.endswith(
        (".html", ".htm")
    ):
        html_title, text = html_to_text(text)
        title = title or html_title
    return text, title, page_url


def _print_result(result, source: str, chars: int) -> None:
    from rules.explain import ENTITY_NAMES

    console = Console()
    colour = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}[result.level]
    console.print(
        f"[bold]{escape(source)}[/bold] ({chars} characters): "
        f"[bold {colour}]{result.level}[/bold {colour}], score {result.score:g}"
        + (f", categories {', '.join(result.categories)}" if result.categories else "")
        + (f", context {', '.join(result.context)}" if result.context else "")
    )
    for reason in result.reasons:
        console.print(f"  • {escape(reason)}", soft_wrap=True)
    if result.hits:
        table = Table(title="Hits", show_lines=True)
        for column in ("rule (version)", "level", "matched", "where", "snippet"):
            table.add_column(column)
        for hit in result.hits:
            table.add_row(
                escape(f"{hit.rule_id} (v{hit.rule_version})\n{hit.title}"),
                hit.level,
                escape("、".join(hit.matched)),
                f"{hit.field} {hit.start}–{hit.end}",
                escape(hit.snippet),
            )
        console.print(table)
    if result.entities:
        table = Table(title="Entities")
        for column in ("type", "value", "where"):
            table.add_column(column)
        for entity in result.entities:
            table.add_row(
                ENTITY_NAMES.get(entity.type, entity.type) + f" ({entity.type})",
                escape(entity.value),
                f"{entity.field} {entity.start}–{entity.end}",
            )
        console.print(table)


def _open_input(path: str) -> tuple[Iterator[str], int | None, object]:
    """Lines of the input, its size in bytes (if known), and the raw handle (to read position)."""
    if path == "-":
        return (line.rstrip("\n") for line in sys.stdin), None, None
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path} does not exist; give a JSON-lines file (or - for stdin)")
    raw = file.open("rb")
    stream = gzip.GzipFile(fileobj=raw) if file.suffix == ".gz" else raw
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
    return (line.rstrip("\n") for line in text), file.stat().st_size, raw


def _scan_batch(engine, jsonl_in: str, out_path: str) -> None:
    from rules.batch import scan_lines

    lines, size, raw = _open_input(jsonl_in)
    out = sys.stdout if out_path == "-" else None
    if out is None:
        try:
            out = open(out_path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as err:
            raise UsageError(f"cannot write {out_path}: {err.strerror}") from None
    console = Console(stderr=True)
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("scanning"),
            BarColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("scan", total=size)

            def advance(_chars: int) -> None:
                if raw is not None:
                    progress.update(task, completed=raw.tell())

            summary = scan_lines(engine, lines, out, advance)
            if size:
                progress.update(task, completed=size)
    finally:
        if out is not sys.stdout:
            out.close()
        if raw is not None:
            raw.close()
    elapsed = time.perf_counter() - started
    for number, why in summary.bad[:20]:
        console.print(f"[yellow]line {number} skipped[/yellow]: {escape(why)}")
    if len(summary.bad) > 20:
        console.print(f"[yellow]… and {len(summary.bad) - 20} more bad lines[/yellow]")
    levels = ", ".join(f"{lvl} {summary.levels[lvl]}" for lvl in LEVELS)
    console.print(
        f"Scanned {summary.scanned} page(s) ({summary.chars / 1e6:.1f} M characters) in "
        f"{elapsed:.1f} s: {levels}; {len(summary.bad)} bad line(s) skipped; "
        f"rules {engine.fingerprint}. Results in {out_path}."
    )
