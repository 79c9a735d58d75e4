"""`wuzha es setup` and `wuzha es replay` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from indexer.spool import Spool

pytestmark = pytest.mark.elasticsearch


def wuzha(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from wuzha.cli import main; main()", *args],
        env=dict(os.environ, COLUMNS="160", **env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_es_setup_reports_created_then_unchanged(es_settings, es_url):
    env = {"ELASTICSEARCH_URL": es_url, "WUZHA_INDEX_PREFIX": f"{es_settings.index_prefix}-cli"}
    first = wuzha("es", "setup", **env)
    assert first.returncode == 0, first.stderr
    assert "Set-up complete: 16 created, 0 updated, 0 unchanged." in first.stdout
    second = wuzha("es", "setup", **env)
    assert "Set-up complete: 0 created, 0 updated, 16 unchanged." in second.stdout


def test_es_replay(es_settings, es_url, tmp_path):
    env = {
        "ELASTICSEARCH_URL": es_url,
        "WUZHA_INDEX_PREFIX": es_settings.index_prefix,
        "WUZHA_SPOOL_DIR": str(tmp_path),
    }
    empty = wuzha("es", "replay", **env)
    assert empty.returncode == 0 and "Nothing to replay" in empty.stdout
    Spool(tmp_path).write(
        [
            {
                "_op_type": "index",
                "_index": f"{es_settings.index_prefix}-crawls",
                "_id": "cli-replay",
                "_source": {"crawl": {"run_id": "cli-replay"}},
            }
        ]
    )
    down = wuzha("es", "replay", **dict(env, ELASTICSEARCH_URL="http://127.0.0.1:9"))
    assert down.returncode == 2 and "connection refused" in down.stderr
    assert Spool(tmp_path).pending() == 1
    done = wuzha("es", "replay", **env)
    assert done.returncode == 0, done.stderr
    assert "Replayed 1 document(s) from 1 file(s); 0 still spooled." in done.stdout
