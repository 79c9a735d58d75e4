"""Named word lists that rules share (rules/lexicons/*.yaml), each with its own examples.

A lexicon is data: the black market's vocabulary of one kind — online-casino brands, lottery
games, slot-game brands, wallet-app names, pinyin-initial abbreviations of card trading — kept
apart from the rules so that one list serves many rules and grows without touching them. A rule
term ``@name`` stands for every term of lexicon ``name`` (in ``any``, ``at_least … of`` and
``near``; not in ``all``).

File layout::

    name: casino_brands            # the file's stem
    description: …
    terms: [...]                   # written as rule terms are: simplified or not, any width
    examples:
      match: [...]                 # texts in which (after normalisation) a term occurs
      no_match: [...]              # texts in which none does

``wuzha rules test`` (rules.selftest) runs every lexicon's examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from rules.errors import RulesError

LEXICONS_DIR = Path(__file__).parent / "lexicons"
REFERENCE = "@"


class LexiconError(RulesError):
    """A lexicon file that cannot be used, or a reference to a lexicon that does not exist."""


@dataclass(frozen=True)
class NamedLexicon:
    name: str
    description: str
    terms: tuple[str, ...]
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    source: Path


@lru_cache(maxsize=8)
def load_lexicons(directory: Path = LEXICONS_DIR) -> dict[str, NamedLexicon]:
    found: dict[str, NamedLexicon] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as err:
            raise LexiconError(f"lexicon {path} cannot be read: {err}") from None
        name = str(data.get("name") or "")
        terms = tuple(str(t) for t in data.get("terms") or () if str(t).strip())
        if name != path.stem:
            raise LexiconError(f"lexicon {path}: name must be {path.stem!r} (the file's stem)")
        if not terms:
            raise LexiconError(f"lexicon {path}: no terms")
        examples = data.get("examples") or {}
        found[name] = NamedLexicon(
            name=name,
            description=str(data.get("description") or ""),
            terms=terms,
            examples_match=tuple(examples.get("match") or ()),
            examples_no_match=tuple(examples.get("no_match") or ()),
            source=path,
        )
    return found


def expand(terms: list, where: str, directory: Path = LEXICONS_DIR) -> list:
    """``terms`` with every ``@name`` replaced by the terms of lexicon ``name``."""
    if not any(isinstance(t, str) and t.startswith(REFERENCE) for t in terms):
        return terms
    lexicons = load_lexicons(directory)
    out: list = []
    for term in terms:
        if isinstance(term, str) and term.startswith(REFERENCE):
            lexicon = lexicons.get(term[len(REFERENCE) :])
            if lexicon is None:
                known = ", ".join(sorted(lexicons)) or "none"
                raise LexiconError(f"{where}: no lexicon {term!r} (known: {known})")
            out.extend(lexicon.terms)
        else:
            out.append(term)
    return out
