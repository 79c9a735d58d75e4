"""Word boundaries, checked with jieba only around candidate hits, never over whole pages.

A short Chinese term is also a substring of unrelated words (代练 in 时代练习, 收卡 in 接收卡片).
Around each occurrence of such a term we segment a small window and accept the occurrence when no
word of the segmentation crosses the term's start or end. The fraud jargon dictionary
(rules/data/jargon.txt, one word per line) teaches jieba words like 跑分 and 码商.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable
from functools import lru_cache
from math import log
from pathlib import Path

JARGON_PATH = Path(__file__).parent / "data" / "jargon.txt"
# more word lists sit in data/jargon/*.txt (one file per category or topic, same format)
WINDOW = 8  # characters of context on each side: enough for jieba to see the words around
# natural-log margin: keeping the term whole may be up to e**4 (~55×) less likely than jieba's
# best reading before the occurrence is rejected
MARGIN = 4.0

_CJK_LOW, _CJK_HIGH = "\u4e00", "\u9fff"


def _latin_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _is_cjk(ch: str) -> bool:
    return _CJK_LOW <= ch <= _CJK_HIGH


class BoundaryChecker:
    """Lazily builds its own jieba tokenizer (not the global one) with the jargon dictionary."""

    def __init__(
        self,
        jargon_path: Path | None = JARGON_PATH,
        vocabulary: Iterable[str] = (),
        margin: float = MARGIN,
    ) -> None:
        self.jargon_path = jargon_path
        # the rules' own short terms join the dictionary, so jieba cuts 刷单|员, not 刷|单员,
        # while a stronger real word still wins (时代|练习 keeps 代练 out)
        self.vocabulary = tuple(vocabulary)
        self.margin = margin
        self._tokenizer = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Build the tokenizer now rather than at the first check (that takes a second or so)."""
        self._get_tokenizer()

    def _get_tokenizer(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    base = _base_tokenizer()
                    tokenizer = jieba.Tokenizer()
                    # a copy of the loaded dictionary: our words must not leak into jieba's
                    # global tokenizer or into other engines (0.02 s instead of a 1 s reload)
                    tokenizer.FREQ = dict(base.FREQ)
                    tokenizer.total = base.total
                    tokenizer.initialized = True
                    words = list(self.vocabulary)
                    for path in self._jargon_files():
                        for line in path.read_text(encoding="utf-8").splitlines():
                            word = line.split("#", 1)[0].strip().split(" ")[0]
                            if word:
                                words.append(word)
                    for word in dict.fromkeys(words):
                        tokenizer.add_word(word)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def _jargon_files(self) -> list[Path]:
        if self.jargon_path is None:
            return []
        files = [self.jargon_path] if self.jargon_path.is_file() else []
        extra = self.jargon_path.parent / "jargon"
        return files + (sorted(extra.glob("*.txt")) if extra.is_dir() else [])

    def is_word(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` reads as a word in its context.

        jieba's most likely segmentation of a small window is compared with the most likely one
        that keeps the term whole: 时代练习 is far likelier as 时代|练习 than 时|代练|习, so
        代练 is rejected there; 垫付款 as 垫|付款 is barely likelier than 垫付|款, so 垫付 stays.
        """
        if text[start].isascii() and text[end - 1].isascii():
            # a Latin abbreviation (yhk, bjl, tg): a word when no Latin letter runs on at
            # either end (digits may: qq2406…, yhk100张)
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            return not (_latin_letter(before) and _latin_letter(text[start])) and not (
                _latin_letter(after) and _latin_letter(text[end - 1])
            )
        left_open = start > 0 and _is_cjk(text[start - 1]) and _is_cjk(text[start])
        right_open = end < len(text) and _is_cjk(text[end]) and _is_cjk(text[end - 1])
        if not (left_open or right_open):
            return True  # punctuation, Latin or the edge of the text on both sides
        tokenizer = self._get_tokenizer()
        if not self._may_cross(tokenizer.FREQ, text, start, end, left_open, right_open):
            return True
        lo = max(0, start - WINDOW)
        window = text[lo : min(len(text), end + WINDOW)]
        return self._window_ok(window, start - lo, end - lo)

    def clear_cache(self) -> None:
        self._window_ok.cache_clear()

    @staticmethod
    def _may_cross(freq: dict, text: str, start: int, end: int, left: bool, right: bool) -> bool:
        """Cheap pre-check: is there a dictionary word (2–3 characters) that crosses an edge of
        the term or holds it in its middle? Most occurrences have none and need no DAG."""
        if left:
            for b in range(start + 1, end):
                if freq.get(text[start - 1 : b]) or (start >= 2 and freq.get(text[start - 2 : b])):
                    return True
            if end < len(text) and freq.get(text[start - 1 : end + 1]):
                return True
        if right:
            for a in range(start + 1, end):
                if freq.get(text[a : end + 1]) or freq.get(text[a : end + 2]):
                    return True
        return False

    @lru_cache(maxsize=4096)  # noqa: B019 (one checker per engine; windows repeat on templates)
    def _window_ok(self, window: str, s: int, e: int) -> bool:
        tokenizer = self._get_tokenizer()
        route, head = _window_logprobs(tokenizer, window, s)
        best = route[0][0]
        freq = tokenizer.FREQ.get(window[s:e]) or 1
        # the best reading of the tail is the window's own from e on (same words, same sums)
        forced = head + math.log(freq) - math.log(tokenizer.total) + route[e][0]
        if forced >= best - self.margin:
            return True
        # the head or tail of one longer word reads as the term too (缉私|警察 → 警察)
        for _word, a, b in tokenizer.tokenize(window, HMM=False):
            if a <= s and e <= b and (a == s or b == e):
                return True
        return False


_BASE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _base_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _BASE_LOCK:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
    return tokenizer


def _window_logprobs(tokenizer, window: str, cut: int) -> tuple[list[tuple[float, int]], float]:
    """jieba's routes over ``window`` (``route[i][0]``: log-probability of the best reading of
    ``window[i:]``) and the log-probability of the best reading of ``window[:cut]``.

    The same numbers as jieba's ``get_DAG`` and ``calc`` on the window, its head and its tail,
    worked out together (this is the hot part of word-boundary checks): the words of the head
    are the window's words that end before ``cut``, the best reading of the tail is the
    window's own from there on, and every sum is made in jieba's order, so the floats are equal.
    """
    freq = tokenizer.FREQ
    n = len(window)
    unknown = log(1) - log(tokenizer.total)  # a single character that is no word
    logtotal = log(tokenizer.total)
    # words[k]: (end index, log weight) of every dictionary word starting at k (get_DAG)
    words: list[list[tuple[int, float]]] = []
    for k in range(n):
        found = []
        i = k
        frag = window[k]
        while i < n and frag in freq:
            count = freq[frag]
            if count:
                found.append((i, log(count) - logtotal))
            i += 1
            frag = window[k : i + 1]
        words.append(found)
    route: list[tuple[float, int]] = [(0, 0)] * (n + 1)
    for k in range(n - 1, -1, -1):
        found = words[k]
        if found:
            route[k] = max([(weight + route[x + 1][0], x) for x, weight in found])
        else:
            route[k] = (unknown + route[k + 1][0], k)
    if not cut:
        return route, 0.0
    head: list[tuple[float, int]] = [(0, 0)] * (cut + 1)
    for k in range(cut - 1, -1, -1):
        found = [(weight + head[x + 1][0], x) for x, weight in words[k] if x < cut]
        head[k] = max(found) if found else (unknown + head[k + 1][0], k)
    return route, head[0][0]


def _best_logprob(tokenizer, sentence: str) -> float:
    """Log-probability of jieba's best dictionary segmentation of ``sentence``."""
    if not sentence:
        return 0.0
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(sentence, tokenizer.get_DAG(sentence), route)
    return route[0][0]
