"""One page through the rule engine, block by block: every hit and entity carries the kind of
the block that holds it (``field``) and offsets into the page text; a hit in a forum post carries
the post's ``post_index``.

The crawler's ScanPipeline, the retro-scan (``indexer/rescan.py``) and ``wuzha rules scan`` all
call :func:`scan_page` on a :class:`pagemodel.model.Page`, so a page scanned again, or explained
to an operator, gives the hits the sweep gave.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from ground.blocks import BlockKind
from pagemodel.model import Page


def scan_page(engine: Any, page: Page) -> dict[str, Any]:
    """``engine.scan_blocks(page.blocks).to_dict()`` plus ``rule_fingerprint``; hits in a
    forum post carry its ``post_index``."""
    result = engine.scan_blocks(page.blocks, url=page.url).to_dict()
    result["rule_fingerprint"] = engine.fingerprint
    attach_posts(result["hits"], page.posts)
    return result


def attach_posts(hits: list[dict[str, Any]], posts: Iterable[dict[str, Any]]) -> None:
    """Give each hit in a post block the ``post_index`` of the forum post its start offset falls
    in (posts' ``start``/``end`` are offsets into the main text, which the page text begins
    with)."""
    ranged = sorted(
        (p for p in posts if isinstance(p.get("start"), int) and isinstance(p.get("end"), int)),
        key=lambda p: p["start"],
    )
    if not ranged:
        return
    starts = [p["start"] for p in ranged]
    for hit in hits:
        start = hit.get("start")
        if not isinstance(start, int) or hit.get("field") != BlockKind.POST:
            continue
        slot = bisect.bisect_right(starts, start) - 1
        if slot >= 0 and start < ranged[slot]["end"]:
            hit["post_index"] = ranged[slot]["index"]
