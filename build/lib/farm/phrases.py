"""The farm's phrase banks (YAML data files in ``farm/data``), loaded once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed ``farm/data/<name>.yaml``."""
    text = resources.files("farm").joinpath("data", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def fraud() -> dict[str, Any]:
    return load("fraud")


def benign() -> dict[str, Any]:
    return load("benign")


def site() -> dict[str, Any]:
    return load("site")


FRAUD_CATEGORIES: tuple[str, ...] = (
    "task_scam",
    "fake_investment",
    "fake_loan",
    "fake_customer_service",
    "impersonate_authority",
    "fake_credit_repair",
    "game_trade_scam",
    "romance_scam",
    "impersonate_acquaintance",
    "card_trading",
    "money_laundering",
    "gambling",
    "fake_shopping",
)
