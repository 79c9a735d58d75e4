"""Reading everything a query or an aggregation matches, in bounded pages: the one way wuzha
pages through Elasticsearch.

- documents: a point in time and ``search_after`` (the way Elasticsearch recommends for deep
  paging), so memory stays flat however many documents there are and writes made meanwhile do
  not shift the pages;
- buckets: a composite aggregation, paged by its ``after_key``;
- ids: fixed-size groups, for queries that name documents (``ids``/``terms``) and must stay
  below the cluster's clause limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from elasticsearch import Elasticsearch

DOCS_PER_PAGE = 500  # documents read per search request when paging through an index
IDS_PER_QUERY = 500  # ids named in one ids/terms query: far below index.max_terms_count
BUCKETS_PER_PAGE = 200  # composite buckets per request when each carries top hits


def search_batches(
    client: Elasticsearch,
    index: str,
    query: dict[str, Any],
    *,
    size: int,
    keep_alive: str = "2m",
    **search: Any,
) -> Iterator[list[dict[str, Any]]]:
    """Batches of at most `size` hits (``_id``, ``_source``…) of `query`; `search` holds extra
    search parameters (``source_includes``, ``seq_no_primary_term``…). The point in time is
    closed when the iteration ends or is abandoned."""
    pit = client.open_point_in_time(index=index, keep_alive=keep_alive)["id"]
    try:
        after = None
        while True:
            if after is not None:
                search["search_after"] = after
            resp = client.search(
                query=query,
                pit={"id": pit, "keep_alive": keep_alive},
                size=size,
                sort=[{"_shard_doc": "asc"}],
                **search,
            )
            pit = resp.get("pit_id", pit)
            docs = resp["hits"]["hits"]
            if not docs:
                return
            yield docs
            after = docs[-1]["sort"]
    finally:
        client.options(ignore_status=404).close_point_in_time(id=pit)


def search_all(
    client: Elasticsearch,
    index: str,
    query: dict[str, Any],
    *,
    size: int,
    keep_alive: str = "2m",
    **search: Any,
) -> Iterator[dict[str, Any]]:
    """Every hit of `query`, one at a time (read `size` at a time by :func:`search_batches`)."""
    for batch in search_batches(client, index, query, size=size, keep_alive=keep_alive, **search):
        yield from batch


def composite_buckets(
    client: Elasticsearch,
    index: str,
    query: dict[str, Any],
    sources: Mapping[str, str],
    aggs: dict[str, Any] | None = None,
    *,
    size: int,
) -> Iterator[dict[str, Any]]:
    """Every bucket of a composite ``terms`` aggregation over `sources` (key name → field),
    with the sub-aggregations `aggs`, `size` buckets per request."""
    after = None
    while True:
        composite: dict[str, Any] = {
            "size": size,
            "sources": [{name: {"terms": {"field": field}}} for name, field in sources.items()],
        }
        if after is not None:
            composite["after"] = after
        agg: dict[str, Any] = {"composite": composite}
        if aggs:
            agg["aggs"] = aggs
        resp = client.search(index=index, size=0, query=query, aggs={"buckets": agg})
        result = resp["aggregations"]["buckets"]
        yield from result["buckets"]
        after = result.get("after_key")
        if not result["buckets"] or after is None:
            return


def chunks(values: Iterable[str] | None, size: int) -> Iterator[list[str]]:
    """`values` in lists of at most `size` (none for no values)."""
    values = list(values or [])
    for i in range(0, len(values), size):
        yield values[i : i + size]
