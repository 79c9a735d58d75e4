"""The spool: a batch sent while Elasticsearch is down is kept and replayed, once."""

from __future__ import annotations

import json

import pytest

from ground.urls import page_id
from indexer.documents import review_log_document
from indexer.spool import Spool, replay
from indexer.writer import BulkWriter
from tests.indexer.conftest import make_item, refresh

CLOSED_PORT = "http://127.0.0.1:9"  # nothing listens on the discard port here


def test_spool_files_are_written_whole_and_read_back(tmp_path):
    spool = Spool(tmp_path)
    actions = [
        {"_op_type": "index", "_index": "x", "_id": str(i), "_source": {"t": "刷单"}}
        for i in range(3)
    ]
    path = spool.write(actions)
    assert spool.files() == [path] and spool.pending() == 3
    assert spool.read(path) == actions
    assert "刷单" in path.read_text(encoding="utf-8")  # readable, not \\u-escaped
    assert not list(tmp_path.glob(".*.tmp"))
    spool.replace(path, actions[2:])
    assert spool.pending() == 1
    spool.replace(path, [])
    assert spool.files() == []


def test_spool_lock_is_exclusive(tmp_path):
    spool = Spool(tmp_path)
    with spool.lock() as first:
        assert first
        # flock locks belong to the open file: a second open in this process conflicts too.
        with spool.lock() as second:
            assert second is False


@pytest.mark.elasticsearch
def test_batch_sent_while_down_is_spooled_then_replayed_without_loss_or_duplicates(
    writer_settings, es_client, request
):
    prefix = writer_settings.index_prefix
    base = f"http://{request.node.name[:40].replace('_', '-')}.test"
    items = [make_item(url=f"{base}/p{i}.html") for i in range(5)]
    log_entry = review_log_document(
        target_type="site", target_id="s1", status="confirmed", previous_status="new", by="王"
    )
    down = writer_settings.model_copy(update={"elasticsearch_url": CLOSED_PORT})

    writer = BulkWriter(down)  # must not raise: the crawl goes on, documents wait on disk
    for item in items:
        writer.index_page(item)
    writer.add(log_entry)
    stats = writer.close()
    expected = 5 * 3 + 1  # pages + two hits each + the log entry
    assert stats["es/spooled"] == expected and not stats.get("es/indexed")
    assert any("wuzha es replay" in line for line in writer.summary())
    spool = Spool(writer_settings.spool_path)
    assert spool.pending() == expected
    saved = [spool.read(p) for p in spool.files()]

    # Still down: replay keeps everything.
    with pytest.raises(Exception, match="connection refused"):
        replay(down)
    assert spool.pending() == expected

    # Back up: the next writer replays at start.
    with BulkWriter(writer_settings) as writer:
        pass
    assert writer.stats["es/replayed"] == expected
    assert spool.files() == []
    refresh(es_client, prefix)

    def counts() -> tuple[int, int, int]:
        scope = {"prefix": {"url.full": base}}
        return (
            es_client.count(index=f"{prefix}-pages", query=scope)["count"],
            es_client.count(index=f"{prefix}-hits", query=scope)["count"],
            es_client.count(index=f"{prefix}-review-log", query={"term": {"_id": log_entry.id}})[
                "count"
            ],
        )

    assert counts() == (5, 10, 1)
    for item in items:
        assert es_client.exists(index=f"{prefix}-pages", id=page_id(item["url"]))

    # A replay interrupted after sending but before deleting its file sends it all again:
    # same ids and idempotent operations, so still nothing twice.
    for actions in saved:
        spool.write(actions)
    report = replay(writer_settings)
    assert report.remaining == 0 and report.actions_sent == expected
    assert report.stats["es/already_present"] == 1  # the append-only log entry
    refresh(es_client, prefix)
    assert counts() == (5, 10, 1)


@pytest.mark.elasticsearch
def test_writer_goes_offline_once_and_spools_without_retrying_each_batch(writer_settings):
    down = writer_settings.model_copy(
        update={"elasticsearch_url": CLOSED_PORT, "bulk_chunk_size": 3}
    )
    writer = BulkWriter(down, offline_retry_seconds=3600)
    for i in range(4):
        writer.index_page(
            make_item(url=f"http://offline.test/{i}")
        )  # 3 docs each: a flush per page
    stats = writer.close()
    assert stats["es/spooled"] == 12
    assert stats["es/offline"] == 1  # one failed attempt, then straight to the spool
    assert len(Spool(down.spool_path).files()) == 4


@pytest.mark.elasticsearch
def test_rejected_documents_during_replay_are_set_aside(writer_settings, es_client):
    spool = Spool(writer_settings.spool_path)
    prefix = writer_settings.index_prefix
    spool.write(
        [
            {
                "_op_type": "index",
                "_index": f"{prefix}-crawls",
                "_id": "replay-ok",
                "_source": {"crawl": {"run_id": "replay-ok"}},
            },
            {
                "_op_type": "index",
                "_index": f"{prefix}-crawls",
                "_id": "replay-bad",
                "_source": {"unknown_field": True},
            },
        ]
    )
    report = replay(writer_settings)
    assert report.remaining == 0 and report.files_done == 1
    assert report.stats["es/failed/strict_dynamic_mapping_exception"] == 1
    rejected = [json.loads(line) for f in spool.rejected_dir.glob("*.jsonl") for line in f.open()]
    assert [r["id"] for r in rejected] == ["replay-bad"]
    assert es_client.exists(index=f"{prefix}-crawls", id="replay-ok")


def test_closing_stats_count_this_runs_documents_still_in_the_spool(tmp_path):
    from ground.settings import settings_with

    down = settings_with(
        elasticsearch_url=CLOSED_PORT, spool_dir=tmp_path / "spool", bulk_chunk_size=3
    )
    earlier = {"_op_type": "index", "_index": "x", "_id": "earlier", "_source": {}}
    Spool(down.spool_path).write([earlier])  # an earlier run's: not this run's to report
    writer = BulkWriter(down, offline_retry_seconds=3600)
    for i in range(2):
        writer.index_page(make_item(url=f"http://offline.test/{i}"))  # 3 documents each
    stats = writer.close()
    assert stats["es/spool_pending"] == 6
    assert Spool(down.spool_path).pending() == 7
