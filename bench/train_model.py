"""Train the engine's second signal (rules.textmodel) on the working half of the web set.

    python bench/train_model.py [--out rules/data/model/fraud-ngrams.json] [--no-cv]
                                [--max-features 8000] [--c 4]

Only ``bench/webset/working/*.jsonl`` is read: the team's own text. The check half, the shared
research data and anything derived from them never reach the model. HTML items are read
through the page model and give their content, meta and hidden blocks (not the chrome).

Cross-validation is grouped by writing batch (texts of one scenario stay in one fold), five
folds in batch order, and prints the model alone: fraud-vs-benign precision and recall at
several thresholds of P(fraud), and the right-category rate. Training is deterministic (lbfgs,
no shuffling): the same working half gives the same JSON bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ground.blocks import BlockKind
from rules.normalise import normalise
from rules.textmodel import BENIGN, MODEL_FORMAT, MODEL_PATH, word_ngrams

WORKING = Path(__file__).resolve().parent / "webset" / "working"
LEFT_OUT_KINDS = frozenset({BlockKind.BOILERPLATE, BlockKind.LINK_TEXT})
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
FOLDS = 5
#: The hits' rule version (``model.<category>``, in the engine's fingerprint): raised whenever the
#: weights are retrained, so that a rescan knows its pages were judged by another model.
#: 2: the working half with the w8/w9 batches (3,035 texts).
#: 3: with the w10–w17 batches (6,214 texts).
MODEL_VERSION = 3


def read_working(directory: Path = WORKING) -> list[dict]:
    records = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def record_text(record: dict) -> str:
    """What the model learns from one item, normalised as the engine normalises a page."""
    if "html" in record:
        from pagemodel.model import read_page

        page = read_page(
            record["html"].encode("utf-8"), f"http://web.example/{record['id']}.html", "text/html"
        )
        text = "\n".join(b.text for b in page.blocks if b.kind not in LEFT_OUT_KINDS)
    else:
        text = "\n".join(filter(None, (record.get("title"), record.get("text"))))
    return normalise(text).text


def working_sha256(directory: Path = WORKING) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.jsonl")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def fit(texts: Sequence[str], labels: Sequence[str], *, max_features: int, c: float):
    """The vectorizer and classifier (scikit-learn, imported here: scanning never needs it)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer=word_ngrams, sublinear_tf=True, min_df=2, max_features=max_features
    )
    matrix = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    classifier.fit(matrix, labels)
    return vectorizer, classifier


def to_json(vectorizer, classifier, meta: dict) -> str:
    import numpy as np

    classes = [str(c) for c in classifier.classes_]
    coef, intercepts = classifier.coef_, classifier.intercept_
    if len(classes) == 2:  # one logit, for the second class: as softmax logits, (0, it)
        coef = np.vstack([np.zeros_like(coef), coef])
        intercepts = np.concatenate([[0.0], intercepts])
    features = {}
    for gram, column in sorted(vectorizer.vocabulary_.items()):
        row = [float(vectorizer.idf_[column])] + [float(w) for w in coef[:, column]]
        features[gram] = [float(f"{v:.5g}") for v in row]
    data = {
        "format": MODEL_FORMAT,
        "meta": meta,
        "classes": classes,
        "intercepts": [float(f"{v:.5g}") for v in intercepts],
        "features": features,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def cross_validate(
    texts: list[str], labels: list[str], groups: list[str], *, max_features: int, c: float
) -> None:
    import numpy as np
    from sklearn.model_selection import GroupKFold

    fraud_prob = np.zeros(len(texts))
    best = [BENIGN] * len(texts)
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, labels, groups):
        vectorizer, classifier = fit(
            [texts[i] for i in train], [labels[i] for i in train], max_features=max_features, c=c
        )
        proba = classifier.predict_proba(vectorizer.transform([texts[i] for i in test]))
        classes = list(classifier.classes_)
        benign = classes.index(BENIGN)
        for row, i in zip(proba, test, strict=True):
            fraud_prob[i] = 1.0 - row[benign]
            row = row.copy()
            row[benign] = -1.0
            best[i] = classes[int(row.argmax())]
    truth = np.array([label != BENIGN for label in labels])
    print(f"cross-validation, {FOLDS} folds grouped by batch ({len(set(groups))} batches):")
    print(f"  {'P(fraud) >=':>11} {'precision':>9} {'recall':>7} {'right cat':>9}")
    for threshold in THRESHOLDS:
        flagged = fraud_prob >= threshold
        tp = int((flagged & truth).sum())
        fp = int((flagged & ~truth).sum())
        fn = int((~flagged & truth).sum())
        right = sum(1 for i in np.flatnonzero(flagged & truth) if best[i] == labels[i])
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        print(f"  {threshold:11.2f} {precision:9.3f} {recall:7.3f} {right / max(tp, 1):9.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--max-features", type=int, default=8000)
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    records = read_working()
    texts = [record_text(r) for r in records]
    labels = [r["label"] for r in records]
    groups = [r["batch"] for r in records]
    print(f"working half: {len(records)} items, {len(set(groups))} batches")
    if not args.no_cv:
        cross_validate(texts, labels, groups, max_features=args.max_features, c=args.c)
    vectorizer, classifier = fit(texts, labels, max_features=args.max_features, c=args.c)
    import sklearn

    meta = {
        "version": MODEL_VERSION,
        "trained_on": "bench/webset/working",
        "trained_on_sha256": working_sha256(),
        "items": len(records),
        "max_features": args.max_features,
        "C": args.c,
        "sklearn": sklearn.__version__,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(vectorizer, classifier, meta), encoding="utf-8")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
