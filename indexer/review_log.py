"""The append-only review log (``<prefix>-review-log``): one entry per change of a site's or a
hit's review status (target, from, to, who, note, when), written beside the decision and never
updated. Read back as one target's history, and as every site's status at a past moment (so
last week's takedown list can be rebuilt exactly)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch, helpers

from ground.settings import Settings
from indexer import documents, templates
from indexer.bulk import action_for
from indexer.errors import IndexerError
from indexer.review_states import TargetType
from indexer.review_targets import Target


def log_entry(
    target: Target, previous: str, status: str, by: str, note: str | None, at: str
) -> documents.Document:
    """The log entry for one change of `target` from `previous` to `status`."""
    source = target.source
    rule = source.get("rule") or {}
    return documents.review_log_document(
        target_type=target.type,
        target_id=target.id,
        status=status,
        previous_status=previous,
        by=by,
        note=note,
        at=at,
        site=source.get("site"),
        url=(source.get("url") or {}).get("full"),
        rule_id=rule.get("id"),
    )


def append(client: Elasticsearch, settings: Settings, docs: list[documents.Document]) -> None:
    """Write log entries (after their decisions are saved)."""
    if not docs:
        return
    actions = (action_for(d, settings.index_prefix) for d in docs)
    _ok, errors = helpers.bulk(client, actions, raise_on_error=False, max_retries=3)
    if errors:
        raise IndexerError(
            f"{len(errors)} review-log entries could not be written ({errors[0]!r:.300}); the "
            "decisions themselves are saved. Check the cluster's health and disk space."
        )


def history(
    client: Elasticsearch,
    settings: Settings,
    target_type: TargetType,
    target_id: str,
    size: int = 100,
) -> list[dict[str, Any]]:
    """The review log of one target, oldest first."""
    resp = client.search(
        index=templates.alias_name(settings.index_prefix, "review-log"),
        query={
            "bool": {
                "filter": [
                    {"term": {"target.type": target_type}},
                    {"term": {"target.id": target_id}},
                ]
            }
        },
        sort=[{"@timestamp": "asc"}],
        size=size,
    )
    return [d["_source"] for d in resp["hits"]["hits"]]
