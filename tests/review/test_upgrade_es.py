"""An index set up before pages were kept as blocks (pages mapping version 2), upgraded by
``wuzha es setup``: review decisions stay, old pages are retro-scanned from their stored text as
one paragraph block, new pages store their blocks."""

from __future__ import annotations

import json

import pytest

from ground import urls
from indexer import setup, templates
from indexer.client import connect
from indexer.documents import page_document
from indexer.rescan import rescan
from indexer.templates import alias_name, first_index_name
from pagemodel.model import page_from_html
from rules import load_engine
from tests.review.conftest import page_item, refresh, site, write

pytestmark = pytest.mark.elasticsearch

PREFIX_GROUP = "upgrade"
ADDED_IN_V3 = ("blocks", "hidden_text")
OLD_TEXT = "招人刷单返利，日结佣金，先垫付后返现，加微信 sd8899 详聊。"
NEW_HTML = (
    "<html><head><title>便民信息</title></head><body><p>滨江区便民服务信息。</p>"
    '<div style="display:none">百家乐在线开户 注册送88元彩金</div></body></html>'
)


def version_2_mappings(tmp_path):
    """The mappings directory as it was before version 3 (no page.blocks, no page.hidden_text)."""
    old = tmp_path / "mappings-v2"
    for folder in ("components", "indices"):
        (old / folder).mkdir(parents=True)
        for path in (templates.MAPPINGS_DIR / folder).glob("*.json"):
            body = json.loads(path.read_text(encoding="utf-8"))
            if folder == "indices" and path.stem == "pages":
                body["_meta"]["version"] = 2
                mappings = body["template"]["mappings"]
                mappings["_meta"]["version"] = 2
                for name in ADDED_IN_V3:
                    del mappings["properties"]["page"]["properties"][name]
            (old / folder / path.name).write_text(json.dumps(body), encoding="utf-8")
    return old


@pytest.fixture(scope="module")
def old_settings(es_settings, tmp_path_factory):
    return es_settings.model_copy(
        update={
            "index_prefix": f"{es_settings.index_prefix}-upgrade",
            "spool_dir": tmp_path_factory.mktemp("upgrade-spool"),
        }
    )


@pytest.fixture(scope="module")
def es_client(old_settings):
    client = connect(old_settings)
    yield client
    client.close()


def with_mappings(monkeypatch, directory) -> None:
    monkeypatch.setattr(templates, "MAPPINGS_DIR", directory)
    templates._load_dir_cached.cache_clear()
    setup.drop_cache()


def test_setup_upgrades_a_version_2_index_and_old_pages_rescan_as_one_paragraph(
    old_settings, es_client, tmp_path, monkeypatch
):
    settings, es = old_settings, es_client
    row = site("升级测试站", "upgrade.example.test")
    pages = alias_name(settings.index_prefix, "pages")
    old_id = urls.page_id("http://upgrade.example.test/old.html")

    # before the upgrade: version 2 mappings, a page written as that wuzha wrote it
    current = templates.MAPPINGS_DIR
    with_mappings(monkeypatch, version_2_mappings(tmp_path))
    setup.setup(settings, es)
    item = page_item(row, "/old.html", fetched_at="2026-10-01T02:00:00Z", text=OLD_TEXT)
    body = page_document(item).body
    for name in ADDED_IN_V3:
        body["page"].pop(name)
    body["review"] = {"status": "new"}
    es.index(index=pages, id=old_id, document=body, refresh=True)
    es.update(index=pages, id=old_id, doc={"review": {"status": "confirmed", "by": "何审核"}})
    refresh(es, settings)

    # the upgrade
    with_mappings(monkeypatch, current)
    report = setup.setup(settings, es)
    assert report.changed
    index = first_index_name(settings.index_prefix, "pages")
    mapping = es.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["_meta"]["version"] == 3
    assert set(ADDED_IN_V3) <= set(mapping["properties"]["page"]["properties"])
    kept = es.get(index=pages, id=old_id)["_source"]
    assert kept["review"]["status"] == "confirmed" and kept["review"]["by"] == "何审核"

    # a page of the new wuzha stores its blocks beside the old one
    new_url = "http://upgrade.example.test/new.html"
    new_item = page_item(row, "/new.html", fetched_at="2026-12-01T02:00:00Z")
    page = page_from_html(NEW_HTML, new_url)
    new_item.update(text=page.text, title=page.title, blocks=page.blocks)
    write(settings, es, items=[new_item])
    stored = es.get(index=pages, id=urls.page_id(new_url))["_source"]["page"]
    assert {b["kind"] for b in stored["blocks"]} >= {"paragraph", "hidden", "title"}
    assert "百家乐" in stored["hidden_text"]

    # the retro-scan reads the old page from its text, the new one from its blocks
    engine = load_engine()
    result = rescan(es, settings, engine=engine, site_ids=[urls.site_id(row["url"])])
    refresh(es, settings)
    assert result.pages == 2
    hits = es.search(
        index=alias_name(settings.index_prefix, "hits"),
        query={"term": {"page_id": old_id}},
        size=50,
    )["hits"]["hits"]
    assert hits and {h["_source"]["hit"]["field"] for h in hits} == {"paragraph"}
    rescanned = es.get(index=pages, id=old_id)["_source"]
    assert rescanned["scan"]["level"] in ("high", "medium")
    assert rescanned["review"]["status"] == "confirmed"
    new_hits = es.search(
        index=alias_name(settings.index_prefix, "hits"),
        query={"term": {"page_id": urls.page_id(new_url)}},
        size=50,
    )["hits"]["hits"]
    assert "hidden" in {h["_source"]["hit"]["field"] for h in new_hits}
