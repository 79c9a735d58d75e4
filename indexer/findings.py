"""A site's findings over a span of time, aggregated in Elasticsearch, and the best evidence
among them.

A finding is a hit that is not dismissed as a false positive, seen during the span
(``first_seen`` before its end, ``last_seen`` after its start), with page level high/medium or
confirmed by a reviewer. Hits a retro-scan withdrew (their rule no longer matches) never count;
hits retired because a later crawl no longer found them count for the spans they were seen in.
A finding *qualifies* a site for takedown when its page level is ``high`` or a reviewer
confirmed it.

Everything is aggregated per site (a composite aggregation over ``site.id``, paged), so the cost
grows with the number of sites, not with the number of hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from ground.clock import iso_utc
from ground.levels import FRAUD_LEVELS, LEVELS
from ground.settings import Settings
from indexer import templates
from indexer.paging import BUCKETS_PER_PAGE, IDS_PER_QUERY, chunks, composite_buckets

EVIDENCE_PER_SITE = 3
EVIDENCE_PAGES = 6  # best pages fetched per site: room for pages whose text repeats another's
EVIDENCE_PER_PAGE = 3  # strongest hits fetched per page


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
        aggs["evidence_confirmed"] = {
            "filter": {"term": {"review.status": "confirmed"}},
            "aggs": {"pages": _evidence_pages()},
        }
        aggs["evidence"] = _evidence_pages()
    wanted = None if site_ids is None else sorted(set(site_ids))
    out: dict[str, Findings] = {}
    for chunk in chunks(wanted, IDS_PER_QUERY) if wanted is not None else [None]:
        if chunk is not None and not chunk:
            continue
        for bucket in composite_buckets(
            client,
            templates.alias_name(settings.index_prefix, "hits"),
            _findings_query(start, end, chunk),
            {"id": "site.id"},
            aggs,
            size=BUCKETS_PER_PAGE,
        ):
            site_id = bucket["key"]["id"]
            top = _evidence_hits(bucket)
            out[site_id] = Findings(
                site_id=site_id,
                qualifying=bucket["qualifying"]["doc_count"],
                max_score=bucket["max_score"]["value"],
                fraud_pages=int(bucket["pages"]["value"] or 0),
                categories=[b["key"] for b in bucket["categories"]["buckets"]],
                first_seen=_agg_time(bucket["first"]),
                last_seen=_agg_time(bucket["last"]),
                last_qualifying_seen=_agg_time(bucket["qualifying"]["last"]),
                evidence=top,
                site=(top[0].get("site") or {}) if top else {},
            )
    return out


def _evidence_pages() -> dict[str, Any]:
    """The site's best pages (level, then score) with each page's strongest hits.

    Grouped by page, not the site's top hits overall: a home page with a dozen hits would
    otherwise fill every candidate slot and the export would show one page three times.
    Every hit carries its page's level and score, so a page's rank is the best of its hits."""
    by_level = {
        str(level): {"filter": {"term": {"scan.level": str(level)}}, "aggs": _MAX_SCORE}
        for level in LEVELS
    }
    order = [{f"{level}>score": "desc"} for level in LEVELS]
    return {
        "terms": {
            "field": "page_id",
            "size": EVIDENCE_PAGES,
            "order": [*order, {"score": "desc"}, {"_key": "asc"}],
        },
        "aggs": {
            **by_level,
            **_MAX_SCORE,
            "top": {
                "top_hits": {
                    "size": EVIDENCE_PER_PAGE,
                    "sort": [
                        {"hit.weight": {"order": "desc", "missing": "_last"}},
                        {"last_seen": {"order": "desc"}},
                    ],
                    "_source": {"includes": list(_EVIDENCE_FIELDS)},
                }
            },
        },
    }


_MAX_SCORE = {"score": {"max": {"field": "scan.score"}}}
_EVIDENCE_FIELDS = ("url.full", "hit.snippet", "review.status", "rule", "page_id", "site")


def _evidence_hits(bucket: dict[str, Any]) -> list[dict[str, Any]]:
    """Hit sources page by page: pages with a confirmed hit first (their confirmed hits), then
    every page by level and score, each page's hits strongest first."""
    out: list[dict[str, Any]] = []
    pages = (bucket.get("evidence_confirmed") or {}).get("pages", {}).get("buckets", [])
    pages = [*pages, *(bucket.get("evidence") or {}).get("buckets", [])]
    for page in pages:
        out.extend(h["_source"] for h in page["top"]["hits"]["hits"])
    return out


def _agg_time(agg: dict[str, Any]) -> datetime | None:
    value = agg.get("value")
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def best_evidence(hits: list[dict[str, Any]], n: int = EVIDENCE_PER_SITE) -> list[dict[str, Any]]:
    """Up to `n` hits from distinct pages with distinct snippets, taken in the order of `hits`
    (best first) with confirmed ones ahead.

    One hit per page before a page is used twice, and a text already shown is passed over (the
    same menu line matched on every page, or several rules firing on one title): a page whose
    only hits repeat a shown text still gets its row before any page is used twice, so a site
    with three fraud pages always shows three pages."""
    # sorted() is stable: the given order stays within confirmed and within the rest
    ranked = sorted(hits, key=lambda hit: (hit.get("review") or {}).get("status") != "confirmed")
    chosen: list[dict[str, Any]] = []
    keys: set[tuple[Any, str]] = set()
    # (a page not yet used, a text not yet shown) for each pass
    for new_page, new_text in ((True, True), (True, False), (False, True)):
        pages = {hit.get("page_id") for hit in chosen}
        texts = {_snippet(hit) for hit in chosen}
        for hit in ranked:
            page, text = hit.get("page_id"), _snippet(hit)
            if (page, text) in keys:
                continue
            if (new_page and page in pages) or (new_text and text in texts):
                continue
            chosen.append(hit)
            keys.add((page, text))
            pages.add(page)
            texts.add(text)
            if len(chosen) == n:
                return chosen
    return chosen


def _snippet(hit: dict[str, Any]) -> str:
    return ((hit.get("hit") or {}).get("snippet") or "").strip()
