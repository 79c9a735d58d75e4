"""Pack validation: every problem is reported, naming the file and the rule id."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from rules.anchors import literal_anchors
from rules.loader import SCHEMA_PATH, RulePackError, check_packs, load_rules
from tests.rules.conftest import rule, write_pack


def problems_of(tmp_path, *rules):
    path = write_pack(tmp_path, list(rules))
    _, problems = check_packs([path])
    return path, [str(p) for p in problems]


def test_schema_is_a_valid_versioned_json_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": 2}


def test_a_good_pack_loads(tmp_path) -> None:
    path, problems = problems_of(tmp_path, rule())
    assert problems == []
    assert [r.id for r in load_rules([path])] == ["task_scam.test"]


@pytest.mark.parametrize(
    ("bad_rule", "message"),
    [
        (rule(level="urgent"), "level: 'urgent' is not one of"),
        (rule(match={"any": []}), "should be non-empty"),
        (rule(match={"any": ["刷单"], "all": ["返利"]}), "exactly one of"),
        (rule(match={"near": [["刷单"], ["返利"]]}), "'within' is a required property"),
        (rule(category="made_up", id="made_up.x"), "not in the taxonomy"),
        (rule("gambling.x", category="task_scam"), "start with 'task_scam.'"),
        (rule(match={"regex": "\\d+元"}), "no literal anchor"),
        (rule(match={"regex": "刷单(("}), "does not compile"),
        (rule(match={"regex": "刷單\\d+"}), "not in normalised form"),
        (rule(match={"at_least": 3, "of": ["刷单", "返利"]}), "only 2 distinct terms"),
        (rule(examples={"match": ["刷单"], "no_match": ["a", "b", "c"]}), "at least 3"),
        (rule(examples={"match": ["刷单"] * 3, "no_match": []}), "examples.no_match has 0"),
    ],
)
def test_validation_rejects(tmp_path, bad_rule, message: str) -> None:
    path, problems = problems_of(tmp_path, bad_rule)
    assert len(problems) >= 1
    assert any(message in p for p in problems), problems
    assert all(str(path) in p for p in problems)
    assert any(f"[{bad_rule['id']}]" in p for p in problems)


def test_duplicate_ids_across_files(tmp_path) -> None:
    write_pack(tmp_path, [rule()], name="a")
    write_pack(tmp_path, [rule()], name="b")
    _, problems = check_packs([tmp_path])
    assert len(problems) == 1
    assert "duplicate id" in str(problems[0]) and "a.yaml" in str(problems[0])


def test_broken_yaml_is_reported_not_raised(tmp_path) -> None:
    (tmp_path / "broken.yaml").write_text("rules: [unclosed", encoding="utf-8")
    _, problems = check_packs([tmp_path])
    assert "not valid YAML" in str(problems[0])


def test_load_rules_raises_a_user_error_listing_everything(tmp_path) -> None:
    path = write_pack(tmp_path, [rule(level="x"), rule("task_scam.two", match={"regex": "\\d+"})])
    with pytest.raises(RulePackError) as err:
        load_rules([path])
    assert len(err.value.problems) == 2
    assert "wuzha rules validate" in str(err.value)


@pytest.mark.parametrize(
    ("pattern", "anchors"),
    [
        ("日赚\\d+", {"日赚"}),
        ("刷单.{0,5}返利", {"刷单"}),
        ("(?:日|月)赚\\d+", {"日赚", "月赚"}),
        ("[日月]入\\d+", {"日入", "月入"}),
        ("(?:加|添加)微信", {"加微信", "添加微信"}),
        ("兼职(?:日结)?", {"兼职"}),
        ("\\d+元", None),
        ("a|bc", None),
        ("(?:刷单)?返", None),
    ],
)
def test_literal_anchors(pattern: str, anchors) -> None:
    found = literal_anchors(pattern)
    assert (set(found) if found else None) == anchors
