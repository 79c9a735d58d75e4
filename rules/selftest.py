"""`wuzha rules test`: every rule's own examples, every lexicon's examples, and the benign
baseline, through the full engine.

Examples: a ``match`` text must make the rule fire, a ``no_match`` text must not. Lexicon
examples (rules/lexicons/*.yaml): a ``match`` text must hold one of the lexicon's terms after
normalisation, a ``no_match`` text none. Baseline:
legitimate pages (rules/baseline/) on which no rule may fire, except hits accepted in the page's
``accepted`` list with a reason (Sigma's goodlog tests and known-FPs list).

Baseline files (any mix):
- ``*.yaml`` / ``*.yml``: a list of pages, or ``{pages: [...]}``; a page is
  ``{id, text, title?, url?, accepted?: [{rule_id, reason}]}``;
- ``*.jsonl``: one page per line, same fields;
- ``*.txt`` / ``*.md``: one page per file, the file name is its id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rules.engine import Engine
from rules.errors import BadBaseline

DEFAULT_BASELINE_DIR = Path(__file__).parent / "baseline"


@dataclass(frozen=True)
class Failure:
    kind: str  # "missed" | "fired" | "baseline"
    rule_id: str
    where: str  # file (and page id)
    text: str
    detail: str = ""

    def __str__(self) -> str:
        excerpt = " ".join(self.text.split())
        excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
        what = {
            "missed": "must match but did not",
            "fired": "must not match but did",
            "baseline": "fired on a benign baseline page",
            "lexicon_missed": "must hold a term of the lexicon but does not",
            "lexicon_found": "must hold no term of the lexicon but does",
        }[self.kind]
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.where} [{self.rule_id}] {what}{extra}: {excerpt}"


@dataclass
class Report:
    examples: int = 0
    baseline_pages: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class BaselinePage:
    id: str
    text: str
    source: Path
    title: str = ""
    url: str = ""
    accepted: dict[str, str] = field(default_factory=dict)  # rule id → reason


def run_examples(engine: Engine, report: Report | None = None) -> Report:
    report = report or Report()
    for rule in engine.rules:
        for text in rule.examples_match:
            report.examples += 1
            fired = {h.rule_id for h in engine.scan(text).hits}
            if rule.id not in fired:
                report.failures.append(Failure("missed", rule.id, str(rule.source), text))
        for text in rule.examples_no_match:
            report.examples += 1
            fired = {h.rule_id for h in engine.scan(text).hits}
            if rule.id in fired:
                report.failures.append(Failure("fired", rule.id, str(rule.source), text))
    return report


def run_lexicon_examples(report: Report | None = None) -> Report:
    """Every lexicon's examples, on normalised text as rules see it."""
    from rules.lexicons import load_lexicons
    from rules.normalise import normalise, normalise_term

    report = report or Report()
    for lexicon in load_lexicons().values():
        terms = {normalise_term(t) for t in lexicon.terms}
        terms.discard("")
        for text, want in [(t, True) for t in lexicon.examples_match] + [
            (t, False) for t in lexicon.examples_no_match
        ]:
            report.examples += 1
            normal = normalise(text).text
            found = [t for t in terms if t in normal]
            if bool(found) != want:
                kind = "lexicon_missed" if want else "lexicon_found"
                detail = "、".join(sorted(found)[:5])
                report.failures.append(
                    Failure(kind, f"@{lexicon.name}", str(lexicon.source), text, detail)
                )
    return report


def _page(raw: Any, source: Path, fallback_id: str) -> BaselinePage:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise BadBaseline(source, f"baseline page {fallback_id} needs a 'text' string")
    accepted = {}
    for item in raw.get("accepted") or []:
        if not isinstance(item, dict) or not item.get("rule_id") or not item.get("reason"):
            raise BadBaseline(
                source,
                f"page {raw.get('id', fallback_id)}: each accepted hit needs rule_id and reason",
            )
        accepted[str(item["rule_id"])] = str(item["reason"])
    return BaselinePage(
        id=str(raw.get("id") or fallback_id),
        text=raw["text"],
        source=source,
        title=str(raw.get("title") or ""),
        url=str(raw.get("url") or ""),
        accepted=accepted,
    )


def baseline_pages(directory: Path = DEFAULT_BASELINE_DIR) -> Iterator[BaselinePage]:
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name.startswith((".", "_")) or path.name == "README.md":
            continue
        suffix = path.suffix.lower()
        try:
            if suffix in (".yaml", ".yml"):
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                items = data.get("pages") if isinstance(data, dict) else data
                if not isinstance(items, list):
                    raise BadBaseline(path, "expected a list of pages or {pages: [...]}")
                for i, raw in enumerate(items):
                    yield _page(raw, path, f"{path.stem}#{i + 1}")
            elif suffix == ".jsonl":
                lines = path.read_text(encoding="utf-8").splitlines()
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        yield _page(json.loads(line), path, f"{path.stem}:{number}")
            elif suffix in (".txt", ".md"):
                yield BaselinePage(path.stem, path.read_text(encoding="utf-8"), path)
        except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as err:
            raise BadBaseline(path, f"cannot read this baseline file: {err}") from None


def run_baseline(
    engine: Engine, directory: Path = DEFAULT_BASELINE_DIR, report: Report | None = None
) -> Report:
    report = report or Report()
    for page in baseline_pages(directory):
        report.baseline_pages += 1
        result = engine.scan(page.text, title=page.title, url=page.url)
        for hit in result.hits:
            if hit.rule_id in page.accepted:
                continue
            report.failures.append(
                Failure(
                    "baseline",
                    hit.rule_id,
                    f"{page.source} page {page.id}",
                    hit.snippet,
                    f"level {result.level}, score {result.score:g}, matched "
                    + "、".join(hit.matched[:5]),
                )
            )
    return report


def run_all(engine: Engine, baseline_dir: Path = DEFAULT_BASELINE_DIR) -> Report:
    report = run_examples(engine)
    run_lexicon_examples(report)
    return run_baseline(engine, baseline_dir, report)
