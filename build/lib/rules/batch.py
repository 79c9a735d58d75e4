"""Batch scanning: ``{"id", "text"}`` JSON lines in, ``{"id", "score", "level", "categories",
"hits", "entities"}`` JSON lines out. A bad line is reported with its number and skipped."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

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


def _parse(line: str) -> tuple[object, str, str]:
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"line longer than {MAX_LINE_CHARS} characters")
    record = json.loads(line)
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    if "id" not in record:
        raise ValueError('no "id"')
    text = record.get("text")
    if not isinstance(text, str):
        raise TypeError('"text" missing or not a string')
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    return record["id"], text, title


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
            record_id, text, title = _parse(line)
        except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
            summary.bad.append((number, str(err)))
            continue
        result = engine.scan(text, title=title)
        summary.scanned += 1
        summary.chars += len(text)
        summary.levels[result.level] += 1
        for category in result.categories[:1]:
            summary.categories[category] += 1
        data = result.to_dict()
        row = {
            "id": record_id,
            "score": data["score"],
            "level": data["level"],
            "categories": data["categories"],
            "hits": data["hits"],
            "entities": data["entities"],
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return summary
