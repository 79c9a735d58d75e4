"""``report.html``: one self-contained page an official can open offline.

The sweep's figures, a bar chart of findings by category and one by site (inline SVG, no
scripts, no external CSS/JS/fonts), the strongest findings with their snippets, the compromised
sites (site-level verdicts: taken over, spam planted, cloaking, hijack) with their evidence,
and the sites that failed. Everything that came from a crawled page is untrusted: the Jinja2 template escapes
every value (autoescape), and a Content-Security-Policy forbids scripts and remote loads even
if something slipped through.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from crawler.output import atomic_write, read_jsonl
from ground.clock import office_text
from ground.levels import LEVEL_NAMES_ZH, LEVELS, rank
from indexer.verdict_states import DISPOSAL_BY_KIND, KIND_NAMES_ZH

STATUS_NAMES = {
    "done": "完成",
    "failed": "失败",
    "timeout": "超时",
    "budget_exhausted": "达到页数上限",
    "pending": "未开始",
    "running": "未完成",
}
MAX_LABEL_CHARS = 16
MAX_REPORTED_FINDINGS = 50
MAX_CHART_BARS = 15
# Distinct snippets shown per finding (several hits often quote the same title or sentence).
MAX_SNIPPETS_PER_FINDING = 3


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("crawler", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["level_name"] = lambda level: LEVEL_NAMES_ZH.get(level or "none", level)
    env.filters["duration"] = _duration_text
    env.filters["status_name"] = lambda status: STATUS_NAMES.get(status or "", status)
    env.filters["verdict_name"] = lambda kind: KIND_NAMES_ZH.get(kind or "", kind)
    env.filters["disposal"] = lambda kind: DISPOSAL_BY_KIND.get(kind or "", "")
    return env


def render_report(
    summary: dict[str, Any],
    findings: list[dict[str, Any]],
    taxonomy: dict[str, str] | None = None,
    *,
    zone: ZoneInfo | None = None,
) -> str:
    """The report's HTML. ``findings``: findings.jsonl records, strongest first. Times are
    shown in `zone` (the office's, ``report_timezone``; without one: UTC), which is named."""
    taxonomy = taxonomy or _taxonomy()
    zone = zone or ZoneInfo("UTC")
    top = sorted(
        (f for f in findings if f.get("hits")),
        key=lambda f: (rank(f.get("level")), f.get("score") or 0),
        reverse=True,
    )[:MAX_REPORTED_FINDINGS]
    categories = summary.get("findings", {}).get("by_category", [])[:MAX_CHART_BARS]
    sites = sorted(
        (s for s in summary.get("top_sites", []) if s.get("fraud_pages")),
        key=lambda s: (s.get("fraud_pages", 0), s.get("max_score", 0)),
        reverse=True,
    )[:MAX_CHART_BARS]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            summary=summary,
            findings=[{**finding, "evidence": evidence(finding)} for finding in top],
            category_bars=_bars(
                [(c.get("name") or c.get("id"), c.get("pages", 0)) for c in categories]
            ),
            site_bars=_bars(
                [
                    (s.get("name") or s.get("url") or s.get("id"), s.get("fraud_pages", 0))
                    for s in sites
                ]
            ),
            taxonomy=taxonomy,
            levels=LEVELS,
            started=office_text(summary.get("started"), zone),
            ended=office_text(summary.get("ended"), zone),
            zone=zone.key,
        )
    )


def write_report(
    path: Path,
    summary: dict[str, Any],
    findings: list[dict[str, Any]],
    taxonomy: dict[str, str] | None = None,
    *,
    zone: ZoneInfo | None = None,
) -> Path:
    """Write the report atomically (an official never opens a half-written file)."""
    html = render_report(summary, findings, taxonomy, zone=zone)
    atomic_write(path, html)
    return path


def report_from_dir(out_dir: Path, *, zone: ZoneInfo | None = None) -> Path:
    """(Re)build ``report.html`` from an out dir's summary.json and findings.jsonl."""
    summary = json.loads((out_dir / "summary.json").read_text("utf-8"))
    findings = list(read_jsonl(out_dir / "findings.jsonl"))
    return write_report(out_dir / "report.html", summary, findings, zone=zone)


def evidence(finding: dict[str, Any]) -> list[dict[str, Any]]:
    """A finding's hits grouped by snippet, in hit order: each distinct snippet once, with the
    rules that quote it (``[{"snippet", "hits": [hit, …]}]``, at most MAX_SNIPPETS_PER_FINDING)."""
    groups: dict[str, dict[str, Any]] = {}
    for hit in finding.get("hits") or []:
        text = hit.get("snippet") or ""
        group = groups.get(text)
        if group is None:
            if len(groups) >= MAX_SNIPPETS_PER_FINDING:
                continue
            group = groups[text] = {"snippet": text, "hits": []}
        group["hits"].append(hit)
    return list(groups.values())


def _bars(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Bar geometry for the SVG charts: label, value, width in percent of the largest."""
    largest = max((value for _, value in rows), default=0) or 1
    return [
        {"label": _short(str(label)), "value": value, "percent": round(100 * value / largest, 1)}
        for label, value in rows
    ]


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _taxonomy() -> dict[str, str]:
    try:
        from rules.loader import taxonomy
    except ImportError:  # the report must still render without the rules package
        return {}
    return taxonomy()


def _duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    if minutes:
        return f"{minutes} 分 {secs} 秒"
    return f"{secs} 秒"
