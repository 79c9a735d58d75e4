"""What a sweep tells the sites index about compromised sites: each site's verdicts
(``sitecheck.Verdict.to_record()``) folded into ``site.compromise.<kind>`` by the rules of
:mod:`indexer.verdict_states` (new → ``open``; seen again → ``last_seen`` moves, the decision
stays; gone after a normal sweep → ``repaired`` unless dismissed).

Folding needs what is stored (the reviewer's decision, when it was first seen), so it is a
read-modify-write of each site document guarded by optimistic concurrency
(``if_seq_no``/``if_primary_term``), as review decisions are: a reviewer marking a verdict
while a crawl ends cannot be overwritten silently. That is why verdicts do not go through the
bulk spool with the site risks: a spooled write is blind, and replayed after a reviewer's
decision it would undo it. When Elasticsearch is away the sweep's verdicts are kept instead as
one small file per crawl (``<spool>/verdicts/``) and folded in, oldest first, before the next
crawl's (or ``wuzha es replay``'s) own.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, ConflictError, Elasticsearch

from ground.clock import parse_time
from ground.errors import os_reason
from ground.settings import Settings
from indexer.documents import now_iso
from indexer.errors import SpoolUnwritable, is_unreachable
from indexer.paging import IDS_PER_QUERY, chunks
from indexer.review_targets import Target, read_targets
from indexer.verdict_states import missed, seen
from sitecheck.verdict import KINDS

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 5
MAX_URLS = 20  # evidence pages kept per verdict
MAX_DETAIL_CHARS = 2_000
MAX_EVIDENCE_BYTES = 20_000  # the facts a detector adds (counts, examples), as JSON


@dataclass(frozen=True)
class SiteSweep:
    """One site in one sweep: the verdicts found, whether the sweep of it ran normally, and the
    verdict kinds it looked for. Only a kind looked for in a sweep that ran normally counts as
    repaired when not found: a sweep without the variant requests (switched off, not rendered,
    resumed past the home page) says nothing about cloaking or hijacking."""

    verdicts: list[dict[str, Any]]
    ran_normally: bool
    checked: frozenset[str] = frozenset(KINDS)


@dataclass
class VerdictReport:
    """What :func:`record_sweep` did (``verdicts/*`` stats for the crawl)."""

    stats: Counter[str] = field(default_factory=Counter)
    deferred: Path | None = None  # the file the sweep was kept in, Elasticsearch being away


def record_sweep(
    client: Elasticsearch,
    settings: Settings,
    sweeps: Mapping[str, SiteSweep],
    *,
    run_id: str = "",
    at: str | None = None,
    offline: bool = False,
) -> VerdictReport:
    """Fold one sweep's verdicts (site id -> :class:`SiteSweep`) into the sites index, after
    any sweeps kept while Elasticsearch was away. `offline`: the caller already knows the
    cluster is away; the sweep is kept for later at once."""
    report = VerdictReport()
    batch = {"run_id": run_id, "at": at or now_iso(), "sweeps": _plain(sweeps)}
    pending = PendingSweeps(settings.spool_path / "verdicts")
    if offline:
        report.deferred = pending.write(batch)
        report.stats["verdicts/deferred_sites"] += len(sweeps)
        return report
    try:
        apply_pending(client, settings, report)
        _apply(client, settings, batch, report)
    except (TransportError, ApiError) as err:
        if not is_unreachable(err):
            raise
        log.warning("Elasticsearch away; site verdicts kept for the next crawl: %s", err)
        report.deferred = pending.write(batch)
        report.stats["verdicts/deferred_sites"] += len(sweeps)
    return report


def apply_pending(
    client: Elasticsearch, settings: Settings, report: VerdictReport | None = None
) -> VerdictReport:
    """Fold in the sweeps kept while Elasticsearch was away, oldest first; each file is removed
    once all of it is written (folding a sweep twice changes nothing)."""
    report = report or VerdictReport()
    pending = PendingSweeps(settings.spool_path / "verdicts")
    for path in pending.files():
        _apply(client, settings, pending.read(path), report)
        path.unlink(missing_ok=True)
        report.stats["verdicts/replayed_sweeps"] += 1
    return report


def _apply(
    client: Elasticsearch, settings: Settings, batch: dict[str, Any], report: VerdictReport
) -> None:
    sweeps: dict[str, dict[str, Any]] = batch["sweeps"]
    for chunk in chunks(sorted(sweeps), IDS_PER_QUERY):
        targets = read_targets(client, settings, "site", chunk)
        for site_id in chunk:
            target = targets.get(site_id)
            if target is None:
                if sweeps[site_id]["verdicts"]:
                    report.stats["verdicts/site_missing"] += 1
                    log.warning(
                        "site %s is not in the index; its verdicts are not recorded", site_id
                    )
                continue
            _write_site(client, settings, target, sweeps[site_id], batch, report)


def _write_site(
    client: Elasticsearch,
    settings: Settings,
    target: Target,
    sweep: dict[str, Any],
    batch: dict[str, Any],
    report: VerdictReport,
) -> None:
    for _attempt in range(CONFLICT_RETRIES):
        old = stored_verdicts(target.source)
        checked = frozenset(sweep.get("checked", KINDS))  # kept before kinds were tracked: all
        new, counts = fold(old, sweep["verdicts"], sweep["ran_normally"], batch, checked=checked)
        if new == old:
            return
        try:
            client.update(
                index=target.index,
                id=target.id,
                doc={"site": {"compromise": replacing(old, new)}},
                if_seq_no=target.seq_no,
                if_primary_term=target.primary_term,
            )
        except ConflictError:  # a reviewer (or another crawler) wrote meanwhile: fold again
            fresh = read_targets(client, settings, "site", [target.id]).get(target.id)
            if fresh is None:
                return
            target = fresh
            continue
        except ApiError as err:
            if is_unreachable(err):
                raise
            # one site's document refused (its mapping): the other sites are still recorded
            log.warning("site %s: verdicts refused by Elasticsearch: %s", target.id, err)
            report.stats["verdicts/refused"] += 1
            return
        report.stats.update(counts)
        report.stats["verdicts/sites_written"] += 1
        return
    log.warning(
        "site %s changed under every attempt; its verdicts wait for the next crawl", target.id
    )
    report.stats["verdicts/busy"] += 1


def fold(
    old: Mapping[str, dict[str, Any]],
    found: list[dict[str, Any]],
    ran_normally: bool,
    batch: Mapping[str, Any],
    *,
    checked: frozenset[str] = frozenset(KINDS),
) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
    """The site's stored verdicts after one sweep, and what changed (``verdicts/opened``,
    ``verdicts/seen_again``, ``verdicts/repaired``). A sweep older than what is stored (kept
    while Elasticsearch was away, and a later one already folded in) changes nothing."""
    at = batch["at"]
    counts: Counter[str] = Counter()
    if any(
        _later(entry.get("last_seen"), at) or _later(entry.get("repaired_at"), at)
        for entry in old.values()
    ):
        return dict(old), counts
    new = dict(old)
    kinds_found: set[str] = set()
    for record in found:
        kind = record.get("kind")
        if kind not in KINDS or kind in kinds_found:
            continue  # one verdict per kind: the detector's first (most telling)
        kinds_found.add(kind)
        entry = old.get(kind)
        counts["verdicts/seen_again" if entry else "verdicts/opened"] += 1
        new[kind] = seen(entry, _capped(record), at=at, run_id=batch.get("run_id") or "")
    if ran_normally:
        for kind, entry in old.items():
            if kind not in kinds_found and kind in checked and entry.get("present", True):
                new[kind] = missed(entry, at=at)
                counts[
                    "verdicts/repaired" if new[kind]["state"] == "repaired" else "verdicts/gone"
                ] += 1
    return new, counts


def stored_verdicts(source: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``site.compromise`` of a site document, kind -> entry (entries Elasticsearch holds as
    null after an update are left out)."""
    compromise = (source.get("site") or {}).get("compromise") or {}
    return {k: dict(v) for k, v in compromise.items() if isinstance(v, dict) and k in KINDS}


def replacing(old: Any, new: Any) -> Any:
    """`new` as a partial-update body that replaces `old`: an update merges objects key by key,
    so keys `old` has and `new` lacks (evidence facts a detector no longer reports) are sent
    as null."""
    if not isinstance(new, dict):
        return new
    old = old if isinstance(old, dict) else {}
    out = {key: None for key in old if key not in new}
    out.update({key: replacing(old.get(key), value) for key, value in new.items()})
    return out


def _capped(record: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict with its evidence cut to size (it quotes crawled, hostile content)."""
    evidence = dict(record.get("evidence") or {})
    urls = [str(u)[:8191] for u in evidence.get("urls") or []][:MAX_URLS]
    detail = str(evidence.get("detail") or "")[:MAX_DETAIL_CHARS]
    facts = {k: v for k, v in evidence.items() if k not in ("urls", "detail")}
    if len(json.dumps(facts, ensure_ascii=False, default=str).encode()) > MAX_EVIDENCE_BYTES:
        facts = {"facts_truncated": True}
    return {"kind": record["kind"], "evidence": {"urls": urls, "detail": detail, **facts}}


def _later(stored: str | None, at: str) -> bool:
    stored_time, batch_time = parse_time(stored), parse_time(at)
    return stored_time is not None and batch_time is not None and stored_time > batch_time


def _plain(sweeps: Mapping[str, SiteSweep]) -> dict[str, dict[str, Any]]:
    return {
        site_id: {
            "verdicts": list(s.verdicts),
            "ran_normally": bool(s.ran_normally),
            "checked": sorted(s.checked),
        }
        for site_id, s in sweeps.items()
    }


class PendingSweeps:
    """Sweeps whose verdicts wait for Elasticsearch: one JSON file each, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def files(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(self.path.glob("*.json"))

    def write(self, batch: dict[str, Any]) -> Path:
        """Keep `batch`; :class:`SpoolUnwritable` when the disk refuses it (nothing left)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self.path / f"{stamp}-{os.getpid()}.json"
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump(batch, handle, ensure_ascii=False, default=str)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as err:
            with suppress(OSError):  # its folder may be what failed
                tmp.unlink(missing_ok=True)
            raise SpoolUnwritable(self.path, os_reason(err)) from err
        return target

    def read(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text(encoding="utf-8"))
