"""`setup` against the real server: creates, is idempotent, updates, refuses to downgrade."""

from __future__ import annotations

import pytest

from indexer import setup as setup_mod
from indexer import templates
from indexer.errors import NotSetUpError

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def own_prefix(es_settings, request):
    # A prefix of this test only (still under the session prefix, so the session cleans it up).
    setup_mod.drop_cache()
    return es_settings.model_copy(
        update={"index_prefix": f"{es_settings.index_prefix}-{request.node.name[:20].lower()}"}
    )


def test_setup_twice_second_run_unchanged(own_prefix, es_client):
    first = setup_mod.setup(own_prefix, es_client)
    assert first.count("created") == 16 and first.count("updated") == 0
    second = setup_mod.setup(own_prefix, es_client)
    assert second.count("unchanged") == 16 and not second.changed
    prefix = own_prefix.index_prefix
    for kind in templates.KINDS:
        alias = templates.alias_name(prefix, kind)
        info = es_client.indices.get_alias(name=alias).body
        assert info == {f"{alias}-000001": {"aliases": {alias: {"is_write_index": True}}}}


def test_setup_updates_a_changed_template_and_mapping(own_prefix, es_client):
    setup_mod.setup(own_prefix, es_client)
    prefix = own_prefix.index_prefix
    # Someone (an older wuzha) left a different body under the same version.
    name = f"{prefix}-url"
    es_client.cluster.put_component_template(
        name=name,
        template={
            "mappings": {"properties": {"url": {"properties": {"full": {"type": "keyword"}}}}}
        },
        meta={"version": 1, "checksum": "old"},
    )
    index = f"{prefix}-pages-000001"
    es_client.indices.put_mapping(index=index, meta={"version": 1, "mapping_checksum": "old"})
    report = setup_mod.setup(own_prefix, es_client)
    updated = {(what, n) for what, n, action, _ in report.steps if action == "updated"}
    assert ("component template", name) in updated
    assert ("index", index) in updated
    assert setup_mod.setup(own_prefix, es_client).changed is False


def test_setup_refuses_newer_templates(own_prefix, es_client):
    setup_mod.setup(own_prefix, es_client)
    name = f"{own_prefix.index_prefix}-hits"
    body = es_client.indices.get_index_template(name=name).body["index_templates"][0][
        "index_template"
    ]
    body["_meta"]["version"] = 99
    es_client.indices.put_index_template(
        name=name,
        index_patterns=body["index_patterns"],
        composed_of=body["composed_of"],
        priority=body["priority"],
        template=body["template"],
        meta=body["_meta"],
    )
    with pytest.raises(NotSetUpError, match="version 99, newer than"):
        setup_mod.setup(own_prefix, es_client)


def test_setup_refuses_a_concrete_index_in_the_alias_place(own_prefix, es_client):
    es_client.indices.create(index=f"{own_prefix.index_prefix}-sites")
    with pytest.raises(NotSetUpError, match="concrete index, not an alias"):
        setup_mod.setup(own_prefix, es_client)
