"""Quality of the rule engine on the labelled dev corpus.

    python bench/eval_rules.py [--data PATH] [--packs DIR] [--limit N] [--worst 15]

Reads /work/shared/data/fraud-dev.jsonl.gz in place (never copy it, or its texts, into the
repo). Counting high and medium as flagged, prints precision / recall / F1 for fraud vs. not
fraud and per category, the confusion between categories, the flagged rate of anti-fraud news
among benign texts (recognised by their context cues), and the worst false positives.

Labels fake_job, pyramid_scheme and other_fraud count as fraud overall but have no category of
their own in the taxonomy, so they are left out of per-category figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rules import load_engine
from rules.context import ANTI_FRAUD
from rules.loader import taxonomy

DEFAULT_DATA = Path("/work/shared/data/fraud-dev.jsonl.gz")
UNCATEGORISED_FRAUD = {"fake_job", "pyramid_scheme", "other_fraud"}
NOT_FLAGGED = "(not flagged)"


def read(path: Path, limit: int | None):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            yield json.loads(line)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--packs", type=Path, action="append", default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--worst", type=int, default=15, help="false positives / negatives shown")
    parser.add_argument("--show-fn", action="store_true", help="also list missed fraud texts")
    args = parser.parse_args(argv)

    engine = load_engine(args.packs)
    categories = list(taxonomy())
    started = time.perf_counter()
    tp = fp = fn = tn = 0
    confusion: dict[str, Counter] = defaultdict(Counter)
    false_positives = []
    false_negatives = []
    news_total = news_flagged = 0
    fp_by_source: Counter = Counter()
    benign_by_source: Counter = Counter()
    chars = 0
    for record in read(args.data, args.limit):
        text, label = record["text"], record["label"]
        chars += len(text)
        result = engine.scan(text)
        flagged = result.level in ("high", "medium")
        fraud = label != "benign"
        predicted = result.categories[0] if flagged and result.categories else NOT_FLAGGED
        confusion[label][predicted] += 1
        if fraud:
            tp += flagged
            fn += not flagged
            if not flagged:
                false_negatives.append((result.score, record, result))
        else:
            benign_by_source[record.get("source", "?")] += 1
            fp += flagged
            tn += not flagged
            if flagged:
                fp_by_source[record.get("source", "?")] += 1
                false_positives.append((result.score, record, result))
            if engine.context(text).label == ANTI_FRAUD:
                news_total += 1
                news_flagged += flagged
    elapsed = time.perf_counter() - started

    precision, recall, f1 = prf(tp, fp, fn)
    total = tp + fp + fn + tn
    print(
        f"rule engine on {args.data.name}: {total} texts, {len(engine.rules)} rules "
        f"(fingerprint {engine.fingerprint}), {chars / 1e6:.1f} M characters in {elapsed:.1f} s"
    )
    print()
    print("fraud vs. not fraud (flagged = high or medium)")
    print(
        f"  precision {precision:.3f}   recall {recall:.3f}   F1 {f1:.3f}   "
        f"(tp {tp}, fp {fp}, fn {fn}, tn {tn})"
    )
    print(
        f"  targets:  precision >= 0.95 {'OK' if precision >= 0.95 else 'MISSED'}, "
        f"recall >= 0.85 {'OK' if recall >= 0.85 else 'MISSED'}"
    )
    print()
    print(
        "per category (top category of flagged texts; fake_job/pyramid_scheme/other_fraud excluded)"
    )
    print(
        f"  {'category':26} {'support':>7} {'predicted':>9} {'precision':>9} {'recall':>7} "
        f"{'F1':>6}"
    )
    for category in categories:
        support = sum(confusion[category].values())
        predicted = sum(
            confusion[label][category] for label in confusion if label not in UNCATEGORISED_FRAUD
        )
        hit = confusion[category][category]
        p, r, f = prf(hit, predicted - hit, support - hit)
        if support or predicted:
            print(f"  {category:26} {support:7d} {predicted:9d} {p:9.3f} {r:7.3f} {f:6.3f}")
        else:
            print(
                f"  {category:26} {support:7d} {predicted:9d}   (no texts of this kind in the "
                "corpus)"
            )
    print()
    print("confusion (rows: label, columns: predicted top category; only non-zero cells)")
    for label in sorted(confusion, key=lambda lbl: (lbl == "benign", lbl)):
        row = confusion[label]
        cells = ", ".join(f"{pred} {n}" for pred, n in row.most_common())
        print(f"  {label:26} {cells}")
    print()
    rate = news_flagged / news_total if news_total else 0.0
    print(
        f"anti-fraud news among benign texts (context cues >= threshold): {news_total}; "
        f"flagged {news_flagged} = {rate:.1%} (target <= 2% {'OK' if rate <= 0.02 else 'MISSED'})"
    )
    print(
        "benign flagged by source: "
        + ", ".join(f"{src} {fp_by_source[src]}/{n}" for src, n in sorted(benign_by_source.items()))
    )
    print()
    print(f"worst false positives (of {len(false_positives)}):")
    for score, record, result in sorted(false_positives, key=lambda x: -x[0])[: args.worst]:
        rule_ids = ", ".join(h.rule_id for h in result.hits)
        excerpt = " ".join(record["text"].split())[:90]
        print(
            f"  {record['id']:28} {result.level:6} {score:5.1f}  [{rule_ids}]"
            f"{' ctx=' + ','.join(result.context) if result.context else ''}"
        )
        print(f"      {excerpt}")
    if args.show_fn:
        print()
        print(f"missed fraud (of {len(false_negatives)}), highest score first:")
        for score, record, result in sorted(false_negatives, key=lambda x: -x[0])[: args.worst]:
            rule_ids = ", ".join(h.rule_id for h in result.hits) or "-"
            excerpt = " ".join(record["text"].split())[:90]
            print(
                f"  {record['id']:28} {record['label']:24} {score:5.1f} [{rule_ids}]"
                f"{' ctx=' + ','.join(result.context) if result.context else ''}"
            )
            print(f"      {excerpt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
