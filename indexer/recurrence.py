"""The one review change wuzha makes by itself: a taken-down site that shows fraud again becomes
``recurred``.

The crawler calls :func:`raise_recurred` after indexing a site's findings, the retro-scan after
rescanning its pages. Any other status is left alone: recrawls never change a reviewer's
decision (:data:`indexer.review_states.AUTOMATIC_TRANSITIONS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from elasticsearch import Elasticsearch

from ground.levels import FRAUD_LEVELS
from ground.settings import Settings
from indexer import templates
from indexer.review import MAX_NOTE_CHARS, Change, apply_decision
from indexer.review_states import SYSTEM_REVIEWER
from indexer.review_targets import read_targets


@dataclass(frozen=True)
class Recurrence:
    """Fraud seen on a taken-down site after the takedown decision."""

    site_id: str
    url: str | None
    seen_at: str
    rule: str | None = None


def _latest_findings(
    client: Elasticsearch, settings: Settings, sites: Mapping[str, str]
) -> dict[str, Recurrence]:
    """For each site id -> decision time, its newest active medium/high finding after it."""
    if not sites:
        return {}
    hits_alias = templates.alias_name(settings.index_prefix, "hits")
    # The caller indexed the findings moments ago; make them searchable (only reached for
    # taken-down sites, so this stays rare).
    client.indices.refresh(index=hits_alias)
    found: dict[str, Recurrence] = {}
    for site_id, decided_at in sites.items():
        resp = client.search(
            index=hits_alias,
            size=1,
            query={
                "bool": {
                    "filter": [
                        {"term": {"site.id": site_id}},
                        {"terms": {"scan.level": list(FRAUD_LEVELS)}},
                        {"range": {"last_seen": {"gt": decided_at}}},
                    ],
                    "must_not": [
                        {"term": {"hit.active": False}},
                        {"term": {"review.status": "false_positive"}},
                    ],
                }
            },
            sort=[{"last_seen": "desc"}],
            source_includes=["url.full", "last_seen", "rule.id"],
        )
        docs = resp["hits"]["hits"]
        if docs:
            src = docs[0]["_source"]
            found[site_id] = Recurrence(
                site_id,
                (src.get("url") or {}).get("full"),
                src.get("last_seen"),
                (src.get("rule") or {}).get("id"),
            )
    return found


def raise_recurred(
    client: Elasticsearch,
    settings: Settings,
    site_ids: Iterable[str],
    *,
    evidence: Mapping[str, Recurrence] | None = None,
) -> list[Change]:
    """Mark ``recurred`` every taken-down site among `site_ids` that shows fraud again.

    Call it after a crawl (or retro-scan) has indexed a site's findings. A site counts as
    showing fraud again when it has an active medium/high hit, not dismissed as a false
    positive, seen after the takedown decision (``review.at``); pass `evidence` to skip that
    search when the caller already knows. Any other status is left alone: recrawls never
    change a reviewer's decision. Returns the changes made (also in the review log).
    """
    wanted = sorted({s for s in site_ids if s})
    if not wanted:
        return []
    targets = {
        sid: t
        for sid, t in read_targets(client, settings, "site", wanted).items()
        if t.status == "taken_down"
    }
    if not targets:
        return []
    if evidence is None:
        decided = {
            sid: (t.source.get("review") or {}).get("at") or "1970-01-01T00:00:00Z"
            for sid, t in targets.items()
        }
        evidence = _latest_findings(client, settings, decided)
    changes = []
    for sid, target in targets.items():
        seen = evidence.get(sid)
        if seen is None:
            continue
        note = f"fraud seen again after takedown: {seen.url or '?'} at {seen.seen_at}" + (
            f" (rule {seen.rule})" if seen.rule else ""
        )
        change = apply_decision(
            client,
            settings,
            target,
            "recurred",
            SYSTEM_REVIEWER,
            note[:MAX_NOTE_CHARS],
            automatic=True,
        )
        if change is not None:
            changes.append(change)
    return changes
