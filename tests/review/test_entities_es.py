"""Contact ids across sites, from pages indexed through the indexer's writer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ground.errors import WuzhaError
from indexer.entity_queries import resolve_types, shared_entities
from tests.review.conftest import page_item, site, write

pytestmark = pytest.mark.elasticsearch
PREFIX_GROUP = "entities"

S1, S2, S3 = (site(f"联系方式站{i}", f"ent{i}.example.test") for i in (1, 2, 3))


def ent(kind, value):
    return {"type": kind, "value": value, "start": 0, "end": 1}


@pytest.fixture(scope="module")
def seeded(rv_settings, es):
    items = [
        page_item(
            S1,
            "/1.html",
            fetched_at="2026-10-01T00:00:00Z",
            level="low",
            score=5.0,
            entities=[
                ent("wechat", "lw8866"),
                ent("phone", "13800138000"),
                ent("url", "http://x.test/"),
            ],
        ),
        page_item(
            S1,
            "/2.html",
            fetched_at="2026-10-02T00:00:00Z",
            level="low",
            score=5.0,
            entities=[ent("wechat", "lw8866")],
        ),
        page_item(
            S2,
            "/1.html",
            fetched_at="2026-10-03T00:00:00Z",
            level="low",
            score=5.0,
            entities=[
                ent("wechat", "lw8866"),
                ent("usdt_trc20", "TXYZ1234567890123456789012345678ab"),
                ent("url", "http://x.test/"),
            ],
        ),
        page_item(
            S3,
            "/1.html",
            fetched_at="2026-10-04T00:00:00Z",
            level="low",
            score=5.0,
            entities=[
                ent("wechat", "lw8866"),
                ent("usdt_trc20", "TXYZ1234567890123456789012345678ab"),
                ent("phone", "13800138000"),
                ent("qq", "2837461920"),
            ],
        ),
    ]
    write(rv_settings, es, items=items, sites=[(s, None) for s in (S1, S2, S3)])
    return rv_settings


def test_identifiers_on_two_or_more_sites(seeded, es):
    found = shared_entities(es, seeded, min_sites=2)
    assert [(e.type, e.value, e.site_count, e.page_count) for e in found] == [
        ("wechat", "lw8866", 3, 4),
        ("phone", "13800138000", 2, 2),
        ("usdt_trc20", "TXYZ1234567890123456789012345678ab", 2, 2),
    ]
    wechat = found[0]
    by_domain = {s.domain: s for s in wechat.sites}
    assert set(by_domain) == {"ent1.example.test", "ent2.example.test", "ent3.example.test"}
    assert by_domain["ent1.example.test"].pages == 2
    assert by_domain["ent1.example.test"].example_url == "http://ent1.example.test/2.html"  # newest


def test_min_sites_and_types(seeded, es):
    assert [e.value for e in shared_entities(es, seeded, min_sites=3)] == ["lw8866"]
    assert [e.type for e in shared_entities(es, seeded, types=["usdt"])] == ["usdt_trc20"]
    assert [e.value for e in shared_entities(es, seeded, min_sites=1, types=["qq"])] == [
        "2837461920"
    ]
    assert resolve_types(["wallet", "phone"]) == ("usdt_trc20", "usdt_erc20", "phone")
    with pytest.raises(WuzhaError, match="Unknown entity type 'url'"):
        resolve_types(["url"])


def test_cli_json(seeded, monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.setenv("WUZHA_INDEX_PREFIX", seeded.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", seeded.elasticsearch_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["entities", "--min-sites", "2", "--json"])
        table = CliRunner().invoke(cli, ["entities", "--min-sites", "2", "--type", "wechat"])
        zero = CliRunner().invoke(cli, ["entities", "--min-sites", "0"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["value"] == "lw8866" and len(lines[0]["sites"]) == 3
    assert table.exit_code == 0 and "lw8866" in table.output and "1 identifier(s)" in table.output
    assert str(zero.exception) == "--min-sites must be 1 or more."
