"""Normalisation against obfuscation, done once per page and shared by every rule.

Fraud copy hides its words from keyword filters: full-width or traditional characters, digits
written in Chinese (一三八…), separators and emoji between characters (刷-单, 刷❤单), homophones
for contact words (薇信, VX, 扣扣). :func:`normalise` maps a page into the form rule terms are
written in (simplified Chinese, half-width, lower-case Latin) and keeps a map back to offsets in
the original text, so every hit can point at what the page really says.

Every rewrite is one character to one character except the removal of separators; the offset
map therefore only records deletions (a sorted list of checkpoints), which keeps the hot path to
a few C-level passes: ``re.sub`` on the rare characters that need a table, ``str.lower``, one
regex for deletions, and two small regexes for digit runs and homophones.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"

# CJK punctuation stays as it is: it is in nearly every Chinese sentence, carries no obfuscation
# and keeping it out of the table lets most pages skip the (slow, per-character) translation.
_KEEP = set("，。：；！？（）【】「」『』《》、～“”‘’…—　")
# Characters that are invisible or purely decorative: deleted wherever they stand.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Separators a spammer puts between two characters of a word: spaces, ASCII and CJK symbols,
# dingbats, hearts, stars and emoji (incl. variation selectors and skin tones).
_SEPARATORS = (
    r" \t\u00a0\u3000\-_.·•・*~|/\\^+=#'`\"°"
    r"\u2010-\u2015\u2022\u2027\u2219\u22c5\u2605\u2606\u2661\u2665\u2764\u2763"
    r"\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u3030\u303d\u2300-\u23ff"
    r"\U0001f000-\U0001faff"
)

_CHINESE_DIGITS = {
    "〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
    "六": "6", "七": "7", "八": "8", "九": "9", "壹": "1", "贰": "2", "叁": "3",
    "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9", "幺": "1",
}
_DIGIT_TABLE = str.maketrans(_CHINESE_DIGITS)
_DIGIT_CLASS = "0-9" + "".join(_CHINESE_DIGITS)
# A run of >= 5 digits (Chinese or ASCII, spaces/dashes allowed) with a Chinese digit in it:
# phone, QQ and card numbers spelled out. Shorter runs are ordinary words (一二三, 三四五).
_DIGIT_RUN = re.compile(
    rf"[{_DIGIT_CLASS}](?:[ \-]?[{_DIGIT_CLASS}]){{4,}}"
)
_HAS_CHINESE_DIGIT = re.compile("[" + "".join(_CHINESE_DIGITS) + "]")


def _opencc_characters() -> dict[str, str]:
    """Traditional → simplified, character by character, from OpenCC's own dictionary."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        candidates = simp.split()
        if len(trad) == 1 and candidates and len(candidates[0]) == 1 and candidates[0] != trad:
            table[trad] = candidates[0]
    return table


@lru_cache(maxsize=1)
def char_table() -> dict[int, str]:
    """The one-to-one character table: NFKC (full-width → half-width, circled digits), lower case,
    traditional → simplified. Built once per process (~0.2 s)."""
    table: dict[int, str] = {}
    trad = _opencc_characters()
    for code in range(0x10000):
        char = chr(code)
        if char in _KEEP or 0xD800 <= code <= 0xDFFF:
            continue
        mapped = unicodedata.normalize("NFKC", char)
        if len(mapped) != 1:  # ligatures, ⑩, ㎏: expanding would shift offsets
            mapped = char
        mapped = trad.get(mapped, mapped)
        if len(mapped.lower()) == 1:
            mapped = mapped.lower()
        if mapped != char:
            table[code] = mapped
    for code in range(0x10000, 0x110000):
        # Mathematical alphanumerics (𝟏, 𝐕𝐗…) are a favourite of spammers.
        if 0x1D400 <= code <= 0x1D7FF:
            mapped = unicodedata.normalize("NFKC", chr(code)).lower()
            if len(mapped) == 1:
                table[code] = mapped
    for trad_char, simp_char in trad.items():
        table.setdefault(ord(trad_char), simp_char)
    return table


@lru_cache(maxsize=1)
def _table_gate() -> re.Pattern[str]:
    """Matches runs of characters that the table changes (upper-case ASCII is left to lower())."""
    codes = sorted(code for code in char_table() if not (0x41 <= code <= 0x5A))
    ranges: list[str] = []
    start = prev = codes[0]
    for code in codes[1:] + [-1]:
        if code == prev + 1:
            prev = code
            continue
        ranges.append(_class_range(start, prev))
        start = prev = code
    return re.compile("[" + "".join(ranges) + "]+")


def _class_range(start: int, end: int) -> str:
    def esc(code: int) -> str:
        return f"\\U{code:08x}"

    return esc(start) if start == end else f"{esc(start)}-{esc(end)}"


@lru_cache(maxsize=1)
def _deletions() -> re.Pattern[str]:
    word = f"{_CJK}a-z"
    # Separators go only when a Chinese character is on at least one side, so ordinary Latin
    # text ("New York", "3.14") is untouched.
    return re.compile(
        f"[{_INVISIBLE}]+"
        f"|(?<=[{_CJK}])[{_SEPARATORS}]{{1,3}}(?=[{word}])"
        f"|(?<=[a-z])[{_SEPARATORS}]{{1,3}}(?=[{_CJK}])"
    )


@lru_cache(maxsize=1)
def homophones() -> dict[str, str]:
    """variant → canonical, both already normalised; every pair has equal length."""
    data = yaml.safe_load((DATA_DIR / "signals.yaml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for canonical, variants in data["homophones"].items():
        for variant in variants:
            variant = str(variant).lower()
            if len(variant) != len(canonical):
                raise ValueError(
                    f"signals.yaml: homophone {variant!r} must have the length of {canonical!r}"
                )
            mapping[variant] = canonical
    return mapping


@lru_cache(maxsize=1)
def _homophone_pattern() -> re.Pattern[str]:
    variants = sorted(homophones(), key=len, reverse=True)
    # Latin variants (vx, wx) only as a word of their own: never inside "wxyz" or a URL.
    alternatives = [
        f"(?<![a-z0-9./@_-]){re.escape(v)}(?![a-z]|[./][a-z0-9])" if v.isascii() else re.escape(v)
        for v in variants
    ]
    return re.compile("|".join(alternatives))


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A page in normalised form, with the way back to the original offsets."""

    text: str
    original: str
    # positions in `text` where characters had been deleted before, and the number of original
    # characters deleted up to each of them (cumulative)
    _at: tuple[int, ...] = ()
    _shift: tuple[int, ...] = ()

    def to_original(self, pos: int) -> int:
        """Offset in the original text of the character at ``pos`` of the normalised text."""
        i = bisect_right(self._at, pos) - 1
        return pos + (self._shift[i] if i >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of a normalised span (deleted separators inside included)."""
        if end <= start:
            at = self.to_original(start)
            return at, at
        return self.to_original(start), self.to_original(end - 1) + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def _translate(text: str) -> str:
    table = char_table()
    text = _table_gate().sub(lambda m: m.group().translate(table), text)
    lowered = text.lower()
    # str.lower() may lengthen a few characters (İ → i̇); then go character by character.
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _digits(match: re.Match[str]) -> str:
    run = match.group()
    return run.translate(_DIGIT_TABLE) if _HAS_CHINESE_DIGIT.search(run) else run


def _homophone(match: re.Match[str]) -> str:
    return homophones()[match.group()]


def normalise(text: str) -> NormalisedText:
    """Normalise a page (see the module docstring); O(len(text)), a few C-level passes."""
    original = text
    text = _translate(text)
    at: list[int] = []
    shift: list[int] = []
    pieces: list[str] = []
    last = 0
    removed = 0
    for match in _deletions().finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        removed += end - start
        at.append(end - removed)  # where the next kept character lands
        shift.append(removed)
        last = end
    if pieces:
        pieces.append(text[last:])
        text = "".join(pieces)
    text = _DIGIT_RUN.sub(_digits, text)
    text = _homophone_pattern().sub(_homophone, text)
    return NormalisedText(text, original, tuple(at), tuple(shift))


def normalise_term(term: str) -> str:
    """A rule term in the form the matcher sees (the same rewriting as pages)."""
    return normalise(term.strip()).text
