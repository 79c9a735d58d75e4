"""Reading every document a query matches, in bounded batches: a point in time and
``search_after`` (the way Elasticsearch recommends for deep paging), so memory stays flat
however many documents there are and writes made meanwhile do not shift the pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch


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
