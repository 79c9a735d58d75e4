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
from ground.settings import default_of
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
    help='Batch mode: JSON lines {"id", "text"} or {"id", "url", "body_b64"} to scan '
    "(a file, .gz, or - for stdin).",
)
@click.option(
    "--out",
    "out_path",
    default=None,
    help="Batch mode: where to write the result lines (a file or - for stdout).",
)
@click.option("--title", default="", help="Title of a plain-text page (HTML has its own).")
@click.option("--url", "page_url", default="", help="Page URL of a FILE (context; not fetched).")
@click.option("--json", "as_json", is_flag=True, help="Print the result (and the page) as JSON.")
@click.option(
    "--render",
    is_flag=True,
    help="Render the URL in Chromium first, as the sweep does for JavaScript sites.",
)
@click.option(
    "--allow-private",
    "allow_private",
    multiple=True,
    metavar="CIDR",
    help="Allow fetching from this private/loopback network (repeatable).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=default_of("crawl_max_response_bytes"),
    show_default=True,
    help="Largest page body fetched from a URL or read from a FILE (the sweep's cap).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=15.0,
    show_default=True,
    help="Seconds allowed to fetch (or render) a URL.",
)
def scan(
    source: str | None,
    packs: tuple[Path, ...],
    jsonl_in: str | None,
    out_path: str | None,
    title: str,
    page_url: str,
    as_json: bool,
    render: bool,
    allow_private: tuple[str, ...],
    max_bytes: int,
    timeout: float,
) -> None:
    """Explain one page (FILE, URL or - for stdin), or scan JSON lines with --jsonl IN --out OUT.

    A page goes through what the sweep does with it: fetched with the sweep's headers and
    address guard (URL), decoded, cut into blocks, scanned block by block."""
    from pagemodel.scan import scan_page
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
    if render and not source.startswith(("http://", "https://")):
        raise UsageError("--render works on a URL (a FILE or stdin is read as it is)")

    page, note = _read_page(source, title, page_url, allow_private, max_bytes, timeout, render)
    result = scan_page(load_engine(_packs(packs)), page)
    if as_json:
        import json

        click.echo(json.dumps({**result, "page": page.to_json()}, ensure_ascii=False, indent=2))
        return
    _print_result(result, source, page)
    if note:
        Console(stderr=True).print(f"[yellow]note[/yellow]: {escape(note)}")


def _read_page(
    source: str,
    title: str,
    page_url: str,
    allow_private: tuple[str, ...],
    max_bytes: int,
    timeout: float,
    render: bool,
):
    """The page model of a URL, a FILE or stdin, and a note for the operator (or None)."""
    if source.startswith(("http://", "https://")):
        return _read_url(source, allow_private, max_bytes, timeout, render)
    if source == "-":
        body = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{source} is neither a file nor an http(s) URL")
        size = path.stat().st_size
        if size > max_bytes:
            raise UsageError(
                f"{source} is {size / 1e6:.1f} MB, more than --max-bytes {max_bytes}: pages the "
                "sweep keeps are at most that big; raise --max-bytes to scan it whole"
            )
        body = path.read_bytes()
    if len(body) > max_bytes:
        raise UsageError(f"stdin holds more than --max-bytes {max_bytes}; raise --max-bytes")
    return _read_body(body, source, title, page_url), None


def _read_body(body: bytes, source: str, title: str, page_url: str):
    from pagemodel.encoding import NotHtml, decode_html
    from pagemodel.model import page_from_html, text_page

    try:
        text, charset, charset_source = decode_html(body, None)
    except NotHtml as err:
        raise UsageError(
            f"{source} is a binary file ({err.reason}), not a page or a text: nothing to scan"
        ) from None
    looks_like_html = text.lstrip()[:200].lower().startswith(("<!doctype", "<html"))
    if looks_like_html or source.endswith((".html", ".htm")):
        return page_from_html(text, page_url, charset, charset_source)
    return text_page(text, title, page_url)


def _read_url(
    url: str, allow_private: tuple[str, ...], max_bytes: int, timeout: float, render: bool
):
    from crawler.errors import FetchRefused
    from crawler.fetch import fetch
    from crawler.render import RenderPolicy
    from ground.addresses import AddressPolicy
    from ground.settings import get_settings
    from ground.urls import canonical_url
    from pagemodel.encoding import NotHtml, decode_html
    from pagemodel.model import PAGE_TYPES, page_from_html, read_page

    try:
        policy = AddressPolicy.from_cidrs(allow_private)
    except ValueError as err:
        raise UsageError(f"--allow-private: {err}") from None
    try:
        if render:
            from crawler.renderpage import render as render_url

            rendered = render_url(
                url, policy=policy, chromium=get_settings().chromium_path, timeout=timeout
            )
            original = None
            if rendered.served is not None:
                try:
                    original = decode_html(*rendered.served)[0]
                except NotHtml:
                    original = None
            page = read_page(
                rendered.html.encode("utf-8"),
                rendered.url,
                "text/html; charset=utf-8",
                original_html=original,
            )
            page.url = canonical_url(rendered.url)
            return page, None
        fetched = fetch(url, policy=policy, max_bytes=max_bytes, timeout=timeout)
    except FetchRefused as err:
        raise UsageError(f"{err}; pass --allow-private <CIDR> if this is intended") from None
    content_type = (fetched.content_type or "").lower()
    if content_type and not content_type.startswith(PAGE_TYPES):
        raise UsageError(f"{fetched.url} is not a page ({content_type.split(';')[0]})")
    try:
        html, charset, charset_source = decode_html(fetched.body, fetched.content_type)
    except NotHtml as err:
        raise UsageError(
            f"{fetched.url} serves binary content ({err.reason}), not a page"
        ) from None
    page = page_from_html(html, fetched.url, charset, charset_source)
    page.url = canonical_url(fetched.url)
    notes = []
    if fetched.truncated:
        notes.append(f"the page is bigger than --max-bytes {max_bytes}: its start was scanned")
    if RenderPolicy(enabled=True, min_text=_render_min_text()).needs_render(page, html):
        notes.append("the page looks written by scripts: the sweep renders it; add --render")
    return page, "; ".join(notes) or None


def _render_min_text() -> int:
    from crawler.settings import WUZHA_RENDER_MIN_TEXT

    return WUZHA_RENDER_MIN_TEXT


def _print_result(result: dict, source: str, page) -> None:
    from rules.explain import ENTITY_NAMES

    console = Console()
    level = result["level"]
    colour = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}[level]
    console.print(
        f"[bold]{escape(source)}[/bold] ({len(page.text)} characters of main text, "
        f"{len(page.blocks)} blocks): "
        f"[bold {colour}]{level}[/bold {colour}], score {result['score']:g}"
        + (f", categories {', '.join(result['categories'])}" if result["categories"] else "")
        + (f", context {', '.join(result['context'])}" if result["context"] else "")
    )
    for reason in result["reasons"]:
        console.print(f"  • {escape(reason)}", soft_wrap=True)
    if result["hits"]:
        table = Table(title="Hits", show_lines=True)
        for column in ("rule (version)", "level", "matched", "where", "snippet"):
            table.add_column(column)
        for hit in result["hits"]:
            table.add_row(
                escape(f"{hit['rule_id']} (v{hit['rule_version']})\n{hit['title']}"),
                hit["level"],
                escape("、".join(hit["matched"])),
                f"{hit['field']} {hit['start']}–{hit['end']}",
                escape(hit["snippet"]),
            )
        console.print(table)
    if result["entities"]:
        table = Table(title="Entities")
        for column in ("type", "value", "where"):
            table.add_column(column)
        for entity in result["entities"]:
            table.add_row(
                ENTITY_NAMES.get(entity["type"], entity["type"]) + f" ({entity['type']})",
                escape(entity["value"]),
                f"{entity['field']} {entity['start']}–{entity['end']}",
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
    from pagemodel.batch import scan_lines

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
