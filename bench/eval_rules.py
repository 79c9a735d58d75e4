"""Quality of the detection on every set we have, in one run.

    python bench/eval_rules.py [--sets fraud-dev,tampering,real-pages,web-working,web-check,farm]
                               [--packs DIR] [--worst 15] [--show-fn] [--show-check] [--json OUT]

Counting high and medium as flagged, for each set: precision / recall / F1 of fraud vs. not
fraud, recall and right-category rate per category, and the false positives with their rule
ids and the blocks (fields) the hits came from. Pages (real-pages, the web set's HTML items, the
farm) go through the sweep's own path from bytes: decode → extract → scan. Also: the
anti-fraud news of fraud-dev flagged, the share of tampering-dev flagged per group, and the
sha256 of the web set's frozen check half (``bench/webset/README.md``).

The check half is for reporting, never for tuning: its figures are printed, but not its false
positives or misses (no ids, no excerpts, not in ``--json`` either) unless ``--show-check`` is
given. The worst cases shown by default are the working half's and the other sets'.

Labels fake_job, pyramid_scheme and other_fraud count as fraud overall but have no category of
their own in the taxonomy, so they are left out of per-category figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import evalsets
from evalsets import BENIGN, LISTS_FRAUD, UNCATEGORISED_FRAUD, Sample

from ground.levels import FRAUD_LEVELS
from rules import Engine, load_engine
from rules.context import ANTI_FRAUD
from rules.loader import taxonomy
from rules.textmodel import IDENTIFYING_SIGNALS, ModelConfig

SETS = ("fraud-dev", "tampering", "real-pages", "web-working", "web-check", "farm")
#: batches written for the web set but not yet in either half (``--new-batches DIR``): measured
#: as an unseen set before anything is tuned on them
NEW_BATCHES = "web-new"
FROZEN_SETS = frozenset({"web-check"})  # figures only: its items are listed with --show-check
TAMPERING_FRAUD_GROUPS = ("gambling", "wallet")  # the fraud categories among planted texts


@dataclass
class Verdict:
    sample: Sample
    level: str
    score: float
    categories: list[str]
    hits: list[dict[str, Any]]
    context: list[str]
    excerpt: str

    @property
    def flagged(self) -> bool:
        return self.level in FRAUD_LEVELS


def judge(engine: Any, sample: Sample) -> Verdict:
    """What the product says about one sample: a text through the engine, a page through the
    sweep's decode → extract → scan path."""
    if sample.body is None:
        result = engine.scan(sample.text, title=sample.title).to_dict()
        excerpt = sample.text
    else:
        result, excerpt = _scan_page_bytes(engine, sample)
    return Verdict(
        sample,
        result["level"],
        result["score"],
        result["categories"],
        result["hits"],
        result.get("context") or [],
        " ".join(excerpt.split())[:100],
    )


def _scan_page_bytes(engine: Any, sample: Sample) -> tuple[dict[str, Any], str]:
    from pagemodel.encoding import NotHtml
    from pagemodel.model import read_page
    from pagemodel.scan import scan_page

    try:
        page = read_page(
            sample.body or b"", sample.url or "http://example.invalid/", sample.content_type
        )
    except NotHtml:
        return {"level": "none", "score": 0.0, "categories": [], "hits": []}, "(not html)"
    return scan_page(engine, page), f"{page.title} | {page.text}"


@dataclass
class Tally:
    """Counts of one set."""

    name: str
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0

    def scored(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.sample.label != LISTS_FRAUD]

    def counts(self) -> tuple[int, int, int, int]:
        tp = fp = fn = tn = 0
        for v in self.scored():
            if v.sample.fraud:
                tp += v.flagged
                fn += not v.flagged
            else:
                fp += v.flagged
                tn += not v.flagged
        return tp, fp, fn, tn

    def per_category(self) -> dict[str, tuple[int, int, int]]:
        """category -> (positives, flagged, flagged under the right category)."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for v in self.scored():
            label = v.sample.label
            if label == BENIGN or label in UNCATEGORISED_FRAUD:
                continue
            row = out[label]
            row[0] += 1
            row[1] += v.flagged
            row[2] += v.flagged and bool(v.categories) and v.categories[0] == label
        return {k: (a, b, c) for k, (a, b, c) in out.items()}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_set(engine: Any, name: str, samples: Iterable[Sample]) -> Tally:
    tally = Tally(name)
    started = time.perf_counter()
    for sample in samples:
        tally.verdicts.append(judge(engine, sample))
    tally.seconds = time.perf_counter() - started
    return tally


def _hit_places(verdict: Verdict) -> str:
    places = Counter(f"{h['rule_id']}@{h.get('field', 'text')}" for h in verdict.hits)
    return ", ".join(places) or "-"


def print_labelled(
    tally: Tally, names: dict[str, str], worst: int, show_fn: bool, show_frozen: bool = False
) -> dict:
    """The figures of one labelled set, and its worst cases, except for a frozen set's (the
    check half's) items, which are listed only when ``show_frozen`` says so."""
    listing = show_frozen or tally.name not in FROZEN_SETS
    tp, fp, fn, tn = tally.counts()
    precision, recall, f1 = prf(tp, fp, fn)
    print(f"== {tally.name}: {len(tally.verdicts)} samples in {tally.seconds:.1f} s")
    print(
        f"  precision {precision:.3f}   recall {recall:.3f}   F1 {f1:.3f}   "
        f"(tp {tp}, fp {fp}, fn {fn}, tn {tn})"
    )
    rows = tally.per_category()
    if rows:
        print(f"  {'category':26} {'pos':>5} {'recall':>7} {'right cat':>9}")
        for category in sorted(rows):
            positives, flagged, right = rows[category]
            print(
                f"  {category:26} {positives:5d} {flagged / positives:7.3f} "
                f"{(right / flagged if flagged else 0):9.3f}   {names.get(category, '')}"
            )
    listed = [v for v in tally.verdicts if v.sample.label == LISTS_FRAUD]
    if listed:
        flagged = sum(v.flagged for v in listed)
        print(f"  list pages showing fraud titles (not scored): {flagged}/{len(listed)} flagged")
    false_pos = sorted(
        (v for v in tally.scored() if v.flagged and not v.sample.fraud), key=lambda v: -v.score
    )
    if false_pos and not listing:
        print(f"  false positives ({len(false_pos)}): not listed (frozen set; --show-check)")
    elif false_pos:
        print(f"  false positives ({len(false_pos)}):")
        for v in false_pos[:worst]:
            print(
                f"    {v.sample.id:34} {v.level:6} {v.score:5.1f} [{_hit_places(v)}]"
                f"{' ctx=' + ','.join(v.context) if v.context else ''}"
            )
            print(f"        {v.excerpt}")
    if show_fn and listing:
        missed = [v for v in tally.scored() if v.sample.fraud and not v.flagged]
        print(f"  missed ({len(missed)}), highest score first:")
        for v in sorted(missed, key=lambda v: -v.score)[:worst]:
            print(f"    {v.sample.id:34} {v.sample.label:24} {v.score:5.1f} [{_hit_places(v)}]")
            print(f"        {v.excerpt}")
    return {
        "samples": len(tally.verdicts),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "categories": {
            k: {
                "positives": a,
                "recall": round(b / a, 4) if a else 0.0,
                "right_category": round(c / b, 4) if b else 0.0,
            }
            for k, (a, b, c) in rows.items()
        },
        "false_positives": [v.sample.id for v in false_pos] if listing else len(false_pos),
    }


def print_tampering(tally: Tally, worst: int, show_fn: bool) -> dict:
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in tally.verdicts:
        row = by_group[v.sample.group]
        row[0] += 1
        row[1] += v.flagged
    print(
        f"== {tally.name}: {len(tally.verdicts)} planted texts in {tally.seconds:.1f} s "
        "(flagged share per group; porn is no fraud category: reported apart)"
    )
    for group in sorted(by_group):
        total, flagged = by_group[group]
        target = " (target >= 80%)" if group in TAMPERING_FRAUD_GROUPS else ""
        print(f"  {group:10} {flagged:5d}/{total:<5d} = {flagged / total:6.1%}{target}")
    if show_fn:
        missed = [
            v for v in tally.verdicts if v.sample.group in TAMPERING_FRAUD_GROUPS and not v.flagged
        ]
        print(f"  missed gambling/wallet ({len(missed)}):")
        for v in missed[:worst]:
            print(f"    {v.sample.id:14} {v.sample.group:9} {v.score:5.1f} {v.excerpt[:80]}")
    return {
        g: {"total": t, "flagged": f, "share": round(f / t, 4)} for g, (t, f) in by_group.items()
    }


def print_fraud_dev_news(engine: Any, tally: Tally) -> dict:
    news = flagged = 0
    for v in tally.verdicts:
        if v.sample.label == BENIGN and engine.context(v.sample.text).label == ANTI_FRAUD:
            news += 1
            flagged += v.flagged
    rate = flagged / news if news else 0.0
    print(
        f"  anti-fraud news among benign texts: {news}; flagged {flagged} = {rate:.1%} "
        "(target <= 1%)"
    )
    return {"news": news, "flagged": flagged}


def parse_config(spec: str) -> ModelConfig:
    """``threshold=0.9,weight=35,signals=0,doubt=0.1`` → a ModelConfig."""
    values: dict = {}
    for part in filter(None, spec.split(",")):
        key, value = part.split("=")
        if key == "signals":
            if value.startswith("+"):  # signals=+url+apk: the identifying ones and these
                values[key] = IDENTIFYING_SIGNALS | frozenset(value[1:].split("+"))
            else:
                values[key] = (
                    IDENTIFYING_SIGNALS if value not in ("0", "false", "no") else frozenset()
                )
        elif key in ("signal_words", "stance_excuse"):
            values[key] = value not in ("0", "false", "no")
        elif key in ("doubt", "signal_threshold", "alone"):
            values[key] = None if value == "none" else float(value)
        else:
            values[key] = float(value)
    return ModelConfig(**values)


def loaders(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "fraud-dev": evalsets.fraud_dev,
        "tampering": evalsets.tampering,
        "real-pages": evalsets.real_pages,
        "web-working": lambda: evalsets.web_half("working"),
        "web-check": lambda: evalsets.web_half("check"),
        "farm": lambda: evalsets.farm_pages(args.farm_sites),
        NEW_BATCHES: lambda: evalsets.web_half(str(args.new_batches.resolve())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", default=",".join(SETS), help="comma-separated, of: " + ", ".join(SETS)
    )
    parser.add_argument("--packs", type=Path, action="append", default=None)
    parser.add_argument("--worst", type=int, default=15, help="false positives / misses shown")
    parser.add_argument("--show-fn", action="store_true", help="also list missed fraud")
    parser.add_argument(
        "--show-check",
        action="store_true",
        help="also list the frozen check half's false positives and misses (reporting only: "
        "never tune on them)",
    )
    parser.add_argument("--farm-sites", type=int, default=60)
    parser.add_argument(
        "--new-batches",
        type=Path,
        default=None,
        help=f"also score the batches (*.jsonl) in this directory, as set {NEW_BATCHES}: new "
        "writing measured before it joins the working half",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--model",
        choices=("setting", "on", "off"),
        default="setting",
        help="the text model as second signal: as the rules_model setting says (default), on "
        "or off",
    )
    parser.add_argument(
        "--model-config",
        default="",
        help="ModelConfig fields for the model, e.g. threshold=0.9,signals=1,doubt=0.1",
    )
    args = parser.parse_args(argv)
    wanted = [name.strip() for name in args.sets.split(",") if name.strip()]
    if args.new_batches is not None:
        if not args.new_batches.is_dir():
            parser.error(f"--new-batches {args.new_batches}: no such directory")
        frozen = (evalsets.WEBSET / "check").resolve()
        if args.new_batches.resolve() == frozen or frozen in args.new_batches.resolve().parents:
            parser.error("--new-batches: that is the frozen check half (set web-check)")
        wanted.append(NEW_BATCHES)
    unknown = sorted(set(wanted) - {*SETS, NEW_BATCHES})
    if unknown:
        parser.error(f"unknown set(s): {', '.join(unknown)}")

    model = {"setting": None, "on": True, "off": False}[args.model]
    engine = load_engine(args.packs, model=model)
    if engine.model is not None and args.model_config:
        engine = Engine(
            engine.rules, model=engine.model, model_config=parse_config(args.model_config)
        )
    names = taxonomy()
    started = time.perf_counter()
    print(
        f"rules: {len(engine.rules)} (fingerprint {engine.fingerprint}); "
        f"text model {'on' if engine.model else 'off'}; "
        f"web check half sha256 {evalsets.check_half_sha256()}"
    )
    figures: dict[str, Any] = {
        "rules": engine.fingerprint,
        "model": engine.model is not None,
        "check_half_sha256": evalsets.check_half_sha256(),
    }
    for name in wanted:
        tally = run_set(engine, name, loaders(args)[name]())
        print()
        if name == "tampering":
            figures[name] = print_tampering(tally, args.worst, args.show_fn)
            continue
        figures[name] = print_labelled(
            tally, names, args.worst, args.show_fn, show_frozen=args.show_check
        )
        if name == "fraud-dev":
            figures[name]["anti_fraud_news"] = print_fraud_dev_news(engine, tally)
        if name == "real-pages":
            fp = figures[name]["fp"]
            print(f"  flagged {fp} of {len(tally.verdicts)} real legitimate pages (target <= 2)")
    print(f"\nall sets in {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
