"""The weekly takedown-candidate list: which sites, in which order, with what in each row.

A site is a candidate for ISO week W (:mod:`indexer.weeks`) when
- it has a finding (:mod:`indexer.findings`) seen during W that qualifies: high-level, or
  confirmed by a reviewer, or
- its review status at the end of W (or now, for the running week) is ``takedown_requested``
  or ``recurred``, or
- it has a site-level verdict (``site.compromise.<kind>``) that was active at the end of W:
  first seen by then and ``open`` or ``confirmed``, or ``repaired`` only after it (dismissed
  verdicts never count; :func:`indexer.verdict_states.active_at`). Such a site gets its row
  even without a qualifying hit.

Each row says what to do (处置建议, :func:`indexer.verdict_states.disposal`): 通知整改 for a
hacked site (spam_injected, cloaking, hijack_redirect), 关停 for a taken-over domain
(takeover_suspected) or a site listed for its own fraud content; and shows the verdicts with
their state, detail and first evidence page (站点判定, 判定证据链接).

Sites that reviewers closed (``taken_down``, ``false_positive``) drop out unless fraud was
seen after that decision; sites retired from the registry (:mod:`indexer.site_registry`) are
never listed.

A site's review status at a past moment comes from the append-only review log
(:func:`indexer.review_log.site_decisions`), so last week's list can be rebuilt exactly and
compared with this week's: 新增 (new this week), 仍未处理 (still open), 已关闭 (on last week's
list, not on this one). Hits' own decisions are taken as they are now.

:mod:`indexer.export` writes the rows to XLSX or CSV.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from elasticsearch import Elasticsearch

from ground.clock import office_time, parse_time
from ground.settings import Settings
from indexer import templates
from indexer.errors import WeekNotStarted
from indexer.export import CHANGE_NAMES_ZH
from indexer.findings import Findings, best_evidence, site_findings
from indexer.paging import IDS_PER_QUERY, chunks
from indexer.review_log import Decision, site_decisions
from indexer.review_states import STATUS_NAMES_ZH
from indexer.site_registry import retired_ids
from indexer.verdict_export import active_verdicts, first_url, verdict_sites, verdict_text
from indexer.verdict_states import disposal
from indexer.weeks import Week, previous_week, report_zone

OPEN_STATUSES = ("takedown_requested", "recurred")
CLOSED_STATUSES = ("taken_down", "false_positive")
SNIPPET_CHARS = 300


def candidate_sites(
    client: Elasticsearch,
    settings: Settings,
    week: Week,
    as_of: datetime,
    verdicts: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> tuple[set[str], dict[str, Findings], dict[str, Decision]]:
    """The candidate site ids of `week`, their findings in it, and decisions at `as_of`.
    `verdicts`: :func:`verdict_sites` (read once for both weeks an export compares)."""
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
    for site_id, entries in (verdicts or {}).items():
        active = active_verdicts(entries, as_of)
        if not active:
            continue
        last_seen = _latest(None, *(e.get("last_seen") for e in active))
        if not _closed_before(decisions.get(site_id), last_seen):
            candidates.add(site_id)
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
        raise WeekNotStarted(week.label)
    as_of = min(week.end, now)
    last = previous_week(week, zone)
    verdicts = verdict_sites(client, settings)
    current, findings, decisions = candidate_sites(client, settings, week, as_of, verdicts)
    before, _, _ = candidate_sites(client, settings, last, last.end, verdicts)
    # sites retired from the registry are no longer the office's to take down
    retired = retired_ids(client, settings, current | before)
    current -= retired
    closed = before - current - retired

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
        active = active_verdicts(
            verdicts.get(site_id) or {}, last.end if change == "closed" else as_of
        )
        row: dict[str, Any] = {
            "change": CHANGE_NAMES_ZH[change],
            "site_id": site_id,
            "site_name": site.get("name"),
            "domain": _host(site) or (site_doc.get("url") or {}).get("domain"),
            "icp": site.get("icp"),
            "district": site.get("district"),
            "owner": site.get("owner"),
            "disposal": disposal([e["kind"] for e in active]),
            "verdicts": verdict_text(active),
            "verdict_url": first_url(active),
            "categories": "、".join(categories_zh.get(c, c) for c in found.categories),
            "max_score": round(found.max_score, 1) if found.max_score is not None else None,
            "fraud_pages": found.fraud_pages,
            # fraud first seen on the site at all (the crawl's record), not just in this evidence
            "first_seen": _local(
                _earliest(
                    found.first_seen,
                    (site_doc.get("risk") or {}).get("fraud_first_seen"),
                    *(e.get("first_seen") for e in active),
                ),
                zone,
            ),
            "last_seen": _local(
                _latest(found.last_seen, *(e.get("last_seen") for e in active)), zone
            ),
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


def _earliest(found: datetime | None, *recorded: str | None) -> datetime | None:
    times = [t for t in (found, *(parse_time(r) for r in recorded)) if t is not None]
    return min(times) if times else None


def _latest(found: datetime | None, *recorded: str | None) -> datetime | None:
    times = [t for t in (found, *(parse_time(r) for r in recorded)) if t is not None]
    return max(times) if times else None


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The office's wall-clock time (the export writes it as a date, not as UTC)."""
    return office_time(moment, zone)


def _category_names() -> dict[str, str]:
    from rules.loader import taxonomy  # the Chinese names reviewers see

    return taxonomy()


def _site_documents(
    client: Elasticsearch, settings: Settings, site_ids: list[str]
) -> dict[str, dict]:
    out: dict[str, dict] = {}
    alias = templates.alias_name(settings.index_prefix, "sites")
    for chunk in chunks(site_ids, IDS_PER_QUERY):
        resp = client.search(
            index=alias,
            query={"ids": {"values": chunk}},
            size=len(chunk),
            source_includes=["site", "url", "review", "risk"],
        )
        out.update({h["_id"]: h["_source"] for h in resp["hits"]["hits"]})
    return out
