"""One page through the rule engine: its text, then the anchor texts of its off-site links, with
every hit and entity placed where a reviewer finds it (text, title, links; forum post).

The crawler's ScanPipeline and the retro-scan (``indexer/rescan.py``) both call
:func:`scan_page`, so a page scanned again gives the hits it gave when it was crawled. It lives
here, not in ``crawler/``, because the indexer never imports Scrapy.

Why links: the main text leaves link-dense blocks out (menus, friend links), and that is where
hacked sites carry planted link spam (暗链: 澳门赌场/百家乐/时时彩 anchors pointing off-site,
often in a ``display:none`` block). One engine call sees ``text + LINK_SEPARATOR + link_text``;
a hit or entity starting in the link part gets ``field: "links"`` and offsets into
``link_text`` (stored with the page as ``page.external_link_text``). Anchor texts already in the
main text (links inside paragraphs) are left out so no evidence counts twice.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from rules.explain import snippet

# A blank line between text and links, as between posts: a rule's evidence never runs across.
LINK_SEPARATOR = "\n\n"
# Link spam is a block of a few dozen anchors; these caps bound a hostile page's cost (each
# anchor is looked up in the text once) without cutting a real spam block.
MAX_EXTERNAL_ANCHORS = 300
MAX_LINK_TEXT_CHARS = 4_000


def external_link_text(links: Iterable[dict[str, Any]] | None, text: str) -> str:
    """The anchor texts of off-site links, one per line, each once, none already in `text`."""
    seen: set[str] = set()
    lines: list[str] = []
    size = 0
    external = 0
    for link in links or ():
        if link.get("internal", True):
            continue
        external += 1
        if external > MAX_EXTERNAL_ANCHORS:
            break
        anchor = (link.get("text") or "").strip()
        if not anchor or anchor in seen or anchor in text:
            continue
        size += len(anchor) + 1
        if size > MAX_LINK_TEXT_CHARS:
            break
        seen.add(anchor)
        lines.append(anchor)
    return "\n".join(lines)


def scan_page(
    engine: Any,
    text: str,
    *,
    title: str = "",
    url: str = "",
    link_text: str = "",
    posts: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """``engine.scan(...).to_dict()`` over text and link text, plus ``rule_fingerprint``;
    hits in a forum post carry its ``post_index``."""
    text = text or ""
    if link_text:
        result = engine.scan(f"{text}{LINK_SEPARATOR}{link_text}", title=title, url=url).to_dict()
        _place_link_evidence(result, text, link_text)
    else:
        result = engine.scan(text, title=title, url=url).to_dict()
    result["rule_fingerprint"] = engine.fingerprint
    attach_posts(result["hits"], posts)
    return result


def _place_link_evidence(result: dict[str, Any], text: str, link_text: str) -> None:
    """Offsets past the end of `text` move into `link_text` (``field: "links"``)."""
    end_of_text = len(text)
    offset = end_of_text + len(LINK_SEPARATOR)
    for hit in result["hits"]:
        if hit.get("field", "text") != "text":
            continue
        start, end = hit["start"], hit["end"]
        if start >= end_of_text:
            start = max(0, start - offset)
            end = max(start, min(end - offset, len(link_text)))
            hit.update(field="links", start=start, end=end, snippet=snippet(link_text, start, end))
        else:  # its snippet (or even its span) may reach into the links: cut from the text
            hit["end"] = min(end, end_of_text)
            hit["snippet"] = snippet(text, start, hit["end"])
    for entity in result["entities"]:
        if entity.get("field", "text") == "text" and entity["start"] >= end_of_text:
            entity["field"] = "links"
            entity["start"] = max(0, entity["start"] - offset)
            entity["end"] = max(entity["start"], entity["end"] - offset)


def attach_posts(hits: list[dict[str, Any]], posts: Iterable[dict[str, Any]]) -> None:
    """Give each hit the ``post_index`` of the forum post its start offset falls in (hits in the
    title or the links, ``field`` other than ``"text"``, belong to no post)."""
    ranged = sorted(
        (p for p in posts if isinstance(p.get("start"), int) and isinstance(p.get("end"), int)),
        key=lambda p: p["start"],
    )
    if not ranged:
        return
    starts = [p["start"] for p in ranged]
    for hit in hits:
        start = hit.get("start")
        if not isinstance(start, int) or hit.get("field", "text") != "text":
            continue
        slot = bisect.bisect_right(starts, start) - 1
        if slot >= 0 and start < ranged[slot]["end"]:
            hit["post_index"] = ranged[slot]["index"]
