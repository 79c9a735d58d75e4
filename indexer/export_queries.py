"""The queries behind the weekly takedown-candidate export.

A site is a candidate for ISO week W when
- it has a *finding* seen during W that is high-level (the page's level is ``high``) or that a
  reviewer confirmed, or
- its review status at the end of W (or now, for the running week) is ``takedown_requested``
  or ``recurred``.

A finding is a hit that is not dismissed as a false positive, seen during W (``first_seen``
before the week's end, ``last_seen`` after its start), with page level high/medium or confirmed.
Hits a retro-scan withdrew (their rule no longer matches) never count; hits retired because a
later crawl no longer found them count for the weeks they were seen in.
Sites that reviewers closed (``taken_down``, ``false_positive``) drop out unless fraud was
seen after that decision.

A site's review status at a past moment comes from the append-only review log, so last week's
list can be rebuilt exactly and compared with this week's: 新增 (new this week), 仍未处理
(still open), 已关闭 (on last week's list, not on this one). Hits' own decisions are taken as
they are now.

Everything is aggregated in Elasticsearch (a composite aggregation over ``site.id``, paged), so
the export's cost grows with the number of candidate sites, not with the number of hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from elasticsearch import Elasticsearch

from ground.clock import iso_utc, parse_time
from ground.levels import FRAUD_LEVELS
from ground.settings import Settings
from indexer import templates
from indexer.errors import IndexerError
from indexer.export import CHANGE_NAMES_ZH
from indexer.paging import chunks, composite_buckets, search_all
from indexer.review_states import STATUS_NAMES_ZH
from indexer.weeks import Week, previous_week, report_zone

OPEN_STATUSES = ("takedown_requested", "recurred")
CLOSED_STATUSES = ("taken_down", "false_positive")
EVIDENCE_PER_SITE = 3
EVIDENCE_CANDIDATES = 10  # top hits fetched per site, to pick distinct pages from
COMPOSITE_PAGE = 200
IDS_PAGE = 500
SNIPPET_CHARS = 300


# --- review status at a moment ---------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
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
    for chunk in chunks(wanted, IDS_PAGE) if wanted is not None else [None]:
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
            size=COMPOSITE_PAGE,
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
        size=IDS_PAGE,
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


# --- findings ----------------------------------------------------------------------------------------


@dataclass
class Findings:
    site_id: str
    qualifying: int = 0  # high-level or confirmed findings
    max_score: float | None = None
    fraud_pages: int = 0
    categories: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_qualifying_seen: datetime | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)  # hit sources, best first
    site: dict[str, Any] = field(default_factory=dict)  # site.* from a hit (fallback)


def _findings_query(
    start: datetime | None, end: datetime | None, site_ids: list[str] | None
) -> dict:
    filters: list[dict[str, Any]] = []
    if start is not None:
        filters.append({"range": {"last_seen": {"gte": iso_utc(start)}}})
    if end is not None:
        filters.append({"range": {"first_seen": {"lt": iso_utc(end)}}})
    if site_ids is not None:
        filters.append({"terms": {"site.id": site_ids}})
    return {
        "bool": {
            "filter": filters,
            "should": [
                {"terms": {"scan.level": list(FRAUD_LEVELS)}},
                {"term": {"review.status": "confirmed"}},
            ],
            "minimum_should_match": 1,
            "must_not": [
                # hits the rules withdrew (retro-scan); hits retired because the page changed
                # still count for the weeks they were seen in (their last_seen stays put)
                {
                    "bool": {
                        "filter": [
                            {"term": {"hit.active": False}},
                            {"term": {"hit.retired_by": "rescan"}},
                        ]
                    }
                },
                {"term": {"review.status": "false_positive"}},
            ],
        }
    }


_QUALIFYING = {
    "bool": {
        "should": [{"term": {"scan.level": "high"}}, {"term": {"review.status": "confirmed"}}],
        "minimum_should_match": 1,
    }
}


def site_findings(
    client: Elasticsearch,
    settings: Settings,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    site_ids: Iterable[str] | None = None,
    with_evidence: bool = True,
) -> dict[str, Findings]:
    """Per site: its findings seen in [start, end) (no bounds: all time)."""
    aggs: dict[str, Any] = {
        "qualifying": {"filter": _QUALIFYING, "aggs": {"last": {"max": {"field": "last_seen"}}}},
        "max_score": {"max": {"field": "scan.score"}},
        "pages": {"cardinality": {"field": "page_id"}},
        "categories": {"terms": {"field": "rule.category", "size": 20}},
        "first": {"min": {"field": "first_seen"}},
        "last": {"max": {"field": "last_seen"}},
    }
    if with_evidence:
        aggs["top"] = {
            "top_hits": {
                "size": EVIDENCE_CANDIDATES,
                "sort": [
                    {"scan.score": {"order": "desc", "missing": "_last"}},
                    {"hit.weight": {"order": "desc", "missing": "_last"}},
                    {"last_seen": {"order": "desc"}},
                ],
                "_source": {
                    "includes": [
                        "url.full",
                        "hit.snippet",
                        "review.status",
                        "rule",
                        "page_id",
                        "site",
                    ]
                },
            }
        }
    wanted = None if site_ids is None else sorted(set(site_ids))
    out: dict[str, Findings] = {}
    for chunk in chunks(wanted, IDS_PAGE) if wanted is not None else [None]:
        if chunk is not None and not chunk:
            continue
        for bucket in composite_buckets(
            client,
            templates.alias_name(settings.index_prefix, "hits"),
            _findings_query(start, end, chunk),
            {"id": "site.id"},
            aggs,
            size=COMPOSITE_PAGE,
        ):
            site_id = bucket["key"]["id"]
            top = bucket.get("top", {}).get("hits", {}).get("hits", [])
            out[site_id] = Findings(
                site_id=site_id,
                qualifying=bucket["qualifying"]["doc_count"],
                max_score=bucket["max_score"]["value"],
                fraud_pages=int(bucket["pages"]["value"] or 0),
                categories=[b["key"] for b in bucket["categories"]["buckets"]],
                first_seen=_agg_time(bucket["first"]),
                last_seen=_agg_time(bucket["last"]),
                last_qualifying_seen=_agg_time(bucket["qualifying"]["last"]),
                evidence=[h["_source"] for h in top],
                site=(top[0]["_source"].get("site") or {}) if top else {},
            )
    return out


def _agg_time(agg: dict[str, Any]) -> datetime | None:
    value = agg.get("value")
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def best_evidence(hits: list[dict[str, Any]], n: int = EVIDENCE_PER_SITE) -> list[dict[str, Any]]:
    """Up to `n` hits with distinct snippets: confirmed ones first, one per page before a page
    is used twice (several rules firing on one title share a snippet: it is shown once)."""
    ranked = sorted(
        enumerate(hits),
        key=lambda p: (0 if (p[1].get("review") or {}).get("status") == "confirmed" else 1, p[0]),
    )
    chosen: list[dict[str, Any]] = []
    seen: set[tuple[Any, str]] = set()
    for one_per_page in (True, False):
        pages = {hit.get("page_id") for hit in chosen}
        for _i, hit in ranked:
            key = (hit.get("page_id"), (hit.get("hit") or {}).get("snippet") or "")
            if key in seen or (one_per_page and hit.get("page_id") in pages):
                continue
            chosen.append(hit)
            seen.add(key)
            pages.add(hit.get("page_id"))
            if len(chosen) == n:
                return chosen
    return chosen


# --- the candidate list ---------------------------------------------------------------------------


def candidate_sites(
    client: Elasticsearch, settings: Settings, week: Week, as_of: datetime
) -> tuple[set[str], dict[str, Findings], dict[str, Decision]]:
    """The candidate site ids of `week`, their findings in it, and decisions at `as_of`."""
    findings = site_findings(client, settings, start=week.start, end=week.end)
    decisions = site_decisions(client, settings, as_of)
    candidates: set[str] = set()
    for site_id, found in findings.items():
        if not found.qualifying:
            continue
        if _closed_before(decisions.get(site_id), found.last_qualifying_seen):
            continue
        candidates.add(site_id)
    candidates |= {s for s, d in decisions.items() if d.status in OPEN_STATUSES}
    return candidates, findings, decisions


def _closed_before(decision: Decision | None, last_seen: datetime | None) -> bool:
    """A reviewer closed the site and no qualifying fraud was seen after that decision."""
    if decision is None or decision.status not in CLOSED_STATUSES:
        return False
    return decision.at is None or last_seen is None or last_seen <= decision.at


def takedown_rows(
    client: Elasticsearch, settings: Settings, week: Week, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The export's rows for `week`, in order: new, still open, closed; by score within."""
    zone = report_zone(settings)
    now = now or datetime.now(UTC)
    if week.start > now:
        raise IndexerError(f"Week {week.label} has not started yet.")
    as_of = min(week.end, now)
    last = previous_week(week, zone)
    current, findings, decisions = candidate_sites(client, settings, week, as_of)
    before, _, _ = candidate_sites(client, settings, last, last.end)
    closed = before - current

    # Sites listed for their status only, or closed ones: show their latest findings of any week.
    missing = sorted(
        (current | closed) - {s for s in current if s in findings and findings[s].qualifying}
    )
    latest = site_findings(client, settings, site_ids=missing) if missing else {}
    sites = _site_documents(client, settings, sorted(current | closed))
    categories_zh = _category_names()

    rows = []
    for site_id in sorted(current | closed):
        change = "closed" if site_id in closed else ("open" if site_id in before else "new")
        found = findings.get(site_id) if site_id in current and site_id in findings else None
        if found is None or not found.qualifying:
            found = latest.get(site_id) or found or Findings(site_id)
        site_doc = sites.get(site_id, {})
        site = site_doc.get("site") or found.site or {}
        decision = decisions.get(site_id) or Decision("new", None, None, None)
        row: dict[str, Any] = {
            "change": CHANGE_NAMES_ZH[change],
            "site_id": site_id,
            "site_name": site.get("name"),
            "domain": _host(site) or (site_doc.get("url") or {}).get("domain"),
            "icp": site.get("icp"),
            "district": site.get("district"),
            "owner": site.get("owner"),
            "categories": "、".join(categories_zh.get(c, c) for c in found.categories),
            "max_score": round(found.max_score, 1) if found.max_score is not None else None,
            "fraud_pages": found.fraud_pages,
            # fraud first seen on the site at all (the crawl's record), not just in this evidence
            "first_seen": _local(
                _earliest(found.first_seen, (site_doc.get("risk") or {}).get("fraud_first_seen")),
                zone,
            ),
            "last_seen": _local(found.last_seen, zone),
            "review_status": STATUS_NAMES_ZH.get(decision.status, decision.status),
            "reviewer": decision.by,
            "review_note": decision.note,
            "_order": (
                list(CHANGE_NAMES_ZH).index(change),
                -(found.max_score or 0.0),
                site.get("domain") or "",
            ),
        }
        for i, hit in enumerate(best_evidence(found.evidence), start=1):
            snippet = ((hit.get("hit") or {}).get("snippet") or "").strip()
            row[f"evidence_{i}"] = snippet[:SNIPPET_CHARS]
            row[f"evidence_{i}_url"] = (hit.get("url") or {}).get("full")
        rows.append(row)
    rows.sort(key=lambda r: r.pop("_order"))
    return rows


def _host(site: dict[str, Any]) -> str | None:
    """The site's domain, with the port when its registry URL names one (several registered
    sites may share a host and differ by port)."""
    domain = site.get("domain")
    try:
        port = urlsplit(site.get("url") or "").port
    except ValueError:
        port = None
    if domain and port and ":" not in domain:
        return f"{domain}:{port}"
    return domain


def _earliest(found: datetime | None, recorded: str | None) -> datetime | None:
    times = [t for t in (found, parse_time(recorded)) if t is not None]
    return min(times) if times else None


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else None


def _category_names() -> dict[str, str]:
    from rules.loader import taxonomy  # the Chinese names reviewers see

    return taxonomy()


def _site_documents(
    client: Elasticsearch, settings: Settings, site_ids: list[str]
) -> dict[str, dict]:
    out: dict[str, dict] = {}
    alias = templates.alias_name(settings.index_prefix, "sites")
    for chunk in chunks(site_ids, IDS_PAGE):
        resp = client.search(
            index=alias,
            query={"ids": {"values": chunk}},
            size=len(chunk),
            source_includes=["site", "url", "review", "risk"],
        )
        out.update({h["_id"]: h["_source"] for h in resp["hits"]["hits"]})
    return out
