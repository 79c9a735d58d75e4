"""The append-only review log (``<prefix>-review-log``): one entry per change of a site's or a
hit's review status (target, from, to, who, note, when), written beside the decision and never
updated. Read back as one target's history, and as every site's status at a past moment (so
last week's takedown list can be rebuilt exactly)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from ground.clock import iso_utc, parse_time
from ground.settings import Settings
from indexer import documents, templates
from indexer.bulk import action_for
from indexer.errors import ReviewLogIncomplete
from indexer.paging import BUCKETS_PER_PAGE, IDS_PER_QUERY, chunks, composite_buckets, search_all
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
        raise ReviewLogIncomplete(errors)


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


@dataclass(frozen=True)
class Decision:
    """A site's review status as it stood at some moment."""

    status: str
    by: str | None
    note: str | None
    at: datetime | None


def site_decisions(
    client: Elasticsearch,
    settings: Settings,
    as_of: datetime,
    site_ids: Iterable[str] | None = None,
) -> dict[str, Decision]:
    """Each site's review status at `as_of`: its last review-log entry up to then, or, for sites
    never marked through wuzha, the status on the site document if it was set by then.

    With `site_ids`, only those sites; otherwise every site that has a decision (status not
    ``new``)."""
    wanted = None if site_ids is None else sorted(set(site_ids))
    decisions: dict[str, Decision] = {}
    log_filter: list[dict[str, Any]] = [
        {"term": {"target.type": "site"}},
        {"range": {"@timestamp": {"lte": iso_utc(as_of)}}},
    ]
    for chunk in chunks(wanted, IDS_PER_QUERY) if wanted is not None else [None]:
        query_filter = list(log_filter)
        if chunk is not None:
            query_filter.append({"terms": {"target.id": chunk}})
        aggs = {
            "latest": {
                "top_hits": {
                    "size": 1,
                    "sort": [{"@timestamp": "desc"}],
                    "_source": {"includes": ["review"]},
                }
            }
        }
        for bucket in composite_buckets(
            client,
            templates.alias_name(settings.index_prefix, "review-log"),
            {"bool": {"filter": query_filter}},
            {"id": "target.id"},
            aggs,
            size=BUCKETS_PER_PAGE,
        ):
            src = bucket["latest"]["hits"]["hits"][0]["_source"].get("review") or {}
            decisions[bucket["key"]["id"]] = Decision(
                src.get("status") or "new",
                src.get("by"),
                src.get("note"),
                parse_time(src.get("at")),
            )
    # Sites whose status was set without the log (older data, direct edits): trust the document.
    doc_query: dict[str, Any] = {
        "bool": {
            "must_not": [{"term": {"review.status": "new"}}],
            "filter": [{"exists": {"field": "review.status"}}],
        }
    }
    if wanted is not None:
        doc_query["bool"]["filter"].append({"ids": {"values": wanted}})
    for hit in search_all(
        client,
        templates.alias_name(settings.index_prefix, "sites"),
        doc_query,
        size=IDS_PER_QUERY,
        source_includes=["review"],
    ):
        if hit["_id"] in decisions:
            continue
        review = hit["_source"].get("review") or {}
        at = parse_time(review.get("at"))
        if at is None or at <= as_of:
            decisions[hit["_id"]] = Decision(
                review["status"], review.get("by"), review.get("note"), at
            )
    return decisions
