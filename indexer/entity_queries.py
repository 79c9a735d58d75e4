"""Contact and money identifiers seen on several sites: fraud rings advertise everywhere at once.

Pages carry ``entity_keys`` (``"wechat:abc123"``, ``"phone:13800138000"``…), a flat keyword copy
of their extracted entities. Two steps, both aggregations:

1. a composite aggregation over ``entity_keys`` with the number of distinct ``site.id`` per key,
   paged through every key (no ``bucket_selector``: it needs scripting, which the integ-test
   server lacks), keeping the keys seen on at least ``min_sites`` sites;
2. for those keys, a terms aggregation per site with one example page each.

Memory grows with the number of keys that pass the threshold, not with the number of pages.
The same field drives the Kibana table "contact ids seen on several sites".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from ground.settings import Settings
from indexer import templates
from indexer.errors import BadThreshold, UnknownEntityType
from indexer.paging import composite_buckets

#: The identifiers worth following across sites (urls, apks and ICP numbers are not contacts).
CONTACT_TYPES = (
    "phone",
    "qq",
    "qq_group",
    "wechat",
    "bank_card",
    "usdt_trc20",
    "usdt_erc20",
    "telegram",
)
TYPE_ALIASES = {"usdt": ("usdt_trc20", "usdt_erc20"), "wallet": ("usdt_trc20", "usdt_erc20")}
COMPOSITE_PAGE = 1000
DETAIL_BATCH = 50
MAX_SITES_SHOWN = 50


@dataclass
class SiteSighting:
    site_id: str
    name: str | None
    domain: str | None
    pages: int
    example_url: str | None
    example_title: str | None
    last_seen: str | None


@dataclass
class SharedEntity:
    type: str
    value: str
    site_count: int
    page_count: int
    sites: list[SiteSighting] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_types(types: Iterable[str] | None) -> tuple[str, ...]:
    if not types:
        return CONTACT_TYPES
    out: list[str] = []
    for name in types:
        key = name.strip().lower()
        expanded = TYPE_ALIASES.get(key, (key,))
        for t in expanded:
            if t not in CONTACT_TYPES:
                raise UnknownEntityType(name, CONTACT_TYPES)
            if t not in out:
                out.append(t)
    return tuple(out)


def _keys_query(types: tuple[str, ...]) -> dict[str, Any]:
    return {
        "bool": {
            "should": [{"prefix": {"entity_keys": f"{t}:"}} for t in types],
            "minimum_should_match": 1,
        }
    }


def shared_entities(
    client: Elasticsearch,
    settings: Settings,
    *,
    min_sites: int = 2,
    types: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[SharedEntity]:
    """Identifiers of `types` found on pages of at least `min_sites` distinct sites, most
    widespread first, each with its sites and an example page per site."""
    if min_sites < 1:
        raise BadThreshold(min_sites)
    wanted = resolve_types(types)
    prefixes = tuple(f"{t}:" for t in wanted)
    alias = templates.alias_name(settings.index_prefix, "pages")
    found: list[tuple[str, int, int]] = []  # key, sites, pages
    for bucket in composite_buckets(
        client,
        alias,
        _keys_query(wanted),
        {"key": "entity_keys"},
        {"sites": {"cardinality": {"field": "site.id"}}},
        size=COMPOSITE_PAGE,
    ):
        key = bucket["key"]["key"]
        # a page with a wanted key brings its other keys into the buckets too
        if key.startswith(prefixes) and bucket["sites"]["value"] >= min_sites:
            found.append((key, int(bucket["sites"]["value"]), int(bucket["doc_count"])))
    found.sort(key=lambda f: (-f[1], -f[2], f[0]))
    if limit is not None:
        found = found[:limit]
    details: dict[str, list[SiteSighting]] = {}
    for i in range(0, len(found), DETAIL_BATCH):
        details.update(_sightings(client, alias, [k for k, _s, _p in found[i : i + DETAIL_BATCH]]))
    out = []
    for key, sites, pages in found:
        kind, value = key.split(":", 1)
        out.append(SharedEntity(kind, value, sites, pages, details.get(key, [])))
    return out


def _sightings(client: Elasticsearch, alias: str, keys: list[str]) -> dict[str, list[SiteSighting]]:
    resp = client.search(
        index=alias,
        size=0,
        query={"terms": {"entity_keys": keys}},
        aggs={
            "keys": {
                "terms": {"field": "entity_keys", "include": keys, "size": len(keys)},
                "aggs": {
                    "sites": {
                        "terms": {"field": "site.id", "size": MAX_SITES_SHOWN},
                        "aggs": {
                            "example": {
                                "top_hits": {
                                    "size": 1,
                                    "sort": [{"@timestamp": "desc"}],
                                    "_source": {
                                        "includes": ["url.full", "page.title", "site", "@timestamp"]
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
    )
    out: dict[str, list[SiteSighting]] = {}
    for bucket in resp["aggregations"]["keys"]["buckets"]:
        sightings = []
        for site_bucket in bucket["sites"]["buckets"]:
            src = site_bucket["example"]["hits"]["hits"][0]["_source"]
            site = src.get("site") or {}
            sightings.append(
                SiteSighting(
                    site_id=site_bucket["key"],
                    name=site.get("name"),
                    domain=site.get("domain"),
                    pages=int(site_bucket["doc_count"]),
                    example_url=(src.get("url") or {}).get("full"),
                    example_title=(src.get("page") or {}).get("title"),
                    last_seen=src.get("@timestamp"),
                )
            )
        out[bucket["key"]] = sightings
    return out
