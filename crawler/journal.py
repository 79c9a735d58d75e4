"""The crawl journal: what a sweep has discovered and finished, so a killed crawl resumes exactly.

Why not only Scrapy's ``JOBDIR``: its disk queue is written on a clean shutdown, so a hard kill
(OOM killer, power cut, ``kill -9``) loses the whole frontier, and its seen-set marks requests
that were still in flight as done. The journal is an append-only log flushed line by line:

* ``requests.jsonl`` – every request the spider decided to make (URL, site, depth, render),
  written *before* the request is handed to Scrapy;
* ``done.jsonl`` – every request fully handled: its page went through the pipelines (or it
  failed for good), written *after* that happened;
* ``sites.jsonl`` – each site's final state when it finished;
* ``indexed.jsonl`` – with Elasticsearch: every page whose documents the bulk writer has durably
  handled (sent, or written to its spool, which is replayed later), written after that flush;
* ``sitefacts.jsonl`` – what each page told about its site (``sitecheck.facts``), so the site
  checks of a resumed crawl judge the pages of both runs;
* ``run.json`` – the run id, so a resumed crawl keeps it.

On resume: pending = requests − done (re-requested), finished sites stay finished, and pages
already in the output's ``pages.jsonl`` are never emitted again. A torn last line (kill in the
middle of a write) is ignored, and ended before the resumed run appends to the file.

"Written to the files" and "indexed" are separate facts: the bulk writer keeps up to
``bulk_chunk_size`` documents in memory, so a page can be done (and in ``pages.jsonl``) while
its documents died with the process. With indexing on, a resumed crawl fetches the pages that
were emitted but are not in ``indexed.jsonl`` again (:meth:`JournalState.unindexed`) and sends
them through the pipelines once more: the index pipeline writes them (page ids are idempotent,
so a page that did reach Elasticsearch is overwritten, never duplicated) and the output
pipeline skips them (its files already hold them). Not counted again against any budget.

Ordering is what makes any kill point safe: a page's links are journalled as requests before its
item is handed to the pipelines, and the page is journalled as done only after the pipelines
are through with it, so a done page's children are always in ``requests.jsonl``. A site is
journalled as finished only once none of its requests is queued, in flight or in the pipelines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.endswith("\n"):
                return  # torn final line: the write it belonged to never completed
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def _end_torn_line(path: Path) -> None:
    """Close a line a killed run left half-written, so the next record starts a line of its own.

    Appended straight after the torn text, the first record of the resumed run would share its
    line, fail to parse and be lost on the next resume (a request never re-made: a gap)."""
    try:
        with path.open("rb+") as fh:
            if fh.seek(0, os.SEEK_END) == 0:
                return
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
    except FileNotFoundError:
        return


@dataclass
class JournalState:
    """What an earlier (interrupted) run of the same job left behind."""

    run_id: str | None = None
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> entry
    done: set[str] = field(default_factory=set)
    emitted: set[str] = field(default_factory=set)  # page URLs already written as items
    finished_sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    indexed: set[str] = field(default_factory=set)  # page URLs durably handed to the index
    item_of: dict[str, str] = field(default_factory=dict)  # done request URL -> its item's URL

    def pending(self) -> list[dict[str, Any]]:
        return [e for url, e in self.requests.items() if url not in self.done]

    def unindexed(self) -> list[dict[str, Any]]:
        """Requests that are done and emitted a page the index never got (it was still in the
        bulk writer's buffer when the process died): to be fetched and indexed again."""
        entries = []
        for url, item_url in self.item_of.items():
            entry = self.requests.get(url)
            if entry is not None and item_url not in self.indexed:
                entries.append(entry)
        return entries


JOURNAL_FILES = ("requests.jsonl", "done.jsonl", "sites.jsonl", "indexed.jsonl")
SITE_FACTS = "sitefacts.jsonl"


class Journal:
    """Append-only, line-flushed log of one crawl job in `directory`."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._files: dict[str, TextIO] = {}

    @property
    def exists(self) -> bool:
        return (self.directory / "run.json").exists()

    def load(self, pages_file: Path | None = None) -> JournalState:
        state = JournalState()
        run = self.directory / "run.json"
        if run.exists():
            try:
                state.run_id = json.loads(run.read_text("utf-8")).get("run_id")
            except ValueError:
                state.run_id = None
        for rec in _read_jsonl(self.directory / "requests.jsonl"):
            if "u" in rec:
                state.requests.setdefault(rec["u"], rec)
        for rec in _read_jsonl(self.directory / "done.jsonl"):
            if "u" in rec:
                state.done.add(rec["u"])
            if rec.get("item"):
                state.emitted.add(rec["item"])
                if "u" in rec:
                    state.item_of[rec["u"]] = rec["item"]
        for rec in _read_jsonl(self.directory / "indexed.jsonl"):
            if isinstance(rec.get("u"), str):
                state.indexed.add(rec["u"])
        for rec in _read_jsonl(self.directory / "sites.jsonl"):
            if "s" in rec:
                state.finished_sites[rec["s"]] = rec
        if pages_file is not None:
            # The pipeline may have written a page just before the kill, before the journal
            # heard of it: the output file is the final word on what was emitted.
            for rec in _read_jsonl(pages_file):
                if isinstance(rec.get("url"), str):
                    state.emitted.add(rec["url"])
        return state

    def start(self, run_id: str, *, fresh: bool) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if fresh:
            for name in (*JOURNAL_FILES, SITE_FACTS):
                (self.directory / name).unlink(missing_ok=True)
        tmp = self.directory / "run.json.tmp"
        tmp.write_text(json.dumps({"run_id": run_id}), "utf-8")
        os.replace(tmp, self.directory / "run.json")

    def _append(self, name: str, record: dict[str, Any]) -> None:
        fh = self._files.get(name)
        if fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / name
            _end_torn_line(path)
            fh = self._files[name] = path.open("a", encoding="utf-8")
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()  # into the OS: survives the process being killed

    def requested(self, url: str, site_id: str, depth: int, render: bool, priority: int) -> None:
        self._append(
            "requests.jsonl", {"u": url, "s": site_id, "d": depth, "r": render, "p": priority}
        )

    def finished(self, url: str, item_url: str | None = None) -> None:
        record: dict[str, Any] = {"u": url}
        if item_url:
            record["item"] = item_url
        self._append("done.jsonl", record)

    def indexed(self, page_urls: list[str]) -> None:
        """Pages whose documents the bulk writer has sent or spooled (after that happened)."""
        for url in page_urls:
            self._append("indexed.jsonl", {"u": url})

    def site_facts(self, site_id: str, facts: dict[str, Any]) -> None:
        self._append(SITE_FACTS, {"s": site_id, "f": facts})

    def read_site_facts(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(site id, page facts)`` as journalled by :meth:`site_facts`."""
        for rec in _read_jsonl(self.directory / SITE_FACTS):
            if isinstance(rec.get("s"), str) and isinstance(rec.get("f"), dict):
                yield rec["s"], rec["f"]

    def site_finished(self, site_id: str, summary: dict[str, Any]) -> None:
        self._append("sites.jsonl", {"s": site_id, **summary})

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
