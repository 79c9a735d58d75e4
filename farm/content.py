"""Chinese text for the farm's pages: fraud copy, benign articles, anti-fraud publicity.

Texts are assembled from the phrase banks with a seeded ``random.Random``, so the same seed
always gives the same page. Fraud texts record the contact and money entities they plant
(normalised: ASCII digits, no obfuscation) so the ground truth can list them.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from farm import phrases

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SHORT_LURES = (
    "刷单返利",
    "高收益理财",
    "免息网贷",
    "客服退款",
    "冒充公检法",
    "游戏账号交易",
    "出租银行卡",
)


@dataclass
class Text:
    """A generated page text: title, paragraphs and what was planted in it."""

    title: str
    paragraphs: list[str]
    category: str | None = None
    obfuscated: bool = False
    entities: list[dict[str, str]] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


# --- entity values ------------------------------------------------------------------------


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def qq_number(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, rng.randint(7, 9))


def phone_number(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + rng.choice(string.digits) + _digits(rng, 8)


def wechat_id(rng: random.Random) -> str:
    head = rng.choice(("wx", "vx", "kf", "zz", "ab", "jz", "lily", "tao"))
    tail = "".join(
        rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(5, 8))
    )
    return head + rng.choice(("", "_", "")) + tail


def telegram_handle(rng: random.Random) -> str:
    return (
        rng.choice(("ok", "vip", "fast", "best", "lucky"))
        + "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 7)))
        + _digits(rng, 2)
    )


def usdt_trc20(rng: random.Random) -> str:
    return "T" + "".join(rng.choice(_BASE58) for _ in range(33))


def bank_card(rng: random.Random) -> str:
    """A Luhn-valid UnionPay-style card number (16 or 19 digits)."""
    body = "62" + _digits(rng, rng.choice((13, 16)))
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # these get doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)


# --- slot filling --------------------------------------------------------------------------


class Slots(dict):
    """Fills ``{placeholders}`` on demand from a seeded rng, remembering planted entities."""

    def __init__(self, rng: random.Random, context: dict[str, str], obfuscate: bool = False):
        super().__init__(context)
        self.rng = rng
        self.obfuscate = obfuscate
        self.entities: list[dict[str, str]] = []

    def _entity(self, kind: str, value: str, shown: str | None = None) -> str:
        self.entities.append({"type": kind, "value": value})
        return shown if shown is not None else value

    def _maybe_fullwidth(self, value: str) -> str:
        if self.obfuscate and self.rng.random() < 0.5:
            return value.translate(_FULLWIDTH)
        return value

    def __missing__(self, key: str) -> str:
        rng = self.rng
        site = phrases.site()
        if key == "qq":
            value = qq_number(rng)
            return self._entity("qq", value, self._maybe_fullwidth(value))
        if key == "qq_group":
            value = str(rng.randint(1, 9)) + _digits(rng, 8)
            return self._entity("qq_group", value, self._maybe_fullwidth(value))
        if key == "phone":
            value = phone_number(rng)
            shown = self._maybe_fullwidth(value)
            if self.obfuscate and shown == value and rng.random() < 0.5:
                shown = f"{value[:3]}-{value[3:7]}-{value[7:]}"
            return self._entity("phone", value, shown)
        if key == "wechat":
            return self._entity("wechat", wechat_id(rng))
        if key == "tg":
            return self._entity("telegram", telegram_handle(rng))
        if key == "usdt":
            return self._entity("usdt_trc20", usdt_trc20(rng))
        if key == "card":
            return self._entity("bank_card", bank_card(rng))
        simple = {
            "amount": lambda: str(rng.choice((98, 200, 300, 500, 800, 1000, 2000, 5000, 10000))),
            "rate": lambda: str(rng.choice((3, 5, 8, 10, 15, 20, 30))),
            "rate_low": lambda: rng.choice(("3.45", "3.6", "3.85", "4.2")),
            "days": lambda: str(rng.randint(5, 30)),
            "num": lambda: str(rng.randint(120, 9800)),
            "num2": lambda: str(rng.randint(2, 19)),
            "month": lambda: str(rng.randint(1, 12)),
            "day": lambda: str(rng.randint(1, 28)),
            "price": lambda: str(
                rng.choice((18, 39, 59, 88, 128, 199, 299, 680, 1200, 1800, 2500))
            ),
            "phone_hotline": lambda: rng.choice(
                ("0" + _digits(rng, 3) + "-" + _digits(rng, 7), "96" + _digits(rng, 3))
            ),
            "city": lambda: rng.choice(site["cities"]),
            "district": lambda: rng.choice(site["districts"]),
            "street": lambda: rng.choice(site["streets"]),
            "dish": lambda: rng.choice(site["dishes"]),
            "product": lambda: rng.choice(site["products"]),
            "team": lambda: rng.choice(site["teams"][:3]),
            "team2": lambda: rng.choice(site["teams"][3:]),
            "game": lambda: rng.choice(site["games"]),
            "league": lambda: rng.choice(phrases.load("compromised")["sports_leagues"]),
            "brand": lambda: rng.choice(site["brands"]),
            "app": lambda: rng.choice(site["apps"]),
            "lure_short": lambda: rng.choice(_SHORT_LURES),
            "quote": lambda: _scam_quote(rng),
        }
        maker = simple.get(key)
        if maker is None:
            raise KeyError(key)
        value = maker()
        if key not in ("quote",):  # keep one value per page so a text stays coherent
            self[key] = value
        return value


def fill(template: str, slots: Slots) -> str:
    return template.format_map(slots)


def _scam_quote(rng: random.Random) -> str:
    bank = phrases.fraud()
    category = rng.choice(phrases.FRAUD_CATEGORIES)
    sentence = rng.choice(bank[category]["lures"]).rstrip("。")
    # Publicity quotes the wording, never real contact details: drop placeholders.
    return (
        sentence.replace("{amount}", "几百")
        .replace("{rate}", "几")
        .replace("{days}", "十几")
        .replace("{city}", "本地")
        .replace("{brand}", "某平台")
        .replace("{game}", "某游戏")
    )


# --- fraud ---------------------------------------------------------------------------------

_CHANNEL_WORDS = {"qq": "QQ", "wechat": "微信", "phone": "微信", "qq_group": "QQ", "telegram": ""}


def _obfuscate_words(text: str, rng: random.Random) -> str:
    for word, variants in phrases.fraud()["obfuscations"].items():
        if word in text and word not in ("微信", "QQ"):
            text = text.replace(word, rng.choice(variants))
    return text


def fraud_text(
    rng: random.Random,
    category: str,
    context: dict[str, str],
    obfuscate: bool = False,
    title_only: bool = False,
) -> Text:
    """Scam copy of one taxonomy category: a lure, a money instruction and contact channels."""
    bank = phrases.fraud()
    spec = bank[category]
    slots = Slots(rng, context, obfuscate)
    title = fill(rng.choice(spec["titles"]), slots)
    if obfuscate:
        title = _obfuscate_words(title, rng)
    if title_only:  # drawn first, so the title is the same as in the full text
        return Text(title, [], category, obfuscate)
    lures = rng.sample(spec["lures"], k=min(len(spec["lures"]), rng.randint(2, 3)))
    paragraphs = [fill(line, slots) for line in lures]
    paragraphs.append(fill(rng.choice(spec["money"]), slots))
    channels = rng.sample(("qq", "wechat", "phone", "telegram", "qq_group"), k=rng.randint(1, 2))
    for channel in channels:
        word = _CHANNEL_WORDS[channel]
        if obfuscate and word:
            word = rng.choice(bank["obfuscations"][word])
        slots["ch"] = word
        paragraphs.append(fill(rng.choice(bank["contacts"][channel]), slots))
    if obfuscate:
        paragraphs = [_obfuscate_words(p, rng) for p in paragraphs]
    return Text(title, paragraphs, category, obfuscate, slots.entities)


def fraud_post(rng: random.Random, category: str, context: dict[str, str], obfuscate: bool) -> Text:
    """Shorter scam copy as spammers leave it in a forum reply or an ad."""
    text = fraud_text(rng, category, context, obfuscate)
    text.paragraphs = [text.paragraphs[0], *text.paragraphs[-3:]]
    return text


# --- benign --------------------------------------------------------------------------------

BENIGN_TOPICS = ("news", "notice", "sports", "recipe", "event")


def benign_text(
    rng: random.Random, topic: str, context: dict[str, str], title_only: bool = False
) -> Text:
    """An ordinary article of the given topic (see benign.yaml ``topics``)."""
    spec = phrases.benign()["topics"][topic]
    slots = Slots(rng, context)
    title = fill(rng.choice(spec["titles"]), slots)
    if title_only:
        return Text(title, [])
    pool = spec.get("paragraphs") or spec["posts"]
    count = min(len(pool), rng.randint(3, 6))
    return Text(title, [fill(p, slots) for p in rng.sample(pool, k=count)])


def chatter_post(rng: random.Random, context: dict[str, str]) -> str:
    spec = phrases.benign()["topics"]["chatter"]
    return fill(rng.choice(spec["posts"]), Slots(rng, context))


def chatter_title(rng: random.Random, context: dict[str, str]) -> str:
    spec = phrases.benign()["topics"]["chatter"]
    return fill(rng.choice(spec["titles"]), Slots(rng, context))


def anti_fraud_text(rng: random.Random, context: dict[str, str], title_only: bool = False) -> Text:
    """Anti-fraud publicity: quotes scam wording inside a warning context. Not fraud."""
    spec = phrases.benign()["anti_fraud"]
    slots = Slots(rng, context)
    title = fill(rng.choice(spec["titles"]), slots)
    if title_only:
        return Text(title, [])
    paragraphs = [fill(rng.choice(spec["intro"]), slots)]
    paragraphs += [fill(line, slots) for line in rng.sample(spec["case"], k=2)]
    paragraphs += rng.sample(spec["tips"], k=3)
    return Text(title, paragraphs)
