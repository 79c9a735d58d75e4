"""The engine with and without the text model on batches its model never saw, working half only.

    python bench/model_oof.py [--threshold 0.8] [--weight 35]

The working half is cut into the five batch-grouped folds of ``bench/train_model.py``; for each
fold a model is trained on the other four and the engine scans the fold's items (texts and pages,
as ``bench/eval_rules.py`` does) with the rules alone and with that model. What the shipped model
(trained on all of the working half) would do on unseen batches is estimated by this, not by
scanning the working half with it (which it has learned). The check half is not read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import evalsets
from eval_rules import judge, parse_config, prf
from train_model import FOLDS, fit, read_working, record_text, to_json

from rules import load_engine
from rules.engine import Engine
from rules.textmodel import TextModel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "configs", nargs="*", default=[""], help="ModelConfig fields, e.g. threshold=0.9,doubt=0.1"
    )
    parser.add_argument("--max-features", type=int, default=8000)
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--show", action="store_true", help="list the verdicts the model changed")
    args = parser.parse_args(argv)
    import json

    from sklearn.model_selection import GroupKFold

    records = read_working()
    texts = [record_text(r) for r in records]
    labels = [r["label"] for r in records]
    groups = [r["batch"] for r in records]
    samples = {s.id: s for s in evalsets.web_half("working")}
    rules_only = load_engine(model=False)
    configs = [parse_config(spec) for spec in args.configs]
    counts = {spec: [0, 0, 0] for spec in ["(off)", *args.configs]}
    changed: dict[str, list[str]] = {spec: [] for spec in args.configs}
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, labels, groups):
        vectorizer, classifier = fit(
            [texts[i] for i in train],
            [labels[i] for i in train],
            max_features=args.max_features,
            c=args.c,
        )
        model = TextModel.from_json(json.loads(to_json(vectorizer, classifier, {})))
        engines = {"(off)": rules_only} | {
            spec: Engine(rules_only.rules, model=model, model_config=config)
            for spec, config in zip(args.configs, configs, strict=True)
        }
        for i in test:
            sample = samples[records[i]["id"]]
            base = None
            for spec, engine in engines.items():
                verdict = judge(engine, sample)
                base = verdict.flagged if base is None else base
                row = counts[spec]
                if sample.fraud:
                    row[0 if verdict.flagged else 2] += 1
                else:
                    row[1] += verdict.flagged
                if spec != "(off)" and verdict.flagged != base:
                    changed[spec].append(f"{sample.id} {sample.label} -> {verdict.level}")
    for spec, (tp, fp, fn) in counts.items():
        precision, recall, f1 = prf(tp, fp, fn)
        print(
            f"{spec or '(defaults)':44} P {precision:.3f} R {recall:.3f} F1 {f1:.3f} "
            f"(tp {tp}, fp {fp}, fn {fn})"
        )
    if args.show:
        for spec, lines in changed.items():
            print(f"changed by {spec or '(defaults)'} ({len(lines)}):")
            for line in lines:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
