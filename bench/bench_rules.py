"""Throughput of the rule engine against the bare automaton, measured in the same run.

    python bench/bench_rules.py [--data PATH] [--mb 8] [--page-kb 16] [--repeat 3] [--packs DIR]

Chinese text comes from the dev corpus (read in place, never copied), cut into pages of
``--page-kb`` KB of UTF-8 (web pages are 5–50 KB of text; short SMS texts are also measured as
they are). One core, full rule pack. The baseline is the same ``ahocorasick_rs`` automaton the
engine builds, asked for all (overlapping) matches over the same pages: everything the engine
does on top (normalisation, entities, conditions, scoring, explanations) shows in the ratio.
Targets (issue 3): >= 20 MB/s and >= 25 % of the raw automaton.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules import load_engine

DEFAULT_DATA = Path("/work/shared/data/fraud-dev.jsonl.gz")


def load_texts(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def make_pages(texts: list[str], total_mb: float, page_kb: float) -> list[str]:
    pages: list[str] = []
    current: list[str] = []
    size = total = 0
    limit = page_kb * 1024
    i = 0
    while total < total_mb * 1e6:
        text = texts[i % len(texts)]
        i += 1
        current.append(text)
        n = len(text.encode("utf-8"))
        size += n
        total += n
        if size >= limit:
            pages.append("\n".join(current))
            current, size = [], 0
    if current:
        pages.append("\n".join(current))
    return pages


def megabytes(pages: list[str]) -> float:
    return sum(len(p.encode("utf-8")) for p in pages) / 1e6


def best_time(fn, pages: list[str], repeat: int, before_run=None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before_run is not None:
            before_run()
        started = time.perf_counter()
        for page in pages:
            fn(page)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--packs", type=Path, action="append", default=None)
    parser.add_argument("--mb", type=float, default=8.0, help="MB of UTF-8 text per run")
    parser.add_argument("--page-kb", type=float, default=16.0, help="page size in KB")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best one counts")
    args = parser.parse_args(argv)

    engine = load_engine(args.packs)
    texts = load_texts(args.data)
    engine.scan(texts[0])  # warm-up: char table, regexes
    engine.boundaries.is_word("时代练习", 1, 3)  # jieba loads once, not inside the timing

    def raw(page: str) -> None:
        engine.matcher.raw_matches(page)

    print(
        f"{len(engine.rules)} rules, {len(engine.matcher)} automaton patterns "
        f"(fingerprint {engine.fingerprint}), best of {args.repeat} runs, one core"
    )
    print(f"{'workload':34} {'MB':>6} {'raw MB/s':>9} {'engine MB/s':>12} {'ratio':>7}")
    results = []
    for label, pages in (
        (f"pages of {args.page_kb:g} KB", make_pages(texts, args.mb, args.page_kb)),
        ("corpus texts as they are (~0.8 KB)", make_pages(texts, args.mb / 4, 0)),
    ):
        mb = megabytes(pages)
        raw_speed = mb / best_time(raw, pages, args.repeat)
        # no run may profit from word-boundary results cached by the previous one
        engine_speed = mb / best_time(
            engine.scan, pages, args.repeat, engine.boundaries.clear_cache
        )
        ratio = engine_speed / raw_speed
        results.append((label, engine_speed, ratio))
        print(f"{label:34} {mb:6.1f} {raw_speed:9.1f} {engine_speed:12.1f} {ratio:7.1%}")
    label, speed, ratio = results[0]
    print()
    print(
        f"targets on {label}: engine >= 20 MB/s {'OK' if speed >= 20 else 'MISSED'} "
        f"({speed:.1f}), >= 25% of raw {'OK' if ratio >= 0.25 else 'MISSED'} ({ratio:.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
