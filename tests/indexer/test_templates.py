"""The mapping files: valid, versioned, strict, and free of types the integ-test server lacks."""

from __future__ import annotations

import pytest

from indexer import templates

# Field types available on every 8.x/9.x server, including the integ-test distribution
# (no mapper-extras: no match_only_text/scaled_float; no x-pack wildcard/constant_keyword).
PORTABLE_TYPES = {
    "keyword",
    "text",
    "date",
    "long",
    "integer",
    "float",
    "boolean",
    "object",
    "nested",
}


@pytest.mark.parametrize("kind", templates.KINDS)
def test_index_template_shape(kind):
    body = templates.index_templates("wuzha")[f"wuzha-{kind}"]
    assert body["index_patterns"] == [f"wuzha-{kind}-*"]
    assert templates.template_version(body) >= 1
    mappings = body["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    assert mappings["date_detection"] is False
    assert mappings["_meta"]["version"] == body["_meta"]["version"]
    components = templates.component_templates("wuzha")
    assert all(name in components for name in body["composed_of"])


def test_component_templates_are_versioned():
    for name, body in templates.component_templates("wuzha").items():
        assert templates.template_version(body) >= 1, name
        assert "{prefix}" not in str(body)


@pytest.mark.parametrize("kind", templates.KINDS)
def test_only_portable_field_types(kind):
    types = set(templates.field_types(kind).values())
    assert types <= PORTABLE_TYPES, types - PORTABLE_TYPES


@pytest.mark.parametrize(
    ("kind", "field", "type_"),
    [
        ("pages", "@timestamp", "date"),
        ("pages", "url.full", "keyword"),
        ("pages", "url.full.text", "text"),
        ("pages", "url.domain", "keyword"),
        ("pages", "http.response.status_code", "long"),
        ("pages", "event.created", "date"),
        ("pages", "page.title", "text"),
        ("pages", "page.title.keyword", "keyword"),
        ("pages", "page.text", "text"),
        ("pages", "entities", "nested"),
        ("pages", "entities.value", "keyword"),
        ("pages", "entity_keys", "keyword"),
        ("pages", "scan.level", "keyword"),
        ("pages", "review.status", "keyword"),
        ("pages", "review.at", "date"),
        ("hits", "rule.id", "keyword"),
        ("hits", "hit.snippet", "text"),
        ("hits", "post.index", "integer"),
        ("hits", "first_seen", "date"),
        ("sites", "site.name", "keyword"),
        ("sites", "site.name.text", "text"),
        ("sites", "risk.max_score", "float"),
        ("sites", "risk.fraud_first_seen", "date"),
        ("crawls", "crawl.started", "date"),
        ("review-log", "target.id", "keyword"),
        ("review-log", "review.previous_status", "keyword"),
    ],
)
def test_field_types(kind, field, type_):
    assert templates.field_types(kind)[field] == type_


def test_prefix_is_substituted():
    bodies = templates.index_templates("other")
    assert set(bodies) == {f"other-{k}" for k in templates.KINDS}
    assert bodies["other-pages"]["composed_of"][0].startswith("other-")
