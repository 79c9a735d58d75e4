"""Entity extractors: contact channels, payment targets and filing numbers.

They run on the NORMALISED text, so obfuscations are already undone (１３８ → 138, 一三八 → 138,
薇信 → 微信, 扣扣 → qq, 微❤信 → 微信) and report offsets in the ORIGINAL text. Values are
canonical (digits only, lower-case ids) so one phone written three ways is one value.

Each extractor is cheap to skip: a substring test on its cue words comes before its regex.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet

from rules.normalise import NormalisedText
from rules.result import Entity

_SEP = r"[\s:：=\-]*"
_IS = r"(?:是|为|[:：])?\s*"

# `1(?<!\d1)`: the look-behind sits after the literal so the regex engine can still jump from
# one "1" to the next instead of trying every position.
# ...or every digit spaced out (1 3 9 1 2 3 4 5 6 7 8), the web's way past keyword filters: a
# run of exactly 11 such digits, not 11 carved out of a longer spaced run (page numbers)
_PHONE = re.compile(
    r"1(?<!\d1)[3-9]\d(?:[ \-]?\d){8}(?![\d])|1(?<!\d 1)(?<!\d1) [3-9](?: \d){9}(?! ?\d)"
)
_PHONE_86 = re.compile(r"\+?86[ \-]?$")

# 5–11 digits, written together, grouped (2837 4619 20) or spaced out (2 8 3 7 …); never 5–11
# digits carved out of a longer number
_QQ_DIGITS = r"([1-9](?:[ \-]?\d){4,10})(?![ \-]?\d)"
_QQ = re.compile(rf"q(?:q|(?<![a-z]q))(?:号码|号|帐号|账号)?{_SEP}{_IS}{_QQ_DIGITS}")
_QQ_MAIL = re.compile(r"([1-9]\d{4,10})@qq\.com")
_QQ_GROUP = re.compile(
    rf"(?:qq群|q群|群号码|群号|加群|进群|入群)(?:号码|号)?{_SEP}{_IS}{_QQ_DIGITS}"
)
# ... and the web's short aliases, only right before a colon (薇：…, v：…, vx：…)
_WECHAT = re.compile(
    r"(?:微信|w(?<![a-z]w)e(?:chat|ixin)|加微|\+v|加v|[薇威](?=\s*[:：])|v(?<![a-z]v)x?(?=\s*[:：]))"
    r"(?:号码|号|id|账号)?"
    rf"{_SEP}{_IS}([a-z][-_a-z0-9]{{5,19}}|1[3-9]\d{{9}})(?![-_a-z0-9])"
)
# ASCII digits only: full-width, circled, mathematical and Chinese digits are ASCII after
# normalisation; the digits of other scripts (٣, ३, ๓…) are no card numbers (nor is Luhn's sum
# defined on them).
_CARD = re.compile(r"[0-9](?<![0-9]{2})(?:[ \-]?[0-9]){15,18}(?![0-9])")
_CARD_GROUPED = re.compile(r"^[0-9]{4}([ \-])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?$")
_CARD_CUES = ("卡", "账户", "帐户", "账号", "帐号", "银行", "收款", "开户", "户名", "转账", "汇款")
_NOT_CARD_CUES = ("身份证", "订单", "单号", "运单", "快递", "流水号", "编号", "证件号")
_TRC20 = re.compile(r"t(?<![a-z0-9]t)[1-9a-z]{33}(?![a-z0-9])")
_TRC20_STRICT = re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}")
_ERC20 = re.compile(r"0x(?<![a-z0-9]0x)[0-9a-f]{40}(?![0-9a-z])")
_TME = re.compile(
    r"(?:https?://)?(?<![a-z0-9.])(?:t|telegram)\.me/(?:joinchat/|\+|s/)?([a-z0-9_]{4,64})"
)
_TG_CUE = r"(?:t(?<![a-z]t)(?:elegram|g)|纸飞机|飞机|电报)"
_TG_HANDLE = re.compile(
    # cue, then @handle; or cue + 号/账号/id, then handle; or telegram/tg: handle
    rf"{_TG_CUE}(?:号|账号|帐号|id|群)?\s*[:：]?\s*@([a-z][a-z0-9_]{{4,31}})(?![a-z0-9_])"
    rf"|{_TG_CUE}(?:号|账号|帐号|id)\s*[:：]?\s*([a-z][a-z0-9_]{{4,31}})(?![a-z0-9_])"
    r"|t(?<![a-z]t)(?:elegram|g)\s*[:：]\s*([a-z][a-z0-9_]{4,31})(?![a-z0-9_])"
)
_TLDS = (
    "com|cn|net|org|top|xyz|vip|cc|me|io|app|shop|info|site|club|online|link|live|icu|wang"
    "|ink|fun|cyou|asia|biz|tv|hk|tw|co|pro|work|store|tech|life|win|bet|mobi|ltd|group"
)
_SCHEME_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。、；：！？（）【】「」《》\u4e00-\u9fff]+"
)
_TLD = re.compile(rf"\.(?:{_TLDS})(?![a-z0-9-])")
_PORT_PATH = re.compile(
    r"(?::\d{2,5})?(?:/[^\s<>\"'，。、；：！？（）【】「」《》\u4e00-\u9fff]*)?"
)
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
_URL_TRAILING = ".,;:!?)]}'\""
_APK = re.compile(r"\.apk(?:$|[?#])")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ICP = re.compile(rf"[{_PROVINCES}]icp(?:备|证)?\s*[:：]?\s*\d{{6,10}}号?(?:-\d{{1,3}})?")
_BEIAN = re.compile(rf"[{_PROVINCES}]公网安备\s*[:：]?\s*\d{{10,16}}号?")

Extractor = Callable[[NormalisedText], Iterator[Entity]]

# Literal cues every match of a regex contains, at a fixed distance from the match start:
# (cue, possible offsets). The regex then runs only where a cue is (str.find, memchr speed) instead of
# being tried at every position of a page (see _cued_finditer). Checked against plain
# finditer in the tests.
# (Every find of an absent cue reads the whole page: cues the automaton also finds are only
# looked for on pages where it found them, see AUTOMATON_CUES.)
_QQ_GROUP_CUES = (("q群", (0, 1)), ("群号", (0,)), ("加群", (0,)), ("进群", (0,)), ("入群", (0,)))
_WECHAT_CUES = tuple(
    (cue, (0,))
    for cue in ("微信", "加微", "wechat", "weixin", "+v", "加v", "薇", "威", "v:", "v：", "vx")
)
_TME_CUES = (("http", (0,)), ("t.me/", (0,)), ("telegram.me/", (0,)))
_TG_CUES = (("tg", (0,)), ("telegram", (0,)), ("飞机", (0, 1)), ("电报", (0,)))
_SCHEME_CUES = (("http", (0,)), ("www.", (0,)))
_ICP_CUES = (("icp", (1,)),)
_BEIAN_CUES = (("公网安备", (1,)),)
# Cues the engine also puts into its automaton: with the page's matches at hand it tells
# `extract` which of them occur, and the finds of absent ones (a read of the whole page each;
# most pages have none of these) are skipped. Without that set every cue is looked for.
AUTOMATON_CUES = frozenset(
    {"tg", "telegram", "飞机", "电报", ".me/", "http", "www.", "icp", "公网安备"}
    | {cue for cue, _ in _QQ_GROUP_CUES + _WECHAT_CUES}
)


def _occurs(cue: str, text: str, cues: AbstractSet[str] | None) -> bool:
    """``cue in text``, answered by the automaton's set when there is one."""
    if cues is not None and cue in AUTOMATON_CUES:
        return cue in cues
    return cue in text


def _cued_finditer(
    regex: re.Pattern[str],
    text: str,
    cues: tuple[tuple[str, tuple[int, ...]], ...],
    present: AbstractSet[str] | None = None,
) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)`` for a regex whose every match has one of ``cues`` (literal,
    possible offsets from the match start): the same matches, found by trying the regex only
    where a cue occurs. Look-behinds still see the text before the start (``match(text, pos)``).
    ``present``: which of AUTOMATON_CUES occur in ``text`` (absent ones are not looked for).
    """
    starts: set[int] = set()
    for cue, offsets in cues:
        if present is not None and cue in AUTOMATON_CUES and cue not in present:
            continue
        at = text.find(cue)
        while at >= 0:
            starts.update(at - offset for offset in offsets if at >= offset)
            at = text.find(cue, at + 1)
    end = 0
    for start in sorted(starts):
        if start < end:  # finditer goes on after the end of the previous match
            continue
        match = regex.match(text, start)
        if match is not None:
            yield match
            end = match.end()


def _entity(nt: NormalisedText, type_: str, value: str, start: int, end: int) -> Entity:
    a, b = nt.span(start, end)
    return Entity(type_, value, a, b, start, end)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phones(nt: NormalisedText) -> Iterator[Entity]:
    """Mainland mobiles: 1[3-9] + 9 digits, spaces or dashes allowed, optional +86."""
    text = nt.text
    for m in _PHONE.finditer(text):
        start = m.start()
        prefix = _PHONE_86.search(text, max(0, start - 5), start)
        if prefix:
            start = prefix.start()
        yield _entity(nt, "phone", _digits(m.group()), start, m.end())


def qq_numbers(nt: NormalisedText) -> Iterator[Entity]:
    """5–11 digits right after a QQ cue (qq, qq号, 扣扣, 企鹅号, q:) or as a @qq.com mailbox."""
    text = nt.text
    if "q" not in text:
        return
    for m in _QQ.finditer(text):
        yield _entity(nt, "qq", _digits(m.group(1)), m.start(1), m.end(1))
    if "@qq.com" not in text:
        return
    for m in _QQ_MAIL.finditer(text):
        yield _entity(nt, "qq", m.group(1), m.start(1), m.end(1))


def qq_groups(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> Iterator[Entity]:
    """5–11 digits after a group cue (qq群, q群, 群号, 加群…).
    ``cues``: which of AUTOMATON_CUES occur (None: look)."""
    for m in _cued_finditer(_QQ_GROUP, nt.text, _QQ_GROUP_CUES, cues):
        yield _entity(nt, "qq_group", _digits(m.group(1)), m.start(1), m.end(1))


def wechat_ids(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> Iterator[Entity]:
    """A WeChat id (letter + 5–19 of [-_a-z0-9]) or a mobile after a WeChat cue.
    ``cues``: which of AUTOMATON_CUES occur (None: look)."""
    for m in _cued_finditer(_WECHAT, nt.text, _WECHAT_CUES, cues):
        yield _entity(nt, "wechat", m.group(1), m.start(1), m.end(1))


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# A card number is 16+ ASCII digits with at most single spaces or dashes between them: 16
# characters in a row of [0-9 -]. Encoded to ASCII with every other character as "?", that is a
# substring test after bytes.translate (a few µs in C), which spares the card regex on nearly
# every page.
_CARD_BYTES = bytes.maketrans(b"0123456789 -", b"1" * 12)
_CARD_RUN = b"1" * 16


def _may_hold_card(text: str) -> bool:
    return _CARD_RUN in text.encode("ascii", "replace").translate(_CARD_BYTES)


def bank_cards(nt: NormalisedText) -> Iterator[Entity]:
    """16–19 Luhn-valid digits, near a card/account cue or grouped like a card (6222 0200 …)."""
    text = nt.text
    if not _may_hold_card(text):
        return
    for m in _CARD.finditer(text):
        raw = m.group()
        number = _digits(raw)
        if not 16 <= len(number) <= 19 or not luhn_valid(number):
            continue
        before = text[max(0, m.start() - 16) : m.start()]
        if any(cue in before for cue in _NOT_CARD_CUES):
            continue
        if _CARD_GROUPED.match(raw) or any(cue in before for cue in _CARD_CUES):
            yield _entity(nt, "bank_card", number, m.start(), m.end())


def usdt_addresses(nt: NormalisedText) -> Iterator[Entity]:
    """TRC20 (T + 33 base58, case checked on the original) and ERC20 (0x + 40 hex)."""
    text = nt.text
    for m in _TRC20.finditer(text):
        original = unicodedata.normalize("NFKC", nt.original_slice(m.start(), m.end()))
        if _TRC20_STRICT.fullmatch(original):
            yield _entity(nt, "usdt_trc20", original, m.start(), m.end())
    if "0x" in text:
        for m in _ERC20.finditer(text):
            yield _entity(nt, "usdt_erc20", m.group(), m.start(), m.end())


def telegram_handles(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> Iterator[Entity]:
    """t.me/… links, and @handles right after a Telegram cue (telegram, tg, 飞机, 纸飞机, 电报).
    ``cues``: which of AUTOMATON_CUES occur (None: look)."""
    text = nt.text
    if _occurs(".me/", text, cues):
        for m in _cued_finditer(_TME, text, _TME_CUES, cues):
            yield _entity(nt, "telegram", "t.me/" + m.group(1), m.start(), m.end())
    for m in _cued_finditer(_TG_HANDLE, text, _TG_CUES, cues):
        group = next(g for g in (1, 2, 3) if m.group(g))
        start = m.start(group)
        if text[start - 1] == "@":
            start -= 1
        yield _entity(nt, "telegram", "@" + m.group(group), start, m.end(group))


def _bare_domains(text: str, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Spans of domains without a scheme (abc.com/path): find the TLD, walk back over the
    labels in Python (cheap: a few TLDs per page), then take port and path."""
    for m in _TLD.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in _DOMAIN_CHARS:
            start -= 1
        if start == m.start() or text[start] in ".-":
            continue
        if start > 0 and text[start - 1] in "@/_":  # e-mail address, or part of a path
            continue
        if any(a <= start < b for a, b in taken):
            continue
        end = _PORT_PATH.match(text, m.end()).end()
        yield start, end


def urls(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> Iterator[Entity]:
    """http(s)/www links and bare domains on common TLDs; links to .apk files are `apk`.
    ``cues``: which of AUTOMATON_CUES occur (None: look)."""
    text = nt.text
    if "." not in text:
        return
    spans = [m.span() for m in _cued_finditer(_SCHEME_URL, text, _SCHEME_CUES, cues)]
    spans.extend(list(_bare_domains(text, spans)))
    for start, end in spans:
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        # values keep the original case: paths and short-link keys are case-sensitive
        value = unicodedata.normalize("NFKC", nt.original_slice(start, end))
        value = "".join(value.split())
        lowered = value.lower()
        if lowered.split("t.me/", 1)[0] in ("", "https://", "http://") and "t.me/" in lowered:
            continue  # reported as telegram
        is_apk = _APK.search(lowered)
        yield _entity(nt, "apk" if is_apk else "url", value, start, end)


def icp_numbers(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> Iterator[Entity]:
    """ICP filing (京ICP备12345678号-1) and public-security filing (京公网安备…号) numbers.
    ``cues``: which of AUTOMATON_CUES occur (None: look)."""
    text = nt.text
    if _occurs("icp", text, cues):
        for m in _cued_finditer(_ICP, text, _ICP_CUES, cues):
            value = (
                "".join(m.group().split()).replace("icp", "ICP").replace(":", "").replace("：", "")
            )
            yield _entity(nt, "icp", value, m.start(), m.end())
    if _occurs("公网安备", text, cues):
        for m in _cued_finditer(_BEIAN, text, _BEIAN_CUES, cues):
            value = "".join(m.group().split()).replace(":", "").replace("：", "")
            yield _entity(nt, "icp", value, m.start(), m.end())


EXTRACTORS: dict[str, Extractor] = {
    "phone": phones,
    "qq": qq_numbers,
    "qq_group": qq_groups,
    "wechat": wechat_ids,
    "bank_card": bank_cards,
    "usdt": usdt_addresses,
    "telegram": telegram_handles,
    "url": urls,
    "icp": icp_numbers,
}

# When two entities cover the same digits, the more specific reading wins.
_PRECEDENCE = {
    "qq_group": 0,
    "telegram": 0,
    "apk": 0,
    "icp": 0,
    "wechat": 1,
    "qq": 2,
    "bank_card": 2,
    "usdt_trc20": 2,
    "usdt_erc20": 2,
    "phone": 3,
    "url": 4,
}


# the extractors that take the set of AUTOMATON_CUES present
_CUED = frozenset({qq_groups, wechat_ids, telegram_handles, urls, icp_numbers})


def extract(nt: NormalisedText, cues: AbstractSet[str] | None = None) -> list[Entity]:
    """All entities of a page, sorted by position, without duplicate readings of one span.

    ``cues``: which of AUTOMATON_CUES occur in ``nt.text``, when the caller's automaton has
    told (rules.engine); None: every cue is looked for in the text.
    """
    found: list[Entity] = []
    for extractor in EXTRACTORS.values():
        found.extend(extractor(nt, cues) if extractor in _CUED else extractor(nt))
    if len(found) < 2:
        return found
    found.sort(key=lambda e: (_PRECEDENCE.get(e.type, 5), e.norm_start))
    kept: list[Entity] = []
    for entity in found:
        clash = any(
            entity.norm_start < other.norm_end
            and other.norm_start < entity.norm_end
            and not _compatible(entity, other)
            for other in kept
        )
        if not clash:
            kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.type))
    return kept


def _compatible(entity: Entity, other: Entity) -> bool:
    # A WeChat id that is a mobile number is both; a phone inside a URL is not a phone.
    return {entity.type, other.type} == {"wechat", "phone"}
