"""Reviewer decisions on sites and hits: one target (a site, a hit) or the hits a query selects.

A decision is a read-modify-write of the document's ``review.*`` fields guarded by optimistic
concurrency (``if_seq_no``/``if_primary_term``): two reviewers (or a reviewer and a crawl)
changing one document at once cannot overwrite each other silently, and no scripting is needed
(the integ-test server has no painless). Every change also appends one entry to the review log
(:mod:`indexer.review_log`).

Which changes are allowed is data: :data:`indexer.review_states.TRANSITIONS`. What a decision
applies to is found by :mod:`indexer.review_targets`; queries are read by :mod:`indexer.kql`.

Crawls and retro-scans never call the ``mark_*`` functions; the one automatic change is
:func:`indexer.recurrence.raise_recurred` (``taken_down → recurred``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, helpers

from ground.settings import Settings
from indexer import documents, review_log, templates
from indexer.errors import (
    MarkFailed,
    NoMatchingHits,
    QueryNotParsed,
    QueryTooBroad,
    ReviewerInvalid,
    ReviewerMissing,
    TargetBusy,
    TargetVanished,
    TransitionRefused,
    UnknownStatus,
)
from indexer.kql import kql_query
from indexer.paging import search_all
from indexer.review_states import (
    AUTOMATIC_TRANSITIONS,
    STATUSES,
    TargetType,
    describe_allowed,
    is_allowed,
    statuses_for,
)
from indexer.review_targets import (
    SOURCE_FIELDS,
    Target,
    as_target,
    read_targets,
    resolve_hit,
    resolve_site,
    target_alias,
)

MAX_NOTE_CHARS = 2_000
MAX_REVIEWER_CHARS = 100
CONFLICT_RETRIES = 5
PAGE_SIZE = 500
DEFAULT_QUERY_LIMIT = 5_000


@dataclass
class Change:
    target_type: str
    target_id: str
    previous: str
    status: str
    by: str
    at: str
    label: str
    # The decision this one overrode when it was made after this command read the target
    # (someone else decided at the same moment): who made it and when. None otherwise.
    replaced_by: str | None = None
    replaced_at: str | None = None

    @property
    def replaced_meanwhile(self) -> bool:
        return self.replaced_by is not None


@dataclass
class MarkResult:
    changed: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in the requested status
    refused: Counter[str] = field(default_factory=Counter)  # from-status -> count
    matched: int = 0

    def summary(self, status: str) -> str:
        parts = [f"{len(self.changed)} marked {status}"]
        overrides = [c for c in self.changed if c.replaced_meanwhile]
        if overrides:
            shown = "; ".join(
                f"{c.replaced_by}'s {c.previous!r} at {c.replaced_at}" for c in overrides[:3]
            )
            more = f"; and {len(overrides) - 3} more" if len(overrides) > 3 else ""
            parts.append(
                f"{len(overrides)} of them replacing a decision made meanwhile ({shown}{more})"
            )
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already {status}")
        for from_status, n in sorted(self.refused.items()):
            parts.append(f"{n} refused (now {from_status!r})")
        return ", ".join(parts)


# --- validation ---------------------------------------------------------------------------------


def check_reviewer(by: str | None) -> str:
    name = (by or "").strip()
    if not name:
        raise ReviewerMissing()
    if len(name) > MAX_REVIEWER_CHARS or any(ord(c) < 32 for c in name):
        raise ReviewerInvalid(name, MAX_REVIEWER_CHARS)
    return name


def check_status(target_type: TargetType, status: str) -> str:
    if status not in statuses_for(target_type):
        raise UnknownStatus(
            target_type, status, statuses_for(target_type), site_only=status in STATUSES
        )
    return status


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    return note[:MAX_NOTE_CHARS] or None


# --- writing decisions ----------------------------------------------------------------------------


def _review_fields(previous: str, status: str, by: str, note: str | None, at: str) -> dict:
    return {"status": status, "previous_status": previous, "by": by, "note": note, "at": at}


def apply_decision(
    client: Elasticsearch,
    settings: Settings,
    target: Target,
    status: str,
    by: str,
    note: str | None,
    *,
    automatic: bool = False,
    refresh: bool = False,
    first_read: Target | None = None,
) -> Change | None:
    """Write one decision, re-reading on a concurrent change. None when already `status`.

    `first_read`: the target as this command first read it, when `target` is a later read (as
    :func:`_mark_batch` makes after a conflict). When another decision was made in between, the
    change names it; a conflict from a crawl rewriting the document is no such decision."""
    read_review = decision_key((first_read or target).source.get("review"))
    for _attempt in range(CONFLICT_RETRIES):
        if target.status == status:
            return None
        if automatic:
            if (target.status, status) not in AUTOMATIC_TRANSITIONS:
                return None
        elif not is_allowed(target.type, target.status, status):
            raise TransitionRefused(
                target.label,
                target.status,
                status,
                describe_allowed(target.type, target.status),
            )
        at = documents.now_iso()
        try:
            client.update(
                index=target.index,
                id=target.id,
                doc={"review": _review_fields(target.status, status, by, note, at)},
                if_seq_no=target.seq_no,
                if_primary_term=target.primary_term,
                refresh="wait_for" if refresh else None,
            )
        except ConflictError:
            fresh = read_targets(client, settings, target.type, [target.id]).get(target.id)
            if fresh is None:
                raise TargetVanished(target.label) from None
            target = fresh
            continue
        review_log.append(
            client, settings, [review_log.log_entry(target, target.status, status, by, note, at)]
        )
        change = Change(target.type, target.id, target.status, status, by, at, target.label)
        if decision_key(target.source.get("review")) != read_review:
            replaced = target.source.get("review") or {}
            change.replaced_by = replaced.get("by") or "someone"
            change.replaced_at = replaced.get("at") or "an unknown time"
        return change
    raise TargetBusy(target.label, CONFLICT_RETRIES)


def decision_key(decision: dict | None) -> tuple:
    """What identifies a decision (a review, a verdict's decision): its status, who made it and
    when. Two reads with the same key saw the same decision, whatever else was rewritten."""
    decision = decision or {}
    return decision.get("status"), decision.get("by"), decision.get("at")


def mark_site(
    client: Elasticsearch,
    settings: Settings,
    site: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    refresh: bool = False,
) -> MarkResult:
    """Set a site's review status (`site`: registry URL, host[:port] or name)."""
    return _mark_one(client, settings, "site", site, status, by, note, refresh)


def mark_hit(
    client: Elasticsearch,
    settings: Settings,
    hit_id: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    refresh: bool = False,
) -> MarkResult:
    """Set one hit's review status (`hit_id`: the hit document's id)."""
    return _mark_one(client, settings, "hit", hit_id, status, by, note, refresh)


def _mark_one(
    client: Elasticsearch,
    settings: Settings,
    target_type: TargetType,
    ref: str,
    status: str,
    by: str,
    note: str | None,
    refresh: bool,
) -> MarkResult:
    by = check_reviewer(by)
    check_status(target_type, status)
    resolve = resolve_site if target_type == "site" else resolve_hit
    target = resolve(client, settings, ref)
    result = MarkResult(matched=1)
    change = apply_decision(client, settings, target, status, by, _note(note), refresh=refresh)
    if change is None:
        result.unchanged.append(target.id)
    else:
        result.changed.append(change)
    return result


# --- marking hits by query ------------------------------------------------------------------------


def mark_query(
    client: Elasticsearch,
    settings: Settings,
    query: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    limit: int = DEFAULT_QUERY_LIMIT,
    refresh: bool = False,
) -> MarkResult:
    """Set the status of every hit the KQL-like `query` selects. Hits whose current status does
    not allow `status` are left alone and counted in ``refused``."""
    by = check_reviewer(by)
    check_status("hit", status)
    note = _note(note)
    es_query = kql_query(query)
    try:
        total = int(client.count(index=target_alias(settings, "hit"), query=es_query)["count"])
    except BadRequestError as err:  # query_string syntax errors are the user's to fix
        raise QueryNotParsed(query, err.message) from err
    if total == 0:
        raise NoMatchingHits(query)
    if total > limit:
        raise QueryTooBroad(query, total, limit)
    result = MarkResult(matched=total)
    batch: list[Target] = []
    for doc in search_all(
        client,
        target_alias(settings, "hit"),
        es_query,
        size=PAGE_SIZE,
        seq_no_primary_term=True,
        source_includes=SOURCE_FIELDS,
    ):
        batch.append(as_target("hit", doc))
        if len(batch) >= PAGE_SIZE:
            _mark_batch(client, settings, batch, status, by, note, result)
            batch = []
    if batch:
        _mark_batch(client, settings, batch, status, by, note, result)
    if refresh:
        client.indices.refresh(
            index=[
                target_alias(settings, "hit"),
                templates.alias_name(settings.index_prefix, "review-log"),
            ]
        )
    return result


def _mark_batch(
    client, settings, batch: list[Target], status, by, note, result: MarkResult
) -> None:
    todo: list[Target] = []
    for target in batch:
        if target.status == status:
            result.unchanged.append(target.id)
        elif not is_allowed("hit", target.status, status):
            result.refused[target.status] += 1
        else:
            todo.append(target)
    if not todo:
        return
    at = documents.now_iso()
    actions = [
        {
            "_op_type": "update",
            "_index": t.index,
            "_id": t.id,
            "if_seq_no": t.seq_no,
            "if_primary_term": t.primary_term,
            "doc": {"review": _review_fields(t.status, status, by, note, at)},
        }
        for t in todo
    ]
    conflicted: set[str] = set()
    failed: list[str] = []
    for ok, item in helpers.streaming_bulk(
        client, actions, chunk_size=PAGE_SIZE, raise_on_error=False, max_retries=3
    ):
        if ok:
            continue
        info = item.get("update", {})
        if info.get("status") == 409:
            conflicted.add(info.get("_id"))
        else:
            failed.append(f"{info.get('_id')}: {info.get('error')}")
    if failed:
        raise MarkFailed(failed)
    logs = []
    for t in todo:
        if t.id in conflicted:
            continue
        result.changed.append(Change("hit", t.id, t.status, status, by, at, t.label))
        logs.append(review_log.log_entry(t, t.status, status, by, note, at))
    review_log.append(client, settings, logs)
    # Someone else changed these in the meantime: decide again on what they hold now.
    first_reads = {t.id: t for t in todo}
    for target in read_targets(client, settings, "hit", sorted(conflicted)).values():
        try:
            change = apply_decision(
                client, settings, target, status, by, note, first_read=first_reads[target.id]
            )
        except TransitionRefused:
            result.refused[target.status] += 1
            continue
        if change is None:
            result.unchanged.append(target.id)
        else:
            result.changed.append(change)
