"""Literal anchors of a regular expression: the text that must occur wherever it matches.

A rule regex is only evaluated on pages where its anchor appeared in the shared automaton, so a
regex without an anchor (``\\d+元``) would have to run on every page: `rules validate` rejects it.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own parser: no second regex grammar to maintain

_LITERAL = sre_parse.LITERAL
_SUBPATTERN = sre_parse.SUBPATTERN
_BRANCH = sre_parse.BRANCH
_IN = sre_parse.IN
_REPEATS = (
    sre_parse.MAX_REPEAT,
    sre_parse.MIN_REPEAT,
    getattr(sre_parse, "POSSESSIVE_REPEAT", None),
)
_ZERO_WIDTH = (sre_parse.AT,)


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective anchor set: the one whose shortest literal is longest."""
    good = [opt for opt in options if opt and all(opt)]
    if not good:
        return None
    return max(good, key=lambda opt: (min(len(s) for s in opt), -len(opt)))


_MAX_VARIANTS = 64


def _literal_alternatives(op, av) -> list[str] | None:
    """The strings a small literal alternation or character class can stand for, else None."""
    if op is _BRANCH:
        alternatives: list[str] = []
        for alt in av[1]:
            if not all(o is _LITERAL for o, _ in alt):
                return None
            alternatives.append("".join(chr(v) for _, v in alt))
        return alternatives
    if op is _IN and all(o is _LITERAL for o, _ in av):
        return [chr(v) for _, v in av]
    if op is _SUBPATTERN:
        inner = list(av[3])
        if len(inner) == 1:
            return _literal_alternatives(*inner[0])
        if all(o is _LITERAL for o, _ in inner):
            return ["".join(chr(v) for _, v in inner)]
    return None


def _sequence(items: list) -> list[frozenset[str]]:
    """Anchor sets required by a sequence of parsed items (each set: one member must occur)."""
    options: list[frozenset[str]] = []
    run: set[str] = {""}  # the literal text just before this point, in each of its variants

    def flush() -> None:
        nonlocal run
        if run != {""}:
            options.append(frozenset(run))
        run = {""}

    for op, av in items:
        if op is _LITERAL:
            run = {r + chr(av) for r in run}
            continue
        alternatives = _literal_alternatives(op, av)
        if alternatives is not None and len(run) * len(alternatives) <= _MAX_VARIANTS:
            # (刷单|刷信誉)返 → {刷单返, 刷信誉返}; [日月]赚 → {日赚, 月赚}
            run = {r + alt for r in run for alt in alternatives}
            continue
        flush()
        if op is _SUBPATTERN:
            options.extend(_sequence(list(av[3])))
        elif op in _ZERO_WIDTH:
            continue
        elif op in _REPEATS and op is not None:
            low, _high, inner = av
            if low >= 1:
                options.extend(_sequence(list(inner)))
        elif op is _BRANCH:
            per_branch = [_best(_sequence(list(alt))) for alt in av[1]]
            if all(per_branch):
                options.append(frozenset().union(*per_branch))  # type: ignore[arg-type]
    flush()
    # a literal only counts as a whole: variants shorter than 2 characters make the set useless
    return options


def literal_anchors(pattern: str) -> frozenset[str] | None:
    """One or more literals (>= 2 characters each), at least one of which occurs in every match.

    ``None`` when the pattern has no such anchor. Raises ``re.error`` when it does not compile.
    """
    re.compile(pattern)
    parsed = sre_parse.parse(pattern)
    options = [opt for opt in _sequence(list(parsed)) if all(len(s) >= 2 for s in opt)]
    return _best(options)
