"""A durable local spool for bulk actions Elasticsearch could not take.

Each batch that could not be sent becomes one JSON-lines file, written to a temporary name,
fsync'd, then renamed into place (and the directory fsync'd), so a crash leaves either the whole
batch or nothing — never half a file that replay would misread. Replay sends files oldest first
and deletes a file only after every action in it was acknowledged; actions are idempotent
(fixed ids, partial updates, ``create`` for append-only logs), so replaying a file twice after an
interruption adds nothing twice.

Documents Elasticsearch *refused* (a mapping error on one document) are not retried: they go to
``rejected/<date>.jsonl`` with the reason, for someone to inspect.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from ground.errors import os_reason
from ground.settings import Settings
from indexer.bulk import BulkSender
from indexer.client import connect
from indexer.errors import IndexerError, SpoolUnwritable, describe
from indexer.setup import ensure_ready

SUFFIX = ".jsonl"
_sequence = count()


class Spool:
    """The spool directory (``Settings.spool_path``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def rejected_dir(self) -> Path:
        return self.path / "rejected"

    def files(self) -> list[Path]:
        """Pending batch files, oldest first (names start with a sortable timestamp)."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.glob(f"*{SUFFIX}") if p.is_file())

    def pending(self) -> int:
        """Number of actions waiting to be replayed."""
        return sum(count_lines(p) for p in self.files())

    def write(self, actions: list[dict[str, Any]]) -> Path | None:
        """Store one batch durably; returns its file (None for an empty batch). Raises
        :class:`SpoolUnwritable` when it cannot (nothing of the batch is left behind)."""
        if not actions:
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{os.getpid()}-{next(_sequence):06d}{SUFFIX}"
        target = self.path / name
        with self._writing():
            self.path.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, actions)
        return target

    def check_writable(self) -> None:
        """Raise :class:`SpoolUnwritable` unless a batch file can be written here now."""
        probe = self.path / f".probe-{os.getpid()}"
        with self._writing():
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                with probe.open("wb") as handle:
                    handle.write(b"{}\n")
                    handle.flush()
                    os.fsync(handle.fileno())
            finally:
                probe.unlink(missing_ok=True)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except OSError as err:
            raise SpoolUnwritable(self.path, os_reason(err)) from err

    def read(self, path: Path) -> list[dict[str, Any]]:
        actions = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    actions.append(json.loads(line))
        return actions

    def replace(self, path: Path, remaining: list[dict[str, Any]]) -> None:
        """Keep only `remaining` in a batch file (atomically); delete it when none remain."""
        if remaining:
            with self._writing():
                _atomic_write(path, remaining)
        else:
            self.remove(path)

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    def reject(self, records: list[dict[str, Any]]) -> Path | None:
        """Append refused documents (with their reason) to today's rejected file."""
        if not records:
            return None
        with self._writing():
            self.rejected_dir.mkdir(parents=True, exist_ok=True)
        target = self.rejected_dir / f"{datetime.now(UTC):%Y-%m-%d}{SUFFIX}"
        data = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
        with self._writing(), target.open("a", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return target

    @contextmanager
    def lock(self, wait: bool = False) -> Iterator[bool]:
        """Hold the spool's replay lock; yields False if another process holds it and not
        `wait`. Two replays at once would be harmless (idempotent) but wasteful and noisy."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / ".lock").open("a") as handle:
            flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(target: Path, actions: list[dict[str, Any]]) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    data = "".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) + "\n" for a in actions)
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _fsync_dir(path: Path) -> None:
    # The rename/unlink itself is only durable once the directory entry is on disk.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def count_lines(path: Path) -> int:
    """Actions in a batch file (0 once it is gone)."""
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 0


# --- replay ------------------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """What a replay did."""

    files_done: int = 0
    actions_sent: int = 0
    remaining: int = 0  # actions still spooled afterwards
    busy: bool = False  # another process was replaying
    error: str | None = None  # why the replay stopped early
    stats: Counter = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def replay(
    settings: Settings,
    client: Elasticsearch | None = None,
    *,
    wait: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayReport:
    """Send the spooled batches back, oldest first; delete each file once all of it landed.

    Stops at the first batch that cannot be delivered (so later batches never overtake it) and
    leaves it, shrunk to what is still missing, for the next replay. `progress(done, total)` is
    called after each file.
    """
    spool = Spool(settings.spool_path)
    report = ReplayReport()
    if not spool.files():
        return report
    es = client or connect(settings)
    ensure_ready(settings, es)
    sender = BulkSender(settings, es)
    with spool.lock(wait=wait) as held:
        if not held:
            report.busy = True
            report.remaining = spool.pending()
            return report
        files = spool.files()  # again: another process may have replayed while we waited
        for done, path in enumerate(files, start=1):
            try:
                actions = spool.read(path)
            except (OSError, ValueError) as err:
                raise IndexerError(
                    f"Spool file {path} is unreadable ({err}); move it out of {spool.path} "
                    "and run `wuzha es replay` again."
                ) from err
            result = sender.send(actions)
            report.stats.update(result.stats)
            report.rejected.extend(result.rejected)
            spool.reject(result.rejected)
            if not result.complete:
                spool.replace(path, result.retry)
                report.actions_sent += len(actions) - len(result.retry)
                report.error = (
                    str(describe(result.error, es_url(es)))
                    if result.error
                    else f"{len(result.retry)} document(s) deferred by Elasticsearch "
                    f"({', '.join(k for k in result.stats if k.startswith('es/deferred/'))})"
                )
                break
            spool.remove(path)
            report.files_done += 1
            report.actions_sent += len(actions)
            if progress:
                progress(done, len(files))
    report.remaining = spool.pending()
    return report


def es_url(client: Elasticsearch) -> str:
    """The URL a client talks to (for messages)."""
    try:
        node = client.transport.node_pool.all()[0].config
        return f"{node.scheme}://{node.host}:{node.port}{node.path_prefix}"
    except (AttributeError, IndexError):
        return "Elasticsearch"
