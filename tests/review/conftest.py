"""Fixtures for review/export/retro-scan tests: an index prefix per test module, and seeding
through the indexer's own documents and writer (the way the crawler writes)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from indexer.client import connect
from indexer.setup import setup
from indexer.templates import KINDS, alias_name
from indexer.writer import BulkWriter

_prepared: dict[str, object] = {}


@pytest.fixture(scope="module")
def rv_settings(es_settings, request, tmp_path_factory):
    """Settings with an index prefix of this test group (inside the session prefix, so the
    session fixture cleans it up). Modules that check exact results (the export) set
    ``PREFIX_GROUP`` so only data seeded for them is there; the others share one group, which
    saves creating indices again (slow on a loaded 2-core machine)."""
    group = getattr(request.module, "PREFIX_GROUP", "shared")
    if group not in _prepared:
        tag = hashlib.sha1(group.encode()).hexdigest()[:6]
        settings = es_settings.model_copy(
            update={
                "index_prefix": f"{es_settings.index_prefix}-rv{tag}",
                "spool_dir": tmp_path_factory.mktemp("rv-spool"),
            }
        )
        setup(settings)
        _prepared[group] = settings
    return _prepared[group]


@pytest.fixture(scope="module")
def es(rv_settings):
    client = connect(rv_settings)
    yield client
    client.close()


def refresh(client, settings) -> None:
    client.indices.refresh(index=[alias_name(settings.index_prefix, k) for k in KINDS])


def site(name: str, host: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": None,
        "name": name,
        "url": f"http://{host}/",
        "domain": host.split(":")[0],
        "icp": extra.pop("icp", f"京ICP备{abs(hash(host)) % 10**8:08d}号"),
        "district": extra.pop("district", "海淀区"),
        "type": "论坛",
        "owner": extra.pop("owner", f"{name}运营公司"),
        "render_js": False,
    }
    row.update(extra)
    return row


def hit(
    rule_id: str, category: str, level: str, snippet: str, weight: float = 40.0, start: int = 0
) -> dict[str, Any]:
    return {
        "rule_id": rule_id,
        "rule_version": 1,
        "category": category,
        "title": rule_id,
        "level": level,
        "weight": weight,
        "matched": [snippet[:4]],
        "start": start,
        "end": start + 4,
        "snippet": snippet,
    }


def page_item(
    site_row: dict,
    path: str,
    *,
    fetched_at: str,
    level: str = "high",
    score: float = 80.0,
    hits: list[dict] | None = None,
    entities: list[dict] | None = None,
    text: str = "页面正文",
    title: str = "标题",
) -> dict[str, Any]:
    hits = hits if hits is not None else []
    return copy.deepcopy(
        {
            "url": site_row["url"].rstrip("/") + path,
            "original_url": site_row["url"].rstrip("/") + path,
            "run_id": "run-" + fetched_at[:10],
            "site": site_row,
            "status": 200,
            "fetched_at": fetched_at,
            "depth": 1,
            "rendered": False,
            "charset": "utf-8",
            "charset_source": "header",
            "title": title,
            "text": text,
            "description": "",
            "keywords": [],
            "icp": site_row.get("icp"),
            "links": [],
            "apk_links": [],
            "qr_images": [],
            "forum": None,
            "posts": [],
            "content_hash": hashlib.sha1(text.encode()).hexdigest(),
            "scan": {
                "score": score,
                "level": level,
                "categories": sorted({h["category"] for h in hits}),
                "hits": hits,
                "entities": entities or [],
                "context": [],
                "reasons": [],
                "rule_fingerprint": "fp-seed",
            },
        }
    )


def write(settings, client, items=(), sites=()) -> dict[str, int]:
    """Index pages (with their hits) and sites through the indexer's BulkWriter, then refresh."""
    with BulkWriter(settings, client) as writer:
        for row, risk in sites:
            writer.upsert_site(row, risk)
        for item in items:
            writer.index_page(item)
    refresh(client, settings)
    return dict(writer.stats)


def cli_runner(monkeypatch, settings):
    """A function that runs `wuzha ARGS…` (in this process) against the test's indices."""
    from click.testing import CliRunner

    from ground.settings import get_settings
    from wuzha.cli import cli

    monkeypatch.setenv("WUZHA_INDEX_PREFIX", settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", settings.elasticsearch_url)

    def run(args: list[str]):
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(cli, args)
        finally:
            get_settings.cache_clear()

    return run
