"""Elements by tag in one walk of the tree, instead of one CSS query per purpose.

lexbor matches every element against every selector of a list, and selectolax parses a
selector on each query: a list of 35 tag names costs more than walking the tree once in
Python and sorting its elements by their tag id (an int, read in C). :func:`by_tag` fills
several lists in that one walk, each in document order, as the queries would.
"""

from __future__ import annotations

from collections.abc import Iterable

from selectolax.lexbor import LexborNode, create_tag


def tag_ids(names: Iterable[str]) -> frozenset[int]:
    """lexbor's ids of the (standard HTML) tag names."""
    return frozenset(create_tag(name).tag_id for name in names)


def by_tag(root: LexborNode, wanted: dict[int, list[LexborNode]]) -> None:
    """Append each element under ``root`` (itself included) to the list of its tag id in
    ``wanted``, in document order. Lists may be shared by several ids."""
    get = wanted.get
    for node in root.traverse():
        bucket = get(node.tag_id)
        if bucket is not None:
            bucket.append(node)
