"""Normalisation against obfuscation, done once per page and shared by every rule.

Fraud copy hides its words from keyword filters: full-width or traditional characters, digits
written in Chinese (一三八…), separators and emoji between characters (刷-单, 刷❤单), homophones
for contact words (薇信, VX, 扣扣). :func:`normalise` maps a page into the form rule terms are
written in (simplified Chinese, half-width, lower-case Latin) and keeps a map back to offsets in
the original text, so every hit can point at what the page really says.

Every rewrite is one character to one character except the removal of separators; the offset
map therefore only records deletions (a sorted list of checkpoints), which keeps the hot path to
a few C-level passes: one UTF-16 encode (astral characters? lone surrogates?), ``re.sub`` on the
characters that need the table (which already holds their lower case, so BMP-only pages need no
``str.lower`` pass; the same pass notices invisible characters), one regex for deletions, one for
digit runs, and the homophone regex only on pages where the first two characters of a variant
meet (found with one-character ``str.find``, memchr speed). Every regex starts with a character
class so the engine can skip ahead.
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
    "〇": "0",
    "零": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "壹": "1",
    "贰": "2",
    "叁": "3",
    "肆": "4",
    "伍": "5",
    "陆": "6",
    "柒": "7",
    "捌": "8",
    "玖": "9",
    "幺": "1",
}
_DIGIT_TABLE = str.maketrans(_CHINESE_DIGITS)
_DIGIT_CLASS = "0-9" + "".join(_CHINESE_DIGITS)
# A run of >= 5 digits (Chinese or ASCII, spaces/dashes allowed) with a Chinese digit in it:
# phone, QQ and card numbers spelled out. Shorter runs are ordinary words (一二三, 三四五).
_DIGIT_RUN = re.compile(rf"[{_DIGIT_CLASS}](?:[ \-]?[{_DIGIT_CLASS}]){{4,}}")
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
    for char, letter in lookalike_letters().items():
        table[ord(char)] = letter
    return table


@lru_cache(maxsize=1)
def lookalike_letters() -> dict[str, str]:
    """Small capitals and IPA letters that read as Latin ones (data/lookalikes.yaml), one
    character to one ASCII letter."""
    data = yaml.safe_load((DATA_DIR / "lookalikes.yaml").read_text(encoding="utf-8"))
    letters = {str(k): str(v) for k, v in data["letters"].items()}
    bad = sorted(k for k, v in letters.items() if len(k) != 1 or v not in _ASCII_LETTERS)
    if bad:
        raise ValueError(f"lookalikes.yaml: not one character to one ASCII letter: {bad}")
    return letters


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=1)
def _table_gate() -> re.Pattern[str]:
    """Runs of BMP characters that the table changes, or that are invisible (which the table
    leaves alone: the pass that rewrites the page also tells whether it has any).

    Only BMP code points: a class with astral ranges is checked range by range and is ten
    times slower; the rare astral characters have their own pass (``_ASTRAL``). The class
    comes first on its own (not ``[…]+``) so the regex engine can skip ahead to candidates.
    """
    codes = sorted({c for c in char_table() if c < 0x10000} | {ord(c) for c in _INVISIBLE})
    ranges: list[str] = []
    start = prev = codes[0]
    for code in codes[1:] + [-1]:
        if code == prev + 1:
            prev = code
            continue
        ranges.append(_class_range(start, prev))
        start = prev = code
    char_class = "[" + "".join(ranges) + "]"
    return re.compile(f"{char_class}{char_class}*")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\\ud800-\\udfff]")


def _class_range(start: int, end: int) -> str:
    def esc(code: int) -> str:
        return f"\\U{code:08x}"

    return esc(start) if start == end else f"{esc(start)}-{esc(end)}"


_INVISIBLE_SET = frozenset(_INVISIBLE)
# separators first, so the regex engine can skip ahead to candidates; which neighbours make a
# separator removable is checked in Python (a few thousand candidates per MB at most). Two
# versions: a character class with astral ranges (emoji) is checked range by range, ten times
# slower, so it is only used on text that has astral characters at all.
_SEPARATOR_BMP = "".join(
    part
    for part in re.findall(r"\\U[0-9a-f]{8}-\\U[0-9a-f]{8}|.", _SEPARATORS, re.DOTALL)
    if not part.startswith("\\U")
)
# (a run of 1–4, written as one and up to three more so the regex engine can skip ahead)
_SEPARATOR_RUN_BMP = re.compile(
    f"[{_SEPARATOR_BMP}{_INVISIBLE}][{_SEPARATOR_BMP}{_INVISIBLE}]{{0,3}}"
)
_SEPARATOR_RUN = re.compile(f"[{_SEPARATORS}{_INVISIBLE}][{_SEPARATORS}{_INVISIBLE}]{{0,3}}")
_LATIN_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
# The removable runs themselves, for BMP text without invisible characters (nearly every page):
# a run of 1–4 separators between a Chinese character and a Chinese character or Latin letter
# (either way round). The look-behind sits after the first separator so the regex engine can
# skip ahead to candidates; the look-behind and look-ahead make it a whole run, as
# _deletion_spans' loop takes it.
_AFTER_FIRST_SEPARATOR = (
    f"(?<=[{_CJK}][{_SEPARATOR_BMP}])[{_SEPARATOR_BMP}]{{0,3}}(?=[{_CJK}a-z])"
    f"|(?<=[a-z][{_SEPARATOR_BMP}])[{_SEPARATOR_BMP}]{{0,3}}(?=[{_CJK}])"
)
_REMOVABLE_RUN_BMP = re.compile(f"[{_SEPARATOR_BMP}](?:{_AFTER_FIRST_SEPARATOR})")
_INVISIBLE_CHAR = re.compile(f"[{_INVISIBLE}]")
# The same removable runs and, in the same pass, the digit runs of _DIGIT_RUN as they will be
# once those runs are gone: two digits stay linked by nothing, by one space or dash that stays,
# or by a removable run of 1–4 separators between two Chinese digits (〇 is not a Chinese
# character for removal, so it is left out there). One class first, so the regex engine can
# skip ahead; look-behinds tell which kind of match it is. A digit right after a digit starts
# no run (it belongs to the run of the one before, which matched or was too short), so it is
# not tried: 2023 is tried once, not four times.
_CJK_DIGITS = "".join(ch for ch in _CHINESE_DIGITS if re.fullmatch(f"[{_CJK}]", ch))
_REMOVABLE_OR_DIGIT_RUN_BMP = re.compile(
    f"[{_SEPARATOR_BMP}{_DIGIT_CLASS}](?<![{_DIGIT_CLASS}][{_DIGIT_CLASS}])(?:"
    f"{_AFTER_FIRST_SEPARATOR}"
    f"|(?<=[{_DIGIT_CLASS}])(?:(?:[ \\-]?|(?<=[{_CJK_DIGITS}])[{_SEPARATOR_BMP}]{{1,4}}"
    f"(?=[{_CJK_DIGITS}]))[{_DIGIT_CLASS}]){{4,}})"
)
_DIGITS = frozenset("0123456789" + "".join(_CHINESE_DIGITS))


def _is_cjk(ch: str) -> bool:
    return (
        ("\u4e00" <= ch <= "\u9fff") or ("\u3400" <= ch <= "\u4dbf") or ("\uf900" <= ch <= "\ufaff")
    )


def _deletion_spans(text: str, astral: bool) -> list[tuple[int, int]]:
    """Spans to delete: invisible characters anywhere; separators with a Chinese character on
    one side and a Chinese character or Latin letter on the other (刷-单, v❤信, 微 x).
    ``astral``: whether the text may have characters beyond the BMP (emoji). The general loop,
    for text with astral or invisible characters; the rest (nearly every page) takes
    ``_removable_and_digit_runs``, which gives the same spans."""
    spans: list[tuple[int, int]] = []
    if text.isascii():
        return spans
    pattern = _SEPARATOR_RUN if astral else _SEPARATOR_RUN_BMP
    end_of_text = len(text)
    for match in pattern.finditer(text):
        start, end = match.span()
        if 0 < start and end < end_of_text:
            before, after = text[start - 1], text[end]
            if _is_cjk(before):
                if _is_cjk(after) or after in _LATIN_LOWER:
                    spans.append((start, end))
                    continue
            elif before in _LATIN_LOWER and _is_cjk(after):
                spans.append((start, end))
                continue
        if not _INVISIBLE_SET.isdisjoint(match.group()):
            # not removable as a whole, but invisible characters go wherever they are
            spans.extend((i, i + 1) for i in range(start, end) if text[i] in _INVISIBLE_SET)
    return spans


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
    # (the look-behind sits after the first letter so the regex engine can still skip ahead)
    alternatives = [
        f"{re.escape(v[0])}(?<![a-z0-9./@_-]{re.escape(v[0])}){re.escape(v[1:])}"
        "(?![a-z]|[./][a-z0-9])"
        if v.isascii()
        else re.escape(v)
        for v in variants
    ]
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=1)
def _homophone_pairs() -> dict[str, frozenset[str]]:
    """second character → the first characters it follows in a homophone variant."""
    pairs: dict[str, set[str]] = {}
    for variant in homophones():
        pairs.setdefault(variant[1], set()).add(variant[0])
    return {second: frozenset(firsts) for second, firsts in pairs.items()}


def _may_have_homophone(text: str) -> bool:
    """Whether a homophone variant may occur: its first two characters do, one after the
    other. (Looked for from the second character: ``str.find`` of one character runs at memchr
    speed and most second characters are rare, while the regex reads the whole page.)"""
    for second, firsts in _homophone_pairs().items():
        at = text.find(second, 1)
        while at > 0:
            if text[at - 1] in firsts:
                return True
            at = text.find(second, at + 1)
    return False


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


def _translate(text: str, astral: bool) -> tuple[str, bool]:
    """The one-to-one rewrites: the character table, then lower case. Also says whether the
    rewritten text has invisible characters."""
    if text.isascii():
        return text.lower(), False  # the table's only ASCII entries are A–Z
    table = char_table()
    invisible: list[bool] = []

    def rewrite(match: re.Match[str]) -> str:
        run = match.group()
        if run.isascii():  # A–Z, most runs: the table's only ASCII entries, and no invisibles
            return run.lower()
        run = run.translate(table)
        if not invisible and _INVISIBLE_CHAR.search(run):
            invisible.append(True)
        return run

    # the table already holds the lower case of every BMP character it changes, and lower()
    # changes no BMP character the table leaves alone (except by lengthening it, İ → i̇, which
    # is not done): BMP-only text needs nothing but the table
    text = _table_gate().sub(rewrite, text)
    if not astral:
        return text, bool(invisible)
    text = _ASTRAL.sub(lambda m: table.get(ord(m.group()), m.group()), text)
    lowered = text.lower()
    # str.lower() may lengthen a few characters (İ → i̇); then go character by character.
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered, True  # (astral text takes the general deletion loop anyway)


def _removable_and_digit_runs(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """BMP text without invisible characters, in one pass: the spans to delete (as
    ``_deletion_spans``) and the digit runs with a Chinese digit, spans of ``text`` (that
    ``_DIGIT_RUN`` finds once the deletions are made). Tested against doing one after the other."""
    deletions: list[tuple[int, int]] = []
    runs: list[tuple[int, int]] = []
    for match in _REMOVABLE_OR_DIGIT_RUN_BMP.finditer(text):
        start, end = match.span()
        if text[start] not in _DIGITS:
            deletions.append((start, end))
        elif _HAS_CHINESE_DIGIT.search(text, start, end):
            runs.append((start, end))
            # the separators between its Chinese digits go too
            deletions.extend(m.span() for m in _REMOVABLE_RUN_BMP.finditer(text, start, end))
    return deletions, runs


def _digits(match: re.Match[str]) -> str:
    run = match.group()
    return run.translate(_DIGIT_TABLE) if _HAS_CHINESE_DIGIT.search(run) else run


def _homophone(match: re.Match[str]) -> str:
    return homophones()[match.group()]


def normalise(text: str) -> NormalisedText:
    """Normalise a page (see the module docstring); O(len(text)), a few C-level passes."""
    original = text
    astral = False
    if not text.isascii():
        try:
            # UTF-16 is two bytes a character except beyond the BMP (~10 GB/s, and it refuses
            # lone surrogates): one C-level pass answers both questions
            astral = len(text.encode("utf-16-le")) != 2 * len(text)
        except UnicodeEncodeError:
            text = _SURROGATE.sub("\ufffd", text)  # one for one: offsets unchanged
            astral = len(text.encode("utf-16-le")) != 2 * len(text)
    text, invisible = _translate(text, astral)
    if astral or invisible or text.isascii():
        deletions, runs = _deletion_spans(text, astral), None
    else:  # nearly every page: deletions and digit runs in one pass
        deletions, runs = _removable_and_digit_runs(text)
        for start, end in runs:  # (rare) one for one: the deletions' offsets stay
            text = text[:start] + text[start:end].translate(_DIGIT_TABLE) + text[end:]
    at: list[int] = []
    shift: list[int] = []
    pieces: list[str] = []
    last = 0
    removed = 0
    for start, end in deletions:
        if start < last:  # an invisible run inside a separator run: already gone
            start = last
            if start >= end:
                continue
        pieces.append(text[last:start])
        removed += end - start
        at.append(end - removed)  # where the next kept character lands
        shift.append(removed)
        last = end
    if pieces:
        pieces.append(text[last:])
        text = "".join(pieces)
    if runs is None and not text.isascii():  # (ASCII has no Chinese digits to rewrite)
        text = _DIGIT_RUN.sub(_digits, text)
    if _may_have_homophone(text):
        text = _homophone_pattern().sub(_homophone, text)
    return NormalisedText(text, original, tuple(at), tuple(shift))


def normalise_term(term: str) -> str:
    """A rule term in the form the matcher sees (the same rewriting as pages)."""
    return normalise(term.strip()).text
