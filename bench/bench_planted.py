"""Planted search spam: detection on real pages with hacked-site texts put in, at benchmark time.

    python bench/bench_planted.py [--tampering FILE] [--pages FILE] [--seed 12]

Texts planted on hacked Chinese sites (``--tampering``, default
``../shared/data/tampering-dev.jsonl.gz``: ``{"id", "text", "group"}``) are split once, by a
fixed seed, into a tune half (the one the vocabulary in sitecheck/data/spam.yaml was written
against) and a check half (frozen: never looked at while tuning). Each text is put into a real
page (``--pages``, default ``../shared/data/real-pages.jsonl.gz``, drawn in turn) as a hacked
site does: as its ``<title>``, as its meta keywords and description, or as a hidden block of
links. Nothing planted is ever written to disk. A planted page is detected when the page facts
of the site checks (``sitecheck.facts.page_facts``: what the judge counts as planted spam) flag
that field. False positives: the same real pages untouched, flagged in any field.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import html
import json
import random
import re
from collections import Counter
from pathlib import Path

from pagemodel.encoding import decode_html
from pagemodel.model import page_from_html
from sitecheck.facts import page_facts

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SITE = {"id": "bench", "name": "", "owner": ""}
_TITLE = re.compile(r"<title[^>]*>.*?</title>", re.IGNORECASE | re.DOTALL)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body>", re.IGNORECASE)
_META = re.compile(
    r"<meta[^>]+name\s*=\s*[\"']?(?:description|keywords)[^>]*>", re.IGNORECASE | re.DOTALL
)


def read_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def split(texts: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return [texts[i] for i in order[:half]], [texts[i] for i in order[half:]]


def _head(markup: str, tags: str) -> str:
    found = _HEAD.search(markup)
    if found is None:
        return tags + markup
    return markup[: found.end()] + tags + markup[found.end() :]


def plant(markup: str, text: str, where: str) -> str:
    value = html.escape(text, quote=True)
    if where == "title":
        markup = _TITLE.sub("", markup)
        return _head(markup, f"<title>{value}</title>")
    if where == "meta":
        markup = _META.sub("", markup)
        return _head(
            markup,
            f'<meta name="keywords" content="{value}"><meta name="description" content="{value}">',
        )
    block = f'<div style="display:none"><a href="http://spam.example/">{value}</a></div>'
    found = _BODY_END.search(markup)
    return markup[: found.start()] + block + markup[found.start() :] if found else markup + block


FIELD_OF = {"title": "title_spam", "meta": "meta_spam", "hidden": "hidden_spam"}


def flagged(markup: str, url: str) -> dict:
    return page_facts(page_from_html(markup, url), None, SITE, depth=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tampering", type=Path, default=DATA / "tampering-dev.jsonl.gz")
    parser.add_argument("--pages", type=Path, default=DATA / "real-pages.jsonl.gz")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()

    pages = []
    for record in read_jsonl(args.pages):
        markup, _, _ = decode_html(base64.b64decode(record["body_b64"]), None)
        pages.append((markup, str(record.get("url") or "http://real.example/")))
    tune, check = split(read_jsonl(args.tampering), args.seed)

    print(f"{len(tune)} tune / {len(check)} check texts, {len(pages)} real pages")
    print(f"{'planted in':<12}{'tune':>8}{'check':>8}   check by group")
    for where, key in FIELD_OF.items():
        rates = []
        groups: Counter[str] = Counter()
        found_groups: Counter[str] = Counter()
        for half in (tune, check):
            found = 0
            for n, text in enumerate(half):
                markup, url = pages[n % len(pages)]
                hit = bool(flagged(plant(markup, text["text"], where), url)[key])
                found += hit
                if half is check:
                    groups[text["group"]] += 1
                    found_groups[text["group"]] += hit
            rates.append(found / len(half))
        by_group = ", ".join(f"{g} {found_groups[g] / n:.2f}" for g, n in groups.most_common())
        print(f"{where:<12}{rates[0]:>8.3f}{rates[1]:>8.3f}   {by_group}")

    false = []
    for markup, url in pages:
        facts = flagged(markup, url)
        if any(facts[key] for key in FIELD_OF.values()):
            false.append((url, facts["title_spam"] or facts["meta_spam"], facts["title"][:60]))
    print(f"real pages untouched, flagged: {len(false)}/{len(pages)}")
    for url, wording, title in false:
        print(f"  {url}  {wording!r}  {title}")


if __name__ == "__main__":
    main()
