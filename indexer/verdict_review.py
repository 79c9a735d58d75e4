"""A reviewer's decision on one site-level verdict:
``wuzha review mark --site S --verdict KIND --status confirmed|false_positive --by NAME``.

The decision is written to ``site.compromise.<kind>.decision`` (and the state follows it, see
:mod:`indexer.verdict_states`) by a read-modify-write guarded by optimistic concurrency, like a
site's own review decision (:mod:`indexer.review`), and appended to the review log as target
type ``site_verdict`` with id ``<site id>/<kind>``. The site's own ``review.status`` is left
alone: judging a verdict is not judging whether the site is to be taken down.
"""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import ConflictError, Elasticsearch

from ground.settings import Settings
from indexer import documents, review_log
from indexer.errors import (
    SiteHasNoVerdict,
    TargetBusy,
    TargetVanished,
    UnknownVerdictKind,
    UnknownVerdictStatus,
)
from indexer.review import CONFLICT_RETRIES, _note, check_reviewer, decision_key
from indexer.review_targets import read_targets, resolve_site
from indexer.site_verdicts import replacing, stored_verdicts
from indexer.verdict_states import DECISIONS, decided
from sitecheck.verdict import KINDS

LOG_TARGET_TYPE = "site_verdict"


@dataclass
class VerdictChange:
    site_id: str
    kind: str
    label: str  # the site, as reviewers read it
    previous: str  # the earlier decision ("new" when none)
    status: str
    state: str  # the verdict's state now
    by: str
    at: str
    # The decision this one overrode when another reviewer made it after this command read the
    # verdict (at the same moment): who made it and when. None otherwise.
    replaced_by: str | None = None
    replaced_at: str | None = None


def check_verdict(kind: str, status: str) -> None:
    if kind not in KINDS:
        raise UnknownVerdictKind(kind, KINDS)
    if status not in DECISIONS:
        raise UnknownVerdictStatus(status, tuple(DECISIONS))


def mark_verdict(
    client: Elasticsearch,
    settings: Settings,
    site: str,
    kind: str,
    status: str,
    by: str,
    note: str | None = None,
    *,
    refresh: bool = False,
) -> VerdictChange | None:
    """Record a reviewer's decision on the `kind` verdict of `site` (registry URL, host[:port]
    or name). None when the verdict already carries that decision."""
    by = check_reviewer(by)
    check_verdict(kind, status)
    note = _note(note)
    target = resolve_site(client, settings, site)
    read_decision = None
    for attempt in range(CONFLICT_RETRIES):
        verdicts = stored_verdicts(target.source)
        entry = verdicts.get(kind)
        if entry is None:
            raise SiteHasNoVerdict(target.label, kind, sorted(verdicts))
        decision = entry.get("decision") or {}
        if attempt == 0:
            read_decision = decision
        previous = decision.get("status") or "new"
        if previous == status:
            return None
        at = documents.now_iso()
        new = decided(entry, status, by, note, at)
        try:
            client.update(
                index=target.index,
                id=target.id,
                doc={"site": {"compromise": {kind: replacing(entry, new)}}},
                if_seq_no=target.seq_no,
                if_primary_term=target.primary_term,
                refresh="wait_for" if refresh else None,
            )
        except ConflictError:  # a crawl or another reviewer wrote meanwhile: decide on that
            fresh = read_targets(client, settings, "site", [target.id]).get(target.id)
            if fresh is None:
                raise TargetVanished(target.label) from None
            target = fresh
            continue
        urls = (entry.get("evidence") or {}).get("urls") or []
        log_doc = documents.review_log_document(
            target_type=LOG_TARGET_TYPE,
            target_id=f"{target.id}/{kind}",
            status=status,
            previous_status=previous,
            by=by,
            note=note,
            at=at,
            site=target.source.get("site"),
            url=urls[0] if urls else None,
        )
        review_log.append(client, settings, [log_doc])
        change = VerdictChange(
            target.id, kind, target.label, previous, status, new["state"], by, at
        )
        if decision_key(decision) != decision_key(
            read_decision
        ):  # a crawl's rewrite is no decision
            change.replaced_by = decision.get("by") or "someone"
            change.replaced_at = decision.get("at") or "an unknown time"
        return change
    raise TargetBusy(target.label, CONFLICT_RETRIES)
