"""Shared fixtures: real services (Elasticsearch, Redis, Chromium), never mocks.

Tests that need a service carry a marker (`elasticsearch`, `redis`, `chromium`). When the
service is missing they are skipped on a developer's machine and *fail* under CI=true, so a CI
run can never pass by skipping its integration tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from ground.settings import get_settings, settings_with
from indexer.client import configured_url
from indexer.localstate import health

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(what: str, how: str) -> None:
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(message + " (CI=true: integration tests must not skip)", pytrace=False)
    pytest.skip(message)


def elasticsearch_url() -> str | None:
    settings = get_settings()
    return configured_url(settings)


@pytest.fixture(scope="session")
def es_url() -> str:
    url = elasticsearch_url()
    if not url or not health(url):
        _missing("Elasticsearch", "set ELASTICSEARCH_URL or run `wuzha es up`")
    return url


def _delete_prefix(es_url: str, prefix: str) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=30)
    client.options(ignore_status=404).indices.delete(index=f"{prefix}*", expand_wildcards="all")
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}*")
    client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}*")
    client.close()


def _settings_for_prefix(es_url: str, spool_dir: Path):
    prefix = f"wuzhatest-{uuid.uuid4().hex[:8]}"
    return settings_with(elasticsearch_url=es_url, index_prefix=prefix, spool_dir=spool_dir)


@pytest.fixture(scope="session")
def es_settings(es_url, tmp_path_factory):
    """Settings pointing at the test cluster, with an index prefix of this test session only.

    Shared by every test of the session: assert on your own documents, not on index totals
    (use ``es_isolated_settings`` for that)."""
    settings = _settings_for_prefix(es_url, tmp_path_factory.mktemp("spool"))
    yield settings
    _delete_prefix(es_url, settings.index_prefix)


@pytest.fixture
def es_isolated_settings(es_url, tmp_path):
    """Like ``es_settings``, but with indices of this one test only (slower: own set-up)."""
    settings = _settings_for_prefix(es_url, tmp_path / "spool")
    yield settings
    _delete_prefix(es_url, settings.index_prefix)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("WUZHA_TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        _missing("Redis", "set WUZHA_TEST_REDIS_URL (scripts/test.sh starts a redis-server)")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        _missing("Redis", f"{url} did not answer ({err})")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    path = Path(os.environ.get("WUZHA_CHROMIUM_PATH", "/usr/bin/chromium"))
    if not path.exists() and not shutil.which(str(path)):
        _missing("Chromium", "apt-get install chromium")
    return path


def pytest_collection_modifyitems(config, items):
    # A marker alone makes a test depend on its service, so nobody forgets the fixture.
    needs = {"elasticsearch": "es_url", "redis": "redis_url", "chromium": "chromium_path"}
    for item in items:
        for marker, fixture in needs.items():
            if item.get_closest_marker(marker) and fixture not in item.fixturenames:
                item.fixturenames.append(fixture)
