"""Dated run folders (``BASE/YYYY-MM-DD``) and their retention: the weekly routine's archive."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def dated_folders(base: Path) -> list[Path]:
    """The folders directly under ``base`` named like a date, oldest first."""
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and DATED.match(p.name))


def prune_dated(base: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` dated folders under ``base``; returns those removed.
    Anything not named like a date is left alone."""
    folders = dated_folders(base)
    removed = folders[: max(len(folders) - keep, 0)]
    for folder in removed:
        shutil.rmtree(folder)
    return removed
