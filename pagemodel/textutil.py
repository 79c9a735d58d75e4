"""Whitespace and size helpers shared by the extractors."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000\u200b\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def squash(text: str | None, limit: int | None = None) -> str:
    """One line: every run of whitespace (incl. NBSP and ideographic space) becomes one space."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text[:limit] if limit else text


def clean_lines(text: str) -> list[str]:
    """Lines with their inner whitespace collapsed; empty lines dropped."""
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if line:
            lines.append(line)
    return lines


def cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]
