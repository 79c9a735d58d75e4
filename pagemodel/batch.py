"""Batch scanning (``wuzha rules scan --jsonl IN --out OUT``), through the page model.

In: one JSON object per line, ``{"id", "text", "title"?, "url"?}`` for a plain text (one
paragraph block), or ``{"id", "url", "body_b64", "content_type"?}`` for raw response bytes
(base64), which go through exactly the sweep's decode → extract → scan path; ``body_b64`` wins
over ``text``; other keys are ignored. Out: ``{"id", "score", "level", "categories", "hits",
"entities", "page"}`` per line (``page``: title, main text, charset and its source, blocks).
A bad line is reported with its number and skipped."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from pagemodel.encoding import NotHtml
from pagemodel.model import Page, read_page, text_page
from pagemodel.scan import scan_page
from rules.engine import Engine

MAX_LINE_CHARS = 20_000_000


@dataclass
class BatchSummary:
    lines: int = 0
    scanned: int = 0
    chars: int = 0
    levels: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


def _parse(line: str) -> tuple[object, Page]:
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"line longer than {MAX_LINE_CHARS} characters")
    record = json.loads(line)
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    if "id" not in record:
        raise ValueError('no "id"')
    url = record.get("url") if isinstance(record.get("url"), str) else ""
    body = record.get("body_b64")
    if body is not None:
        if not isinstance(body, str):
            raise TypeError('"body_b64" is not a string')
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError('"body_b64" is not valid base64') from None
        content_type = record.get("content_type")
        content_type = content_type if isinstance(content_type, str) else None
        try:
            return record["id"], read_page(raw, url, content_type)
        except NotHtml as err:
            raise ValueError(f"body is no page ({err.reason})") from None
    text = record.get("text")
    if not isinstance(text, str):
        raise TypeError('"text" (or "body_b64") missing or not a string')
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    return record["id"], text_page(text, title, url)


def scan_lines(
    engine: Engine,
    lines: Iterable[str],
    out: IO[str],
    progress: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Scan each line; ``progress`` gets the number of characters consumed (for a progress bar)."""
    summary = BatchSummary()
    for number, line in enumerate(lines, 1):
        summary.lines += 1
        if progress is not None:
            progress(len(line))
        if not line.strip():
            continue
        try:
            record_id, page = _parse(line)
        except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
            summary.bad.append((number, str(err)))
            continue
        data = scan_page(engine, page)
        summary.scanned += 1
        summary.chars += sum(len(b.text) for b in page.blocks)
        summary.levels[data["level"]] += 1
        for category in data["categories"][:1]:
            summary.categories[category] += 1
        row = {
            "id": record_id,
            "score": data["score"],
            "level": data["level"],
            "categories": data["categories"],
            "hits": data["hits"],
            "entities": data["entities"],
            "page": page.to_json(),
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return summary
