"""The sweep's result files: what one line of ``pages.jsonl`` / ``findings.jsonl`` holds, and an
append-only JSON-lines file that survives a killed crawl.

``pages.jsonl``    every page: ``url, site, status, title, charset, level``
``sites.jsonl``    every site crawled, written at the end: ``id, url, name, level, categories,
                   compromise [{kind, evidence: {urls, detail, …}}]`` (``id`` the ``site.id`` of
                   the other files; ``compromise`` empty for a clean site)
``findings.jsonl`` every page with a hit or an identifying entity (a contact or money route:
                   ``rules.IDENTIFYING_ENTITY_TYPES``; a URL or the footer's ICP number alone
                   is no finding): ``url, site, title, fetched_at, score, level, categories,
                   hits [{rule_id, category, title, level, matched, snippet, field,
                   post_index, post_author}], entities [{type, value}] (all types), context``
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from crawler.items import PageItem
from rules.entity_types import has_identifying_entity

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 300
MAX_SNIPPET_CHARS = 400
MAX_HITS_PER_FINDING = 50
MAX_ENTITIES_PER_FINDING = 100


def site_ref(site: dict[str, Any] | None) -> dict[str, Any]:
    """The part of the registry row a result line repeats (enough to find the site again)."""
    site = site or {}
    return {key: site.get(key) for key in ("id", "name", "url", "domain")}


def page_record(item: PageItem) -> dict[str, Any]:
    scan = item.scan or {}
    return {
        "url": item.url,
        "site": site_ref(item.site),
        "status": item.status,
        "title": (item.title or "")[:MAX_TITLE_CHARS],
        "charset": item.charset,
        "level": scan.get("level") or "none",
    }


def site_record(
    site_id: str, state: dict[str, Any], level: str = "none", categories: list[str] | None = None
) -> dict[str, Any]:
    """The sites.jsonl line of a site: its ``CrawlState.site_states`` entry, the highest level
    and the categories of its pages (a contract: exactly these keys)."""
    return {
        "id": site_id,
        "url": state.get("url") or "",
        "name": state.get("name") or "",
        "level": level or "none",
        "categories": list(categories or ()),
        "compromise": [
            {"kind": verdict.get("kind"), "evidence": dict(verdict.get("evidence") or {})}
            for verdict in state.get("compromise") or ()
        ],
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace ``path`` with these records, one JSON line each, in one step."""
    atomic_write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def is_finding(scan: dict[str, Any] | None) -> bool:
    """A page is a finding when a rule hit it or it names a contact or money route (phone, QQ,
    WeChat, Telegram, bank card, USDT wallet, APK); URLs and ICP numbers only describe it."""
    scan = scan or {}
    return bool(scan.get("hits")) or has_identifying_entity(scan.get("entities"))


def finding_record(item: PageItem) -> dict[str, Any] | None:
    """The findings line of a scanned page, or None when it is no finding (``is_finding``).
    The line keeps every entity of the page, descriptive ones included."""
    scan = item.scan or {}
    if not is_finding(scan):
        return None
    hits = scan.get("hits") or []
    entities = scan.get("entities") or []
    posts = {post.get("index"): post for post in item.posts or []}
    return {
        "url": item.url,
        "site": site_ref(item.site),
        "title": (item.title or "")[:MAX_TITLE_CHARS],
        "fetched_at": item.fetched_at,
        "score": scan.get("score") or 0.0,
        "level": scan.get("level") or "none",
        "categories": list(scan.get("categories") or []),
        "hits": [_hit(hit, posts) for hit in hits[:MAX_HITS_PER_FINDING]],
        "entities": [
            {"type": entity.get("type"), "value": entity.get("value")}
            for entity in entities[:MAX_ENTITIES_PER_FINDING]
        ],
        "context": list(scan.get("context") or []),
    }


def _hit(hit: dict[str, Any], posts: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    post_index = hit.get("post_index")
    post = posts.get(post_index) if post_index is not None else None
    return {
        "rule_id": hit.get("rule_id"),
        "category": hit.get("category"),
        "title": hit.get("title"),
        "level": hit.get("level"),
        "matched": list(hit.get("matched") or []),
        "snippet": (hit.get("snippet") or "")[:MAX_SNIPPET_CHARS],
        "field": hit.get("field") or "text",  # where the snippet is from: title, text, links
        "post_index": post_index,
        "post_author": (post or {}).get("author"),
    }


class JsonLines:
    """An append-only ``.jsonl`` file, flushed line by line, that a resumed crawl continues.

    ``open(resume=True)`` keeps what is there (first cutting a half-written last line left by a
    kill) and remembers its URLs, so a page crawled again after the restart is not written twice;
    ``resume=False`` starts the file afresh.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.urls: set[str] = set()
        self._file: IO[str] | None = None

    def open(self, *, resume: bool) -> Iterator[dict[str, Any]]:
        """Open for appending; yields the records already in the file when resuming."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists():
            _cut_partial_last_line(self.path)
            with self.path.open("r", encoding="utf-8") as existing:
                for number, line in enumerate(existing, 1):
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        log.warning("%s line %d is not JSON; ignored", self.path, number)
                        continue
                    if record.get("url"):
                        self.urls.add(record["url"])
                    yield record
            self._file = self.path.open("a", encoding="utf-8")
        else:
            self._file = self.path.open("w", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> bool:
        """Append one record (False when its URL is already in the file)."""
        if self._file is None:
            raise RuntimeError(f"{self.path} is not open")
        url = record.get("url")
        if url in self.urls:
            return False
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()  # a killed crawl loses at most the line being written
        if url:
            self.urls.add(url)
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None


# The files that make a sweep's results in its --out folder (contracts); run.json is the
# output pipeline's own note of which run wrote them.
RESULT_FILES = ("pages.jsonl", "findings.jsonl", "summary.json", "report.html", "sites.jsonl")


def results_in(out_dir: Path) -> list[str]:
    """The result files a folder already holds (empty when it holds no sweep)."""
    return [name for name in RESULT_FILES if (out_dir / name).exists()]


def clear_results(out_dir: Path) -> None:
    """Remove a previous sweep's results, so a replaced sweep never shows beside the old one's
    summary or report (a crawl killed early would otherwise leave them mixed)."""
    for name in (*RESULT_FILES, "run.json"):
        (out_dir / name).unlink(missing_ok=True)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a ``.jsonl`` file, skipping lines that are not JSON (a killed writer's tail)."""
    if not path.exists():
        return
    with path.open("r", encoding="utf-8") as lines:
        for line in lines:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def _cut_partial_last_line(path: Path) -> None:
    """Drop a last line without its newline: the record a killed crawl was writing."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb+") as file:
        file.seek(-1, os.SEEK_END)
        if file.read(1) == b"\n":
            return
        # Walk back to the previous newline (lines are small: read backwards in blocks).
        position = size
        while position > 0:
            step = min(65536, position)
            position -= step
            file.seek(position)
            block = file.read(step)
            cut = block.rfind(b"\n")
            if cut >= 0:
                file.truncate(position + cut + 1)
                return
        file.truncate(0)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
