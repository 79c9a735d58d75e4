"""Which extracted entity types identify someone (a contact or a money route) and which only
describe a page.

A phone number, QQ, WeChat, Telegram, bank card, USDT wallet or APK download on a page is
evidence worth a reviewer's look on its own; a URL or the site's ICP filing number is on nearly
every page (every footer carries the ICP number) and says nothing by itself. The crawler's result
files and report decide what a "finding" is from this set; keep it the one place that says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

IDENTIFYING_ENTITY_TYPES: frozenset[str] = frozenset(
    {
        "phone",
        "qq",
        "qq_group",
        "wechat",
        "telegram",
        "bank_card",
        "usdt_trc20",
        "usdt_erc20",
        "apk",
    }
)
#: Entity types that only describe a page (kept with a finding, never a reason for one).
DESCRIPTIVE_ENTITY_TYPES: frozenset[str] = frozenset({"url", "icp"})


def has_identifying_entity(entities: Iterable[dict[str, Any]] | None) -> bool:
    """True when any entity (``{"type": …}`` dicts, as in ``ScanResult.to_dict()``) identifies."""
    return any(
        isinstance(entity, dict) and entity.get("type") in IDENTIFYING_ENTITY_TYPES
        for entity in entities or ()
    )
