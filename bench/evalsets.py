"""The evaluation sets of ``bench/eval_rules.py``, each read as a stream of :class:`Sample`.

- ``fraud-dev``: ../shared/data/fraud-dev.jsonl.gz (public research texts, SMS-heavy; labels).
- ``tampering``: ../shared/data/tampering-dev.jsonl.gz (real texts planted on hacked sites;
  groups gambling / wallet / porn / other; no benign texts).
- ``real-pages``: ../shared/data/real-pages.jsonl.gz (135 real legitimate pages, raw bytes).
- ``web-working`` / ``web-check``: the team's web-register set (bench/webset/), both halves.
- ``farm``: the local farm's pages, rendered by the farm itself (no server), with its truth.

The shared data is read in place and never copied into the repository.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
WEBSET = Path(__file__).resolve().parent / "webset"
UNCATEGORISED_FRAUD = frozenset({"fake_job", "pyramid_scheme", "other_fraud"})
BENIGN = "benign"
LISTS_FRAUD = "lists_fraud_titles"  # farm list pages: reported, not scored


@dataclass(frozen=True)
class Sample:
    """One thing to judge: a text (`text`, optional `title`) or a page (`body` bytes)."""

    id: str
    label: str  # a category id, an uncategorised fraud kind, or "benign"
    text: str = ""
    title: str = ""
    body: bytes | None = None
    content_type: str | None = None
    url: str = ""
    group: str = ""  # tampering group, web register, farm kind…

    @property
    def fraud(self) -> bool:
        return self.label != BENIGN


def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def fraud_dev(path: Path = SHARED / "fraud-dev.jsonl.gz") -> Iterator[Sample]:
    for record in _jsonl(path):
        yield Sample(
            record["id"], record["label"], text=record["text"], group=record.get("source", "")
        )


def tampering(path: Path = SHARED / "tampering-dev.jsonl.gz") -> Iterator[Sample]:
    """Every planted text counts as fraud here; the report gives the flagged share per group
    (``porn`` is no fraud category: reported apart)."""
    for record in _jsonl(path):
        yield Sample(record["id"], "planted", text=record["text"], group=record["group"])


def real_pages(path: Path = SHARED / "real-pages.jsonl.gz") -> Iterator[Sample]:
    for record in _jsonl(path):
        yield Sample(
            record["id"],
            BENIGN,
            body=base64.b64decode(record["body_b64"]),
            content_type="text/html",
            url=record.get("url") or "",
            group=record.get("set", ""),
        )


def web_half(half: str) -> Iterator[Sample]:
    for path in sorted((WEBSET / half).glob("*.jsonl")):
        for record in _jsonl(path):
            label = record["label"]
            if "html" in record:
                yield Sample(
                    record["id"],
                    label,
                    body=record["html"].encode("utf-8"),
                    content_type="text/html; charset=utf-8",
                    url=f"http://web.example/{record['id']}.html",
                    group=record["register"],
                )
            else:
                yield Sample(
                    record["id"],
                    label,
                    text=record.get("text") or "",
                    title=record.get("title") or "",
                    group=record["register"],
                )


def farm_pages(n_sites: int = 60) -> Iterator[Sample]:
    """Every page of the normal (non-hostile) farm sites, as the farm serves it. Pages whose
    content only scripts write (``js_only``) are left out: without a browser they are empty."""
    from farm import build_farm

    farm = build_farm(n_sites, base_port=40000)
    for site in farm.sites:
        if site.hostile:
            continue
        for page in site.pages:
            if page.js_only or page.status != 200:
                continue
            reply = site.kind_obj.render(site, farm, page)
            if reply.status != 200 or not isinstance(reply.body, bytes | str):
                continue
            body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
            content_type = reply.headers.get("Content-Type", "text/html")
            if "html" not in content_type:
                continue
            # A list page showing fraud posts' titles carries them, but is no solicitation of
            # its own: neither side of the count (reported apart). Spam an intruder planted
            # (a hacked site's titles, hidden links, parasitic pages) counts as the fraud it is.
            label = (
                page.fraud
                or site.kind_obj.planted_fraud(site, page)
                or (LISTS_FRAUD if page.lists_fraud_titles else BENIGN)
            )
            yield Sample(
                f"{site.id}{page.path}",
                label,
                body=body,
                content_type=content_type,
                url=site.url[:-1] + page.path,
                group=site.kind,
            )


def check_half_sha256() -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((WEBSET / "check").glob("*.jsonl")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()
