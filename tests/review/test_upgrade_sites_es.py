"""A sites index set up before site verdicts (sites mapping version 2), upgraded by
``wuzha es setup``: the site's risk and review decision stay, and a sweep's verdicts can be
recorded in ``site.compromise.*`` afterwards (the strict mapping would refuse them before)."""

from __future__ import annotations

import json

import pytest
from elasticsearch import BadRequestError

from ground import urls
from indexer import setup, templates
from indexer.client import connect
from indexer.site_verdicts import SiteSweep, record_sweep
from indexer.templates import alias_name, first_index_name
from sitecheck.verdict import Verdict
from tests.review.conftest import site, write

pytestmark = pytest.mark.elasticsearch


def version_2_mappings(tmp_path):
    """The mappings directory as it was before version 3 of sites (no site.compromise)."""
    old = tmp_path / "mappings-sites-v2"
    for folder in ("components", "indices"):
        (old / folder).mkdir(parents=True)
        for path in (templates.MAPPINGS_DIR / folder).glob("*.json"):
            body = json.loads(path.read_text(encoding="utf-8"))
            if folder == "indices" and path.stem == "sites":
                body["_meta"]["version"] = 2
                mappings = body["template"]["mappings"]
                mappings["_meta"]["version"] = 2
                del mappings["properties"]["site"]
            (old / folder / path.name).write_text(json.dumps(body), encoding="utf-8")
    return old


@pytest.fixture
def old_settings(es_settings, tmp_path):
    return es_settings.model_copy(
        update={
            "index_prefix": f"{es_settings.index_prefix}-upsites",
            "spool_dir": tmp_path / "spool",
        }
    )


def with_mappings(monkeypatch, directory) -> None:
    monkeypatch.setattr(templates, "MAPPINGS_DIR", directory)
    templates._load_dir_cached.cache_clear()
    setup.drop_cache()


def test_setup_upgrades_a_version_2_sites_index_and_verdicts_can_be_recorded(
    old_settings, tmp_path, monkeypatch
):
    settings = old_settings
    es = connect(settings)
    row = site("升级站点", "upgrade-sites.example.test")
    site_id = urls.site_id(row["url"])
    sites = alias_name(settings.index_prefix, "sites")
    record = Verdict("spam_injected", (row["url"],), "planted titles").to_record()
    current = templates.MAPPINGS_DIR
    try:
        # before the upgrade: version 2, a site with its risk and a reviewer's decision
        with_mappings(monkeypatch, version_2_mappings(tmp_path))
        setup.setup(settings, es)
        write(settings, es, sites=[(row, {"max_score": 80.0, "max_level": "high"})])
        es.update(index=sites, id=site_id, doc={"review": {"status": "confirmed", "by": "何审核"}})
        with pytest.raises(BadRequestError):  # the old strict mapping has no site.compromise
            es.update(
                index=sites, id=site_id, doc={"site": {"compromise": {"spam_injected": record}}}
            )

        # the upgrade
        with_mappings(monkeypatch, current)
        report = setup.setup(settings, es)
        assert report.changed
        index = first_index_name(settings.index_prefix, "sites")
        mapping = es.indices.get_mapping(index=index)[index]["mappings"]
        assert mapping["_meta"]["version"] == 3
        assert set(mapping["properties"]["site"]["properties"]["compromise"]["properties"]) == {
            "takeover_suspected",
            "spam_injected",
            "cloaking",
            "hijack_redirect",
        }
        result = record_sweep(
            es, settings, {site_id: SiteSweep([record], True)}, at="2026-12-01T02:00:00.000Z"
        )
        assert result.stats["verdicts/opened"] == 1
        kept = es.get(index=sites, id=site_id)["_source"]
        assert kept["review"] == {**kept["review"], "status": "confirmed", "by": "何审核"}
        assert kept["risk"]["max_level"] == "high"
        assert kept["site"]["compromise"]["spam_injected"]["state"] == "open"
        assert kept["site"]["name"] == "升级站点"
    finally:
        templates._load_dir_cached.cache_clear()
        setup.drop_cache()
        es.close()
