"""Split the web-register development set into a working half and a frozen check half.

    python bench/webset_split.py split BATCH_DIR   # writes bench/webset/{working,check}/*.jsonl
    python bench/webset_split.py check             # near-duplicates across the halves, counts

The set (bench/webset/README.md) was written in batches, one batch per scenario (one register
and angle); texts of one batch may resemble each other, so the split is by batch, never by line.
For each category the batches are dealt out so that both halves hold about as many of its
positives and hard negatives (see ``_best_split``). The assignment is deterministic: the same batches give the same halves.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent / "webset"
HALVES = ("working", "check")
SHINGLE = 5
NEAR_DUPLICATE = 0.6  # Jaccard similarity of character 5-gram sets
_TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def read_batch(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def batch_counts(items: list[dict]) -> tuple[str, int, int]:
    focus = Counter(item["focus"] for item in items).most_common(1)[0][0]
    positives = sum(item["label"] != "benign" for item in items)
    return focus, positives, len(items) - positives


def _best_split(batches: list[tuple[Path, int, int]]) -> dict[str, str]:
    """The batches of one category in two halves: every way of dealing them out is tried (a
    category has at most a few dozen batches… in practice 8-14), and the one with the closest
    positives and negatives wins (negatives weigh double: they are scarcer), ties by the
    difference in batch numbers, then by name order."""
    batches = sorted(batches, key=lambda b: b[0].name)
    best: tuple[tuple[int, int, int], int] | None = None
    for mask in range(1 << len(batches)):
        if mask & 1:  # the first batch always goes to the working half: no mirrored twins
            continue
        diff_pos = diff_neg = diff_count = 0
        for bit, (_path, pos, neg) in enumerate(batches):
            sign = 1 if mask >> bit & 1 else -1
            diff_pos += sign * pos
            diff_neg += sign * neg
            diff_count += sign
        cost = (abs(diff_pos) + 2 * abs(diff_neg), abs(diff_count), mask)
        if best is None or cost < best[0]:
            best = (cost, mask)
    assert best is not None
    mask = best[1]
    return {path.name: HALVES[mask >> bit & 1] for bit, (path, _p, _n) in enumerate(batches)}


def split(batch_dir: Path) -> dict[str, str]:
    by_focus: dict[str, list[tuple[Path, int, int]]] = defaultdict(list)
    for path in sorted(batch_dir.glob("*.jsonl")):
        focus, pos, neg = batch_counts(read_batch(path))
        by_focus[focus].append((path, pos, neg))
    assignment: dict[str, str] = {}
    for batches in by_focus.values():
        assignment.update(_best_split(batches))
    for half in HALVES:
        target = HERE / half
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
    for name, half in sorted(assignment.items()):
        shutil.copyfile(batch_dir / name, HERE / half / name)
    return assignment


def visible_text(item: dict) -> str:
    if "html" in item:
        return " ".join(_TAG.sub(" ", item["html"]).split())
    return f"{item.get('title') or ''} {item.get('text') or ''}"


def shingles(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))}


def half_items(half: str) -> list[dict]:
    return [item for path in sorted((HERE / half).glob("*.jsonl")) for item in read_batch(path)]


def half_sha256(half: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((HERE / half).glob("*.jsonl")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def near_duplicates(check: list[dict], working: list[dict]) -> list[tuple[str, str, float]]:
    """Check items with a working item of Jaccard ≥ NEAR_DUPLICATE (inverted shingle index)."""
    index: dict[str, list[int]] = defaultdict(list)
    work_sets = [shingles(visible_text(item)) for item in working]
    for number, grams in enumerate(work_sets):
        for gram in grams:
            index[gram].append(number)
    found = []
    for item in check:
        grams = shingles(visible_text(item))
        shared: Counter[int] = Counter()
        for gram in grams:
            postings = index.get(gram, ())
            if len(postings) < 200:  # boilerplate shingles (menus, footers) decide nothing
                shared.update(postings)
        best = 0.0
        best_id = ""
        for number, common in shared.most_common(5):
            union = len(grams | work_sets[number])
            score = common / union if union else 0.0
            if score > best:
                best, best_id = score, working[number]["id"]
        if best >= NEAR_DUPLICATE:
            found.append((item["id"], best_id, round(best, 3)))
    return found


def report() -> None:
    halves = {half: half_items(half) for half in HALVES}
    for half, items in halves.items():
        pos = Counter(i["label"] for i in items if i["label"] != "benign")
        neg = Counter(i["focus"] for i in items if i["label"] == "benign")
        batches = len(list((HERE / half).glob("*.jsonl")))
        print(f"{half}: {len(items)} items in {batches} batches, sha256 {half_sha256(half)}")
        for focus in sorted(set(pos) | set(neg)):
            print(f"  {focus:26s} positives {pos[focus]:4d}  hard negatives {neg[focus]:4d}")
    dups = near_duplicates(halves["check"], halves["working"])
    share = len(dups) / max(1, len(halves["check"]))
    print(
        f"near-duplicates across the halves (char {SHINGLE}-gram Jaccard ≥ {NEAR_DUPLICATE}): "
        f"{len(dups)} of {len(halves['check'])} check items ({share:.2%})"
    )
    for check_id, work_id, score in dups[:20]:
        print(f"  {check_id} ~ {work_id} ({score})")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "split":
        split(Path(sys.argv[2]))
        report()
    elif len(sys.argv) == 2 and sys.argv[1] == "check":
        report()
    else:
        sys.exit(__doc__)
