"""Every field the Kibana saved objects use exists in the mappings, with a type that fits."""

from __future__ import annotations

import json
import re

import pytest

from indexer import templates
from indexer.kibana import KIBANA_DIR, load_objects, object_files

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"}
AGGREGATABLE = NUMERIC | {"keyword", "date", "boolean", "ip"}
OPERATION_TYPES = {
    "terms": AGGREGATABLE - {"date"},
    "date_histogram": {"date"},
    "max": NUMERIC | {"date"},
    "min": NUMERIC | {"date"},
    "sum": NUMERIC,
    "average": NUMERIC,
    "median": NUMERIC,
    "unique_count": AGGREGATABLE,
    "last_value": AGGREGATABLE,
}
# field name before a KQL operator; quoted values and parenthesised value lists are skipped
KQL_FIELD = re.compile(r'(?<![\w."@*])(@?[A-Za-z_][\w.]*)\s*(:|>=|<=|>|<)')

OBJECTS = load_objects(object_files())
BY_ID = {o["id"]: o for o in OBJECTS}
DATA_VIEWS = {o["id"]: o for o in OBJECTS if o["type"] == "index-pattern"}


def kind_of(data_view_id: str) -> str:
    title = DATA_VIEWS[data_view_id]["attributes"]["title"]
    assert title.startswith("wuzha-"), title
    return title.removeprefix("wuzha-")


def types_for(data_view_id: str) -> dict[str, str]:
    return templates.field_types(kind_of(data_view_id))


def kql_fields(query: str) -> list[tuple[str, str]]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    return KQL_FIELD.findall(without_strings)


def check_kql(query: str, types: dict[str, str], where: str) -> None:
    for field, op in kql_fields(query):
        assert field in types, f"{where}: query field {field!r} is not mapped"
        if op != ":":
            assert types[field] in NUMERIC | {"date"}, f"{where}: range on {field} ({types[field]})"
        else:
            assert types[field] != "object", f"{where}: {field} is an object"


def test_objects_parse_and_ids_are_unique():
    assert len(BY_ID) == len(OBJECTS)
    kinds = {o["type"] for o in OBJECTS}
    assert {"index-pattern", "search", "lens", "dashboard"} <= kinds
    for path in object_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["id"].startswith("wuzha-")


def test_a_data_view_per_index_kind_with_a_date_time_field():
    assert sorted(kind_of(i) for i in DATA_VIEWS) == ["crawls", "hits", "pages", "sites"]
    for dv_id, dv in DATA_VIEWS.items():
        time_field = dv["attributes"]["timeFieldName"]
        assert types_for(dv_id).get(time_field) == "date", (dv_id, time_field)


def test_every_reference_resolves_to_an_object_in_the_files():
    for obj in OBJECTS:
        for ref in obj.get("references", []):
            target = BY_ID.get(ref["id"])
            assert target is not None, f"{obj['id']} references missing {ref['id']}"
            assert target["type"] == ref["type"], (obj["id"], ref)


@pytest.mark.parametrize(
    "obj", [o for o in OBJECTS if o["type"] == "search"], ids=lambda o: o["id"]
)
def test_saved_search_fields_are_mapped(obj):
    (ref,) = obj["references"]
    types = types_for(ref["id"])
    for column in obj["attributes"]["columns"]:
        assert column in types, f"{obj['id']}: column {column!r} is not mapped"
    for field, _direction in obj["attributes"]["sort"]:
        assert types.get(field) in AGGREGATABLE, f"{obj['id']}: cannot sort on {field!r}"
    source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"]["language"] == "kuery"
    check_kql(source["query"]["query"], types, obj["id"])


@pytest.mark.parametrize("obj", [o for o in OBJECTS if o["type"] == "lens"], ids=lambda o: o["id"])
def test_lens_columns_use_aggregatable_fields_of_the_right_type(obj):
    state = obj["attributes"]["state"]
    layers = state["datasourceStates"]["formBased"]["layers"]
    refs = {r["name"]: r["id"] for r in obj["references"]}
    for layer_id, layer in layers.items():
        types = types_for(refs[f"indexpattern-datasource-layer-{layer_id}"])
        assert set(layer["columnOrder"]) == set(layer["columns"])
        for column_id, column in layer["columns"].items():
            op = column["operationType"]
            if op == "count":
                continue
            field = column["sourceField"]
            assert field in types, f"{obj['id']}/{column_id}: {field!r} is not mapped"
            assert types[field] in OPERATION_TYPES[op], (
                f"{obj['id']}/{column_id}: {op} on {field} ({types[field]})"
            )
        check_kql(state["query"]["query"], types, obj["id"])


def test_dashboard_panels_point_at_the_visualisations_and_searches():
    (dashboard,) = [o for o in OBJECTS if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {r["name"]: r for r in dashboard["references"]}
    titles = []
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        titles.append(BY_ID[ref["id"]]["attributes"]["title"])
    for wanted in ("by category", "top sites", "backlog", "several sites", "crawl health"):
        assert any(wanted in t for t in titles), wanted


def test_kql_field_extraction_reads_ranges_and_skips_values():
    assert kql_fields('a.b:(x or y) and not c:false and d >= "now/w"') == [
        ("a.b", ":"),
        ("c", ":"),
        ("d", ">="),
    ]


def test_saved_searches_the_issue_names_exist():
    titles = " ".join(o["attributes"]["title"] for o in OBJECTS if o["type"] == "search")
    for wanted in (
        "unreviewed high-risk",
        "takedown candidates this week",
        "recurred",
        "open site verdicts",
    ):
        assert wanted in titles
    assert KIBANA_DIR.joinpath("docker-compose.yml").exists()


def test_the_open_verdicts_search_covers_every_verdict_kind():
    from sitecheck.verdict import KINDS

    search = BY_ID["wuzha-search-open-verdicts"]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    fields = [field for field, _op in kql_fields(source["query"]["query"])]
    assert fields == [f"site.compromise.{kind}.state" for kind in KINDS]
    assert source["query"]["query"].count(":open") == len(KINDS)
