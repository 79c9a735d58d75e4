from __future__ import annotations

import pytest

from ground.settings import settings_with
from wuzha import localsearch


def test_status_without_any_server_says_none_configured(tmp_path):
    settings = settings_with(elasticsearch_url=None, state_dir=tmp_path)
    assert localsearch.status(settings) == {"url": None, "source": None, "health": None}


def test_elasticsearch_url_wins_over_local_server(tmp_path):
    settings = settings_with(elasticsearch_url="http://127.0.0.1:1", state_dir=tmp_path)
    info = localsearch.status(settings)
    assert info["url"] == "http://127.0.0.1:1"
    assert info["source"] == "ELASTICSEARCH_URL"
    assert info["health"] is None


def test_local_url_ignores_stale_state_file(tmp_path):
    settings = settings_with(state_dir=tmp_path)
    server = localsearch.LocalServer.from_settings(settings)
    server.home.mkdir(parents=True)
    server.state_file.write_text('{"url": "http://127.0.0.1:9", "pid": 999999999}')
    assert localsearch.local_url(settings) is None


@pytest.mark.elasticsearch
def test_running_server_reports_health(es_url):
    assert localsearch.health(es_url)["status"] in ("green", "yellow")
