"""What a crawl tells the index when it ends: each site's risk over the whole run, and the
crawl-run document.

One crawler process sees only its own pages; the pages index sees every page of the run, also
those fetched before a resume and by other crawler processes sharing the queue. So a site's
risk is aggregated from the index (:func:`risks_from_index`) when the index holds all of this
process's pages, and otherwise the caller's own counts stand. The crawler's index pipeline
calls these functions with plain dicts (a sweep's summary, its per-site counts): this module
knows nothing of Scrapy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from elasticsearch import Elasticsearch

from ground.clock import utc_now
from ground.levels import LEVELS, Level, is_fraud
from indexer.errors import SpoolUnwritable
from indexer.templates import alias_name
from indexer.writer import BulkWriter

log = logging.getLogger(__name__)

#: Per site over one run's pages: the strongest score, pages per level, hits, categories and
#: entity keys (the fields of a site's ``risk`` block, see indexer.documents.site_document).
RISK_AGGREGATION = {
    "sites": {
        "terms": {"field": "site.id", "size": 65_000},
        "aggs": {
            "max_score": {"max": {"field": "scan.score"}},
            "levels": {"terms": {"field": "scan.level", "size": 4}},
            "hits": {"sum": {"field": "scan.hit_count"}},
            "categories": {"terms": {"field": "scan.categories", "size": 20}},
            "entities": {"terms": {"field": "entity_keys", "size": 200}},
        },
    }
}


def _now() -> str:
    return utc_now().isoformat(timespec="seconds")


def site_risks(
    writer: BulkWriter,
    run_id: str,
    local: Mapping[str, dict[str, Any]],
    errors: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Risk per site over the whole run. `local`: each site's risk from what this process
    indexed; `errors`: why each site that did not finish well failed. The index's figures win
    where it has them (the error is always this run's); a failed site without pages gets a
    risk of its own, so its document records the failure."""
    risks = dict(local)
    for site_id, risk in risks_from_index(writer, run_id).items():
        risks[site_id] = {**risks.get(site_id, {}), **risk, "last_error": errors.get(site_id)}
    for site_id, reason in errors.items():
        risks.setdefault(
            site_id,
            {"pages_crawled": 0, "last_error": reason, "last_crawled": _now(), "run_id": run_id},
        )
    return risks


def risks_from_index(writer: BulkWriter, run_id: str) -> dict[str, dict[str, Any]]:
    """Each site's risk aggregated over the run's pages in the index; empty when the index
    cannot tell (no run id, pages spooled, Elasticsearch away): best effort."""
    if not run_id:
        return {}
    try:
        writer.flush()
        if writer.stats.get("es/spooled"):
            return {}  # the index is missing pages: our own counts are better
        alias = alias_name(writer.prefix, "pages")
        writer.client.indices.refresh(index=alias)
        response = writer.client.search(
            index=alias,
            size=0,
            query={"term": {"crawl.run_id": run_id}},
            aggs=RISK_AGGREGATION,
        )
    except SpoolUnwritable:
        raise  # the documents have nowhere to go: not a question of best effort
    except Exception as err:  # noqa: BLE001 - best effort; the in-process tally stands
        log.info("site risk from the index unavailable (%s); using this process's counts", err)
        return {}
    risks = {}
    for bucket in response.body["aggregations"]["sites"]["buckets"]:
        levels = {b["key"]: b["doc_count"] for b in bucket["levels"]["buckets"]}
        max_level = next(
            (str(lv) for lv in LEVELS if lv != Level.NONE and levels.get(lv)), str(Level.NONE)
        )
        risks[bucket["key"]] = {
            "max_score": round(bucket["max_score"]["value"] or 0.0, 2),
            "max_level": max_level,
            "fraud_pages": levels.get(Level.HIGH, 0) + levels.get(Level.MEDIUM, 0),
            "pages_crawled": bucket["doc_count"],
            "hits": int(bucket["hits"]["value"] or 0),
            "categories": [b["key"] for b in bucket["categories"]["buckets"]],
            "entity_keys": [b["key"] for b in bucket["entities"]["buckets"]],
            "last_crawled": _now(),
            "run_id": run_id,
        }
    return risks


def fraud_site_ids(risks: Mapping[str, dict[str, Any]]) -> list[str]:
    """The sites whose risk shows fraud in this run (fraud pages, or a medium/high level)."""
    return [
        site_id
        for site_id, risk in risks.items()
        if risk.get("fraud_pages") or is_fraud(risk.get("max_level"))
    ]


# --- the crawl-run document ----------------------------------------------------------------------


def earlier_start(client: Elasticsearch, prefix: str, run_id: str) -> str | None:
    """When the run began, if its crawl document already says so (a resumed run keeps it)."""
    if not run_id:
        return None
    try:
        found = client.options(ignore_status=404).search(
            index=alias_name(prefix, "crawls"),
            size=1,
            query={"term": {"crawl.run_id": run_id}},
            source_includes=["crawl.started"],
        )
        hits = found.body.get("hits", {}).get("hits", [])
    except Exception:  # noqa: BLE001 - no earlier document (or no cluster): start now
        return None
    return ((hits[0]["_source"].get("crawl") or {}).get("started")) if hits else None


def run_document(
    summary: Mapping[str, Any], *, run_id: str, started: str, ended: str | None, status: str
) -> dict[str, Any]:
    """The crawl run as :func:`indexer.documents.crawl_document` takes it, from the sweep's
    summary (what summary.json holds: sites, pages, findings, errors, stats)."""
    duration = summary["duration_seconds"] or 0
    return {
        "run_id": run_id or "unknown",
        "started": started,
        "ended": ended,
        "status": status,
        "sites_total": summary["sites"]["total"],
        "sites_done": summary["sites"]["done"],
        "sites_failed": summary["sites"]["failed"] + summary["sites"]["timed_out"],
        "pages": summary["pages"],
        "hits": summary["findings"]["hits"],
        "hits_by_level": {
            level: count
            for level, count in summary["findings"]["by_level"].items()
            if level != Level.NONE
        },
        "errors": summary["errors"]["total"],
        "pages_per_second": round(summary["pages"] / duration, 2) if duration else None,
        "rule_fingerprint": _rule_fingerprint(),
        "failures": [
            {
                "site_id": p["id"],
                "site": p.get("name") or p.get("url"),
                "reason": p.get("reason"),
            }
            for p in summary["sites"]["problems"]
        ],
        "stats": summary["stats"],
    }


def _rule_fingerprint() -> str | None:
    try:
        from rules import load_engine

        return load_engine().fingerprint
    except Exception:  # noqa: BLE001 - the crawl document is written anyway
        return None
