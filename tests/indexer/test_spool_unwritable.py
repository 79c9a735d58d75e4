"""A spool that cannot be written says so, and the writer keeps what it could not store.

Real write failures, no mocks: the process's file-size limit (``RLIMIT_FSIZE``) makes every
write past a few bytes fail with EFBIG, as a full disk fails with ENOSPC; a spool folder that
is a file fails its ``mkdir``. The crawl-level drill on a full filesystem is
tests/crawler/test_spool_full.py.
"""

from __future__ import annotations

import resource
import signal
from contextlib import contextmanager

import pytest

from ground.settings import settings_with
from indexer.errors import SpoolUnwritable
from indexer.spool import Spool
from indexer.writer import BulkWriter
from tests.indexer.conftest import make_item

CLOSED_PORT = "http://127.0.0.1:9"  # nothing listens on the discard port here
ACTIONS = [
    {"_op_type": "index", "_index": "x", "_id": str(i), "_source": {"t": "刷单"}} for i in range(50)
]


@contextmanager
def files_capped_at(size: int):
    """No file of this process may grow past `size` bytes while inside."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_batch_the_disk_refuses_raises_and_leaves_nothing_behind(tmp_path):
    spool = Spool(tmp_path / "spool")
    with files_capped_at(64), pytest.raises(SpoolUnwritable) as raised:
        spool.write(ACTIONS)
    assert raised.value.path == spool.path
    assert "file too large" in raised.value.reason
    assert "WUZHA_SPOOL_DIR" in str(raised.value)
    assert spool.files() == [] and not list(spool.path.glob(".*"))  # no half batch, no temp


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_text("not a folder"), "not a directory"),  # the folder is a file
        (lambda p: None, None),  # a usable folder
    ],
)
def test_check_writable(tmp_path, make, reason):
    path = tmp_path / "spool"
    make(path)
    if reason is None:
        Spool(path).check_writable()
        assert list(path.iterdir()) == []  # the probe is gone
        return
    with pytest.raises(SpoolUnwritable) as raised:
        Spool(path).check_writable()
    assert raised.value.reason == reason


def test_the_writer_keeps_a_batch_the_spool_refused_and_stores_it_once_it_can(tmp_path):
    down = settings_with(
        elasticsearch_url=CLOSED_PORT, spool_dir=tmp_path / "spool", bulk_chunk_size=6
    )
    writer = BulkWriter(down, offline_retry_seconds=3600)
    flushed: list = []
    writer.on_flushed = flushed.extend
    writer.index_page(make_item(url="http://full.test/1"))  # 3 documents
    with files_capped_at(64), pytest.raises(SpoolUnwritable):
        writer.index_page(make_item(url="http://full.test/2"))  # fills the chunk: flush
    assert writer.unsaved == 6  # kept, not emptied before the write
    assert flushed == []  # nobody is told they are safe
    assert writer.stats["es/spooled"] == 0
    stats = writer.close()  # the disk has room again
    assert stats["es/spooled"] == 6 and stats["es/spool_pending"] == 6
    assert Spool(down.spool_path).pending() == 6
    assert len(flushed) == 6


def test_verdicts_kept_for_later_that_the_disk_refuses_raise_spool_unwritable(tmp_path):
    """Kept in <spool>/verdicts: a full disk there is the spool's problem, not a warning the
    closing sweep swallows."""
    from indexer.site_verdicts import PendingSweeps

    (tmp_path / "spool").write_text("")  # a file where the spool folder would be
    pending = PendingSweeps(tmp_path / "spool" / "verdicts")
    with pytest.raises(SpoolUnwritable) as caught:
        pending.write({"run_id": "r", "sweeps": {}})
    assert caught.value.reason == "not a directory"
