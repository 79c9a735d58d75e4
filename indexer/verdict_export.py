"""The weekly export's site-verdict side: which sites have verdicts that count, and how a
row shows them (站点判定: kind, state and the detector's sentence; 判定证据链接: the first
evidence page). Which verdicts count at a moment is :func:`indexer.verdict_states.active_at`;
:mod:`indexer.takedown_candidates` makes the rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from ground.settings import Settings
from indexer import templates
from indexer.paging import IDS_PER_QUERY, search_all
from indexer.site_verdicts import stored_verdicts
from indexer.verdict_states import DISMISSED, KIND_NAMES_ZH, STATE_NAMES_ZH, STATES, active_at
from sitecheck.verdict import KINDS

DETAIL_CHARS = 300


def verdict_sites(client: Elasticsearch, settings: Settings) -> dict[str, dict[str, dict]]:
    """Site id -> its stored verdicts, for every site with a verdict not dismissed."""
    live = [s for s in STATES if s != DISMISSED]
    query = {
        "bool": {
            "should": [{"terms": {f"site.compromise.{kind}.state": live}} for kind in KINDS],
            "minimum_should_match": 1,
        }
    }
    return {
        hit["_id"]: stored_verdicts(hit["_source"])
        for hit in search_all(
            client,
            templates.alias_name(settings.index_prefix, "sites"),
            query,
            size=IDS_PER_QUERY,
            source_includes=["site.compromise"],
        )
    }


def active_verdicts(entries: dict[str, dict[str, Any]], moment: datetime) -> list[dict]:
    """The site's verdicts that were active at `moment`, in the order of the kinds."""
    return [entries[k] for k in KINDS if k in entries and active_at(entries[k], moment)]


def verdict_text(active: list[dict[str, Any]]) -> str | None:
    """One line per verdict: 被植入推广内容（待审核）：<the detector's sentence>."""
    lines = []
    for entry in active:
        kind, state = entry.get("kind"), entry.get("state")
        detail = ((entry.get("evidence") or {}).get("detail") or "").strip()[:DETAIL_CHARS]
        name = f"{KIND_NAMES_ZH.get(kind, kind)}（{STATE_NAMES_ZH.get(state, state)}）"
        lines.append(f"{name}：{detail}" if detail else name)
    return "\n".join(lines) or None


def first_url(active: list[dict[str, Any]]) -> str | None:
    for entry in active:
        urls = (entry.get("evidence") or {}).get("urls") or []
        if urls:
            return urls[0]
    return None
