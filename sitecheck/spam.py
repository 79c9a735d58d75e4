"""Is a short text (a page title, its meta keywords or description) planted search spam?

The vocabulary is data (``sitecheck/data/spam.yaml``, reusing the rules' lexicons by name):
a text is spam when it holds a strong term, or a term of each side of one pair, unless it
speaks as a warning or a report (its ``stance`` words). Allowed terms (legitimate sports media)
are blanked out first, so "腾讯体育官网" is no casino. Texts are folded as the rules fold them
(full-width → half-width, traditional → simplified, lower case).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from rules.lexicons import load_lexicons
from rules.normalise import char_table

SPAM_FILE = Path(__file__).parent / "data" / "spam.yaml"
_LEXICON = "@"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().translate(char_table())


def _alternation(terms: list[str]) -> re.Pattern[str] | None:
    words = sorted({fold(t) for t in terms if str(t).strip()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


@dataclass(frozen=True)
class SpamVocabulary:
    strong: re.Pattern[str] | None
    pairs: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    allowed: re.Pattern[str] | None
    stance: re.Pattern[str] | None

    def match(self, text: str) -> str | None:
        """The spam wording found in `text` ("a + b" for a pair), or None."""
        folded = fold(text)
        if not folded.strip():
            return None
        if self.allowed is not None:
            folded = self.allowed.sub(" ", folded)
        if self.stance is not None and self.stance.search(folded):
            return None
        if self.strong is not None:
            found = self.strong.search(folded)
            if found:
                return found.group()
        for first, second in self.pairs:
            a = first.search(folded)
            if a is None:
                continue
            b = second.search(folded, a.end()) or second.search(folded[: a.start()])
            if b is not None:
                return f"{a.group()} + {b.group()}"
        return None


def _terms(entries: list[str] | str) -> list[str]:
    """Terms of a list, with ``@name`` lexicon references expanded."""
    lexicons = load_lexicons()
    out: list[str] = []
    for entry in [entries] if isinstance(entries, str) else entries:
        entry = str(entry)
        if entry.startswith(_LEXICON):
            out += lexicons[entry[1:]].terms
        else:
            out.append(entry)
    return out


@lru_cache(maxsize=2)
def vocabulary(path: Path = SPAM_FILE) -> SpamVocabulary:
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    strong = _terms([f"{_LEXICON}{n}" for n in data.get("strong_lexicons") or ()])
    strong += _terms(data.get("strong") or [])
    pairs = []
    for first, second in data.get("pairs") or ():
        a, b = _alternation(_terms(first)), _alternation(_terms(second))
        if a is not None and b is not None:
            pairs.append((a, b))
    allowed = _terms([f"{_LEXICON}{n}" for n in data.get("allow_lexicons") or ()])
    allowed += _terms(data.get("allow") or [])
    return SpamVocabulary(
        strong=_alternation(strong),
        pairs=tuple(pairs),
        allowed=_alternation(allowed),
        stance=_alternation(list(data.get("stance") or ())),
    )


def spam_wording(text: str) -> str | None:
    """The planted-spam wording in `text`, or None (see the module docstring)."""
    return vocabulary().match(text)
