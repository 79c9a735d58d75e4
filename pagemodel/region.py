"""The article region: which of a page's remaining lines are its main content.

After boilerplate is harvested, pages still carry chrome that no class name betrays: login and
menu labels, tickers, blog sidebars and author boxes, player controls, reply lists. On an
article page the text that matters sits in one container — the element whose paragraphs hold
the prose (punctuated sentences) — so, in the manner of readability: the parents and
grandparents of ``<p>``/``<br>`` (and ``<article>``/``<main>``) are the candidates, each line's
prose score goes to its innermost candidate and half of it to that one's parent candidate, and
the best candidate, with its siblings that hold prose too, is the region. The page's main
heading and the few lines between it and the region (byline, date) are kept with it.

A page whose best candidate holds less than half the prose is no article (a home page, a list,
a board): all its lines stay content. Everything is decided on the line stream of
:func:`pagemodel.maintext.content_stream`; the tree is only touched to find the candidates.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from pagemodel.maintext import Line

CANDIDATE_SOURCES = "p, br, pre"
CANDIDATE_TAGS = "article, main, [itemprop=articleBody]"
MAX_CANDIDATES = 400
# Sentence punctuation: prose has it, menus and labels do not.
_NO_PUNCTUATION = str.maketrans("", "", "，。！？；：、,;!?")
MIN_PROSE_CHARS = 20
# Below this the page has no article worth cutting to (a few short lines).
MIN_ARTICLE_SCORE = 6.0
# The region's share of the page's prose below which the page is no article.
MIN_ARTICLE_SHARE = 0.5
# A sibling candidate joins the region when its score is this share of the best one's.
SIBLING_SHARE = 0.2
# Lines between the main heading and the region kept with it (byline, date, source).
MAX_HEADING_GAP = 6


def candidates(body: LexborNode) -> list[LexborNode]:
    """Parents and grandparents of paragraphs and line breaks, and article elements; in no
    particular order, each once."""
    found: dict[int, LexborNode] = {}
    for node in body.css(CANDIDATE_SOURCES):
        parent = node.parent
        for _ in range(2):
            if parent is None or parent.tag in ("body", "html"):
                break
            found.setdefault(parent.mem_id, parent)
            parent = parent.parent
        if len(found) >= MAX_CANDIDATES:
            break
    for node in body.css(CANDIDATE_TAGS):
        found.setdefault(node.mem_id, node)
    return list(found.values())


def prose_score(line: str) -> float:
    if len(line) < MIN_PROSE_CHARS:
        return 0.0
    punctuation = len(line) - len(line.translate(_NO_PUNCTUATION))
    if not punctuation:
        return 0.0
    return 1.0 + punctuation + min(len(line) / 100, 3.0)


def article_region(lines: list[Line], headings: set[str]) -> tuple[int, int] | None:
    """``(first, last)`` line indexes of the article region, or None when the page is no article.

    ``headings``: the texts of the page's ``h1`` (its main heading), kept with the region when
    they come shortly before it."""
    scores = [prose_score(line.text) if line.group is None else 0.0 for line in lines]
    total = sum(scores)
    if total < MIN_ARTICLE_SCORE:
        return None
    direct: dict[int, float] = {}
    parent: dict[int, int | None] = {}
    span: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        stack = line.candidates
        for depth, number in enumerate(stack):
            if number not in parent:
                parent[number] = stack[depth - 1] if depth else None
            bounds = span.setdefault(number, [index, index])
            bounds[1] = index
        if stack and scores[index]:
            direct[stack[-1]] = direct.get(stack[-1], 0.0) + scores[index]
    if not direct:
        return None
    score = dict(direct)
    for number, value in direct.items():
        up = parent.get(number)
        if up is not None:
            score[up] = score.get(up, 0.0) + value / 2
    best = max(score, key=score.__getitem__)
    first, last = span[best]
    # Siblings (same parent candidate, or both at the top) that hold prose too.
    bar = SIBLING_SHARE * score[best]
    for number, value in score.items():
        if number != best and parent.get(number) == parent.get(best) and value >= bar:
            first = min(first, span[number][0])
            last = max(last, span[number][1])
    region_prose = sum(scores[first : last + 1])
    if region_prose < MIN_ARTICLE_SHARE * total:
        return None
    for index in range(first - 1, max(-1, first - 1 - MAX_HEADING_GAP), -1):
        if lines[index].text in headings:
            first = index
            break
    return first, last
