"""A learned text model, the engine's second signal: character n-grams, TF-IDF and a multinomial
logistic regression over the taxonomy's categories plus ``benign``.

It is trained by ``bench/train_model.py`` on the team's own web-register texts (the working half
of ``bench/webset``) and shipped as JSON of weights (``rules/data/model/``), so scanning needs
no scikit-learn: a window of a block's normalised text is turned into the same features the
training saw (:func:`char_ngrams`) and scored with a few numpy operations.

The model never flags on its own (rules.blockscan): it speaks only in a section where a rule
fired or a contact or money signal stands, and what it says is a hit ``model.<category>`` whose
evidence is the n-grams that pushed it there most.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from operator import add, itemgetter
from pathlib import Path

MODEL_PATH = Path(__file__).parent / "data" / "model" / "fraud-ngrams.json"
MODEL_FORMAT = 1
BENIGN = "benign"
NGRAM_RANGE = (1, 3)  # (char_ngrams builds these three orders)
_DIGITS = re.compile(r"[0-9]")
_SPACES = re.compile(r"\s+")


def model_text(normalised: str) -> str:
    """What the n-grams are taken from: digits folded to ``0`` (a phone number is a shape, not
    a value) and whitespace runs to one space."""
    return _SPACES.sub(" ", _DIGITS.sub("0", normalised)).strip()


def model_text_same_length(normalised: str) -> str:
    """Digits folded as in :func:`model_text`, nothing else: offsets stay those of the text
    (to find a feature n-gram in the window it came from)."""
    return _DIGITS.sub("0", normalised)


def char_ngrams(normalised: str) -> list[str]:
    """The character 1-, 2- and 3-grams of a normalised text (the analyzer the training used),
    built by C-level passes (``map(add, …)`` of shifted copies)."""
    text = model_text(normalised)
    pairs = list(map(add, text, text[1:]))
    return [*text, *pairs, *map(add, pairs, text[2:])]


def word_ngrams(normalised: str) -> list[str]:
    """The n-grams the model has weights for: those with a letter or a Chinese character in
    them. Digits and punctuation alone (a number's shape, a list's dashes) never make a
    decision a reviewer cannot read, nor one that a page of dates and counters could fake."""
    return [g for g in char_ngrams(normalised) if any(ch.isalpha() for ch in g)]


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    """The model's reading of one window: its best fraud category, the probability of fraud at
    all (1 - P(benign)), and the n-grams that weighed most for that category against benign."""

    category: str
    probability: float
    features: tuple[str, ...]


class TextModel:
    """The shipped weights: per n-gram its idf and one weight per class (numpy arrays, so a
    window costs a few array operations, not a loop over classes)."""

    def __init__(
        self,
        classes: list[str],
        intercepts: list[float],
        features: dict[str, list[float]],
        meta: dict | None = None,
    ) -> None:
        import numpy as np

        self.classes = list(classes)
        self.meta = dict(meta or {})
        self.version = int(self.meta.get("version", 1))
        self._benign = self.classes.index(BENIGN)
        grams = sorted(features)
        self._row = {gram: row for row, gram in enumerate(grams)}
        self._grams = grams
        table = np.array([features[g] for g in grams], dtype=np.float64).reshape(
            len(grams), len(self.classes) + 1
        )
        self._idf = table[:, 0].copy()
        self._weights = table[:, 1:].copy()
        self._intercepts = np.array(intercepts, dtype=np.float64)

    @classmethod
    def from_json(cls, data: dict) -> TextModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"model format {data.get('format')!r}, expected {MODEL_FORMAT}")
        return cls(data["classes"], data["intercepts"], data["features"], data.get("meta"))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TextModel:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def score(self, normalised: str, explain: int = 5) -> ModelVerdict:
        """Score one window of normalised text; ``explain`` n-grams are given as evidence."""
        import numpy as np

        row = self._row
        counts = Counter(char_ngrams(normalised))  # (counted and intersected in C)
        grams = sorted(counts.keys() & row.keys())  # a fixed order: the same sums on any seed
        if not grams:
            return ModelVerdict(BENIGN, 0.0, ())
        pick = itemgetter(*grams)
        rows = np.array(pick(row) if len(grams) > 1 else [row[grams[0]]], dtype=np.intp)
        tf = np.array(pick(counts) if len(grams) > 1 else [counts[grams[0]]], dtype=np.float64)
        # sublinear tf × idf, l2-normalised: TfidfVectorizer(sublinear_tf=True)
        values = (1.0 + np.log(tf)) * self._idf[rows]
        values /= np.sqrt(np.square(values).sum()) or 1.0
        weights = self._weights[rows]
        # (element-wise and summed, not `@`: a BLAS call may start threads for a product this
        # small, which costs more than the product on a busy machine)
        logits = (weights * values[:, None]).sum(axis=0) + self._intercepts
        exps = np.exp(logits - logits.max())
        b = self._benign
        fraud = float(1.0 - exps[b] / exps.sum())
        logits[b] = -np.inf
        best = int(np.argmax(logits))
        pushes = values * (weights[:, best] - weights[:, b])
        order = np.lexsort((np.arange(len(grams)), -pushes))
        # evidence a reviewer can read: n-grams of two characters or more with a word character
        # in them (not the folded digits of a number)
        features: list[str] = []
        for k in order:
            if pushes[k] <= 0 or len(features) >= explain:
                break
            if _readable(grams[k]):
                features.append(grams[k])
        return ModelVerdict(self.classes[best], fraud, tuple(features))


#: Contact and payment entities that identify someone to pay or write to.
IDENTIFYING_SIGNALS = frozenset(
    {"phone", "qq", "qq_group", "wechat", "telegram", "bank_card", "usdt_trc20", "usdt_erc20"}
)
#: The sections the model reads: the page's own voice, not its chrome, hidden or link-text blocks
#: (text the model never saw in training, where it is not calibrated).
CONTENT_SECTION_KINDS = frozenset({"title", "heading", "paragraph", "list_item", "post"})


def _readable(gram: str) -> bool:
    return len(gram.strip()) > 1 and any(ch.isalpha() for ch in gram)


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """How the engine uses the model (rules.blockscan)."""

    # P(fraud) at or above which the model adds its hit to a section where a rule fired
    # (batch-grouped cross-validation on the working half: precision 0.98 at 0.8, model alone)
    threshold: float = 0.8
    weight: float = 35.0  # the hit's weight: a medium rule's (alone, a low; with a signal, medium)
    # also read sections where no rule fired but one of these entities stands (empty: never);
    # links and app downloads are left out, nearly every page has them
    signals: frozenset[str] = IDENTIFYING_SIGNALS
    # ... or where a post hands over a channel in words (私我, 企鹅, 飞机@, v：…: the lexicon
    # private_handoff_cues), which many replies and ads give instead of a parsable handle
    signal_words: bool = True
    # P(fraud) at or above which the model speaks in such a section, where no rule fired (None:
    # ``threshold``); with the contact signal its hit makes a medium
    signal_threshold: float | None = 0.9
    # such a section is left unread for its stance only (a warning, report or victim's voice:
    # rules.context, the voice lexicons), not because some rule's ``unless`` holds there (which
    # also routes words between categories: 走账 is no loan, yet a mule ad)
    stance_excuse: bool = True
    # P(fraud) at or above which the model also speaks in a content section where no rule fired
    # and no signal stands (None: never), read from the section's start; such a hit weighs
    # ``alone_weight``. Sections where a rule fired are read first, then those with a signal.
    alone: float | None = 0.95
    alone_weight: float = 45.0
    # P(fraud) below which a section's score is lowered (None: never)
    doubt: float | None = 0.3
    doubt_damping: float = 0.3
    # ... and only in a section whose context score (rules.context) is at least this: where
    # its words or shape already lean to a warning, a question or a report. The model knows
    # the web's registers; on others (SMS, call scripts) its "benign" is no evidence alone.
    doubt_context: float = 1.0
    kinds: frozenset[str] = CONTENT_SECTION_KINDS  # sections of these kinds are read
    window: int = 400  # characters of a section the model reads, around the evidence
    max_windows: int = 4  # sections read per page (rules' sections first, then page order)
    explain: int = 5  # n-grams given as the hit's evidence
    min_evidence: int = 3  # readable n-grams the model must give for its hit to count


DEFAULT_MODEL_CONFIG = ModelConfig()


@lru_cache(maxsize=2)
def load_text_model(path: str = str(MODEL_PATH)) -> TextModel:
    """The shipped model, read once per process."""
    return TextModel.load(Path(path))
