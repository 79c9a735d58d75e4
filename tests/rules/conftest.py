"""Helpers to build engines from rules written inline (engine tests do not depend on packs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.engine import Engine
from rules.loader import load_rules

NO_MATCH = ["今天天气很好。", "我们去公园散步吧。", "这家餐厅的菜很好吃。"]


def rule(rule_id: str = "task_scam.test", match: Any = None, **extra: Any) -> dict[str, Any]:
    data = {
        "id": rule_id,
        "version": 1,
        "title": "测试规则",
        "category": rule_id.split(".")[0],
        "level": "high",
        "description": "inline test rule",
        "false_positives": [],
        "match": match or {"any": ["刷单"]},
        "examples": {"match": ["刷单"] * 3, "no_match": NO_MATCH},
    }
    data.update(extra)
    return data


def write_pack(directory: Path, rules: list[dict[str, Any]], name: str = "test") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump({"schema_version": 2, "pack": name, "rules": rules}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def make_engine(tmp_path):
    counter = iter(range(1000))

    def build(*rules: dict[str, Any]) -> Engine:
        path = write_pack(tmp_path / f"packs{next(counter)}", list(rules))
        return Engine(load_rules([path]))

    return build


def assert_flagged_under(text: str, category: str) -> None:
    """The shipped engine flags ``text`` (high or medium) with ``category`` first."""
    from rules import load_engine

    result = load_engine().scan(text)
    assert result.level in ("high", "medium"), result.reasons
    assert result.categories[0] == category


def assert_quiet(text: str) -> None:
    """The shipped engine does not flag ``text``."""
    from rules import load_engine

    result = load_engine().scan(text)
    assert result.level not in ("high", "medium"), result.reasons
