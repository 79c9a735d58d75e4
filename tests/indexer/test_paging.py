"""The one paging helper module: documents through a point in time, buckets through a
composite aggregation, ids in groups — against the real Elasticsearch, pages smaller than the
data so every page boundary is crossed."""

from __future__ import annotations

import pytest
from elasticsearch import helpers

from indexer.paging import chunks, composite_buckets, search_all, search_batches

DOCS = 23
GROUPS = 7


@pytest.mark.parametrize(
    "values,size,expected",
    [
        (["a", "b", "c", "d", "e"], 2, [["a", "b"], ["c", "d"], ["e"]]),
        (["a", "b"], 2, [["a", "b"]]),
        ([], 3, []),
        (None, 3, []),
    ],
)
def test_chunks(values, size, expected):
    assert list(chunks(values, size)) == expected


@pytest.fixture(scope="module")
def paging_index(es_client, es_settings):
    index = f"{es_settings.index_prefix}-paging-test"
    es_client.indices.create(
        index=index,
        mappings={"properties": {"group": {"type": "keyword"}, "n": {"type": "integer"}}},
    )
    helpers.bulk(
        es_client,
        (
            {"_index": index, "_id": f"d{n:02d}", "group": f"g{n % GROUPS}", "n": n}
            for n in range(DOCS)
        ),
        refresh="wait_for",
    )
    yield index
    es_client.options(ignore_status=404).indices.delete(index=index)


@pytest.mark.elasticsearch
def test_search_batches_reads_every_document_once_in_bounded_batches(es_client, paging_index):
    batches = list(search_batches(es_client, paging_index, {"match_all": {}}, size=5))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    ids = [d["_id"] for b in batches for d in b]
    assert sorted(ids) == [f"d{n:02d}" for n in range(DOCS)]


@pytest.mark.elasticsearch
def test_search_all_passes_search_parameters(es_client, paging_index):
    docs = list(
        search_all(
            es_client,
            paging_index,
            {"range": {"n": {"gte": 10}}},
            size=4,
            source_includes=["n"],
        )
    )
    assert sorted(d["_source"]["n"] for d in docs) == list(range(10, DOCS))
    assert all(set(d["_source"]) == {"n"} for d in docs)


@pytest.mark.elasticsearch
def test_abandoned_iteration_closes_its_point_in_time(es_client, paging_index):
    def open_contexts() -> int:
        stats = es_client.indices.stats(index=paging_index, metric="search")
        return stats["_all"]["total"]["search"]["open_contexts"]

    before = open_contexts()
    batches = search_batches(es_client, paging_index, {"match_all": {}}, size=5)
    next(batches)
    assert open_contexts() > before
    batches.close()
    assert open_contexts() == before


@pytest.mark.elasticsearch
def test_composite_buckets_pages_through_every_bucket(es_client, paging_index):
    buckets = list(
        composite_buckets(
            es_client,
            paging_index,
            {"match_all": {}},
            {"id": "group"},
            {"top": {"max": {"field": "n"}}},
            size=2,
        )
    )
    assert [b["key"]["id"] for b in buckets] == [f"g{g}" for g in range(GROUPS)]
    assert sum(b["doc_count"] for b in buckets) == DOCS
    assert buckets[0]["top"]["value"] == 21  # the largest n with n % 7 == 0 below 23
