"""Stance a section shows by its shape rather than by its words.

rules.context weighs the words a warning or a report uses; some stances are told by how the
section is built instead, in whatever words:

- **asks**: the section ends by asking whether the thing is real, legitimate or safe, or what to
  do about it (这正常吗？ 这个是正规的吗？需要什么条件？ 我该怎么办？). A reader is asking, not
  selling: a pitch's rhetorical question (正规吗？当然正规！) is answered, and a pitch ends on
  its contact, not on a doubt. Only the short questions the section ends with count, none
  that addresses the reader as 您/你 (a caller's 请问您可以接受吗？, 你考虑清楚了吗), none in a
  dialogue of named speakers (a victim's 我是不是被骗了？ in a scam call's transcript), and none
  after which a contact channel still stands. The question points at something (这个…, 我该…,
  是不是…): a planted search title's brand + 安全吗 does not.
- **reported_chat**: a pasted chat in which the poster is one of the parties (我：…) and someone
  else speaks at least twice (对方：…, “李总”：…), and no contact channel stands in or after the
  last turn. The poster shows what was said to them; a seller's "happy customer" chat ends on
  the seller's own contact. Scam
  dialogues of the research corpora name their roles (客服：, 发言人1：); an ad's 电话：/微信：
  lines have no 我.

- **private_handle** (a negative weight, like a scam script's cue): the section hands over a
  chat handle or a wallet. Real notices and warnings give 96110, 110 or an office's hotline;
  a fake notice that borrows their words (【反诈中心】…请添加专员薇：…) gives a handle, and
  is not damped as if it were a notice. A victim's report that quotes the scammer's handle
  keeps enough warning words to stay one.
- **verdict_first**: a reply that opens on a short warning verdict (别信。 是骗局。 全是坑，…)
  and gives no contact channel. A seller who runs down the others ("市面上很多是骗子，我们…")
  speaks of itself and leaves a contact.

- **offsite_link** (negative, like private_handle): the section sends its reader (下载, 点击,
  登录…) to a link or an APK that is not a government address. A fake 反诈中心 or 社保 notice
  borrows the publicity words and gives fzzx-safe.cc/dl.apk; the real ones point to gov.cn
  or the app stores.
- **verdict_last**: a short reply that ends on its verdict (…，一律拉黑。 …全是坑), naming the
  offer only to judge it, and gives no contact channel.
- **explains**: the section tells how a scheme is worked on its victims, from outside: a third
  person does it to "you" (他们会让你…, 骗子的套路是…), again and again or in numbered steps
  (第一步…第二步…). It quotes the script it explains, so the script's cues (你的银行卡,
  配合调查) do not count against it (``mutes_script`` in context.yaml).

A question title speaks for its body (asks) when the body is the asker's own story.

Each shape found adds its weight (context.yaml, ``anti_fraud.shapes``) to the section's context
score, like one more context word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

ASKS = "asks"
REPORTED_CHAT = "reported_chat"
VERDICT_FIRST = "verdict_first"
EXPLAINS = "explains"
VERDICT_LAST = "verdict_last"
OFFSITE_LINK = "offsite_link"
PRIVATE_HANDLE = "private_handle"
#: chat handles and wallets: a police notice or a bank's warning gives 96110 or its own hotline,
#: never a WeChat, QQ or Telegram id to add (a fake 反诈中心 notice does: 添加反诈专员薇：…)
PRIVATE_HANDLE_TYPES = frozenset(
    {"wechat", "qq", "qq_group", "telegram", "usdt_trc20", "usdt_erc20"}
)

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CLAUSE = re.compile(r"[^。！？!?，,；;：:\n]+")
# (么 as a particle, not in 什么/这么; 呢 without an exclamation mark: 还等什么！ 真靠谱呢！ sell)
_QUESTION_END = re.compile(
    r"(?:[？?]+|吗[。！!…~～]*|(?<![什怎这那多])么[。…~～]*|呢[。…~～]*)\s*$"
)
#: what a reader asks about a scheme: is it real, legitimate, safe; what to do now
_DOUBT = re.compile(
    "正规|靠谱|正常|真的|真假|假的|是真是假|骗|可信|能信|信得过|安全|合法|违法|犯法|风险|套路"
    "|有坑|坑人|怎么办|该怎么|怎么判断|如何判断|怎么分辨|如何分辨|怎么处理|要回来|追回|报警|还能退"
    "|能做|能不能做|可以做|能填|该交|该填|该充|该信|要不要|有人知道|什么情况"
    "|不对劲|有人用过|有人玩过|有人试过|有人做过|有人遇到过|有问题吗|有没有问题|会不会有事|能去"
    "|正版|杀猪盘|资金盘|传销"
)
#: a recruiter's or a buyer's call, not a doubt (有没有人想一起做的？ 有没有人出的？)
_WISH = re.compile("想|一起|做的|出的|收的|要的|来的|私聊|私我")
#: a pitch answering its own question (正规吗？当然正规！ 能做吗？能！)
_AFFIRMS = re.compile("当然|绝对|百分百|肯定|放心|没问题|是的|^能|^可以|正规|靠谱|安全")
#: a short statement after the closing question (…这种兼职能做吗？对方说有营业执照)
AFTERWORD_CHARS = 20
_HANDLE_LIKE = re.compile("[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")  # (an afterword with a handle is a pitch's)
#: a reply that opens on its verdict: 别信。 是骗局。 全是坑，…
_VERDICT = re.compile(
    "别信|别碰|别充|别去|别做|别交|别加|别理|别点|别上当|是骗局|是骗子|骗人的|是坑|全是坑"
    "|假的|离远点|快跑|标准的杀猪盘|是诈骗|%诈骗|纯诈骗"
)
#: a negated verdict is a pitch's reassurance (绝不是骗局, 无套路)
_NEGATION = re.compile("不是|绝不|决不|并非|没有|无|零|拒绝|不会|别听|不要听|别管")
#: a reply that asks to be contacted in words is an offer, whatever verdict it gives
_CHANNEL_ASKED = re.compile(
    "(?<![别不要勿])(?:私我|私聊|私信我|加我|滴滴|找我|联系我|戳我|扣我|V我|v我|加V|加v|加微)"
)
VERDICT_CHARS = 14
#: a short reply that ends on its verdict: …，一律拉黑。 …全是坑 …直接举报。
_CLOSING_VERDICT = re.compile(
    "别信|别碰|别充|别去|别做|别交|别加|别理|别点|别上当|是骗局|是骗子|骗人的|全是坑|都是坑|是坑"
    "|假的|一眼假|离远点|快跑|拉黑|举报|报警|被坑|被骗"
)
REPLY_CHARS = 80  # the longest reply that a closing verdict speaks for
#: sending the reader to a link or a download (a notice that does so to a non-government
#: address is no notice: government addresses end in gov.cn, official apps come from app stores)
_SENDS = re.compile("下载|点击|点开|登录|访问|安装|打开|进入|扫码")
_GOVERNMENT_HOST = re.compile(r"(?:^|\.)gov(?:\.cn)?$")
_SELLER = re.compile("我们|本店|本公司|本平台|我司")
_SPEAKER = re.compile(
    r"(?:^|(?<=[\s。！？!?…）)】”」]))(?!https?[：:]|[0-9])"
    r"(“[^”\s]{1,6}”|[^\s：:，,。！？!?“”【】（）()]{1,6})[：:]"
)
_COLON = re.compile("[：:]")
LABEL_REACH = 8  # the longest label before its colon: “ + six characters + ”
#: labels of a byline or an ad, not speakers
NOT_SPEAKERS = frozenset(
    {
        "作者",
        "时间",
        "发布时间",
        "发表于",
        "来源",
        "地址",
        "电话",
        "微信",
        "手机",
        "联系方式",
        "邮箱",
        "网址",
        "标题",
        "日期",
        "编辑",
        "责任编辑",
        "原标题",
    }
)
#: a caller speaking to the one called (你们, 大家 ask the other readers)
_ADDRESSES_READER = re.compile("您|你(?!们)")
_POINTS_AT = re.compile("这|那|此|我|他|她|它|对方|是不是|是否|怎么|如何|有人")
#: a question that opens a post asks before it tells (请问这个APP能做吗？里面有…)
_OPENS_ASKING = re.compile(r"^\s*(?:请问|求问|想问|问一下|问下|请教)")
#: the asker telling what happened to them or to someone close (a pitch speaks to 你/您)
_ASKERS_STORY = re.compile("我(?!们)|朋友|同事|家人|亲戚|老婆|老公|我妈|我爸")
#: who does it to "you" in an explainer: a third person, never the speaker (a pitch says 我们)
_AGENT = "(?:他们|她们|他|她|对方|骗子|骗子们|这些人|那些人|诈骗分子|犯罪分子|不法分子|嫌疑人)"
_AGENT_ON_YOU = re.compile(
    _AGENT + "(?:[^，。！？,!?；;]{0,6}?)(?:让|叫|要|要求|诱导|引导|忽悠|哄|骗|告诉|催)你"
    "|" + _AGENT + "的(?:路子|套路|手法|话术|流程|目的|惯用)"
)
_YOU_ARE_LED = re.compile("(?:让|叫|要|诱导|引导|催|鼓励|逼)你")
_STEP = re.compile("第[一二三四五六七八九1-9]步")
MIN_LED = 3  # an explainer's "they make you …" (an agent at least once) …
MIN_STEPS = 2  # … or its numbered steps
MAX_QUESTION_CHARS = 30
FIRST_PERSON = frozenset({"我", "本人", "我方"})
MIN_OTHER_TURNS = 2


def asks_about_it(text: str, contact_starts: Iterable[int] = ()) -> bool:
    """Whether ``text`` ends with questions, one of them a doubt about the scheme, and no
    contact channel (offsets ``contact_starts`` in ``text``) stands after the first of them."""
    if len(_speakers(text)) >= 2 or _SELLER.search(text):
        return False
    sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
    trailing = []
    for match in reversed(sentences):
        if not _QUESTION_END.search(match.group()):
            break
        trailing.append(match)
    if (
        not trailing
        and len(sentences) >= 2
        and len(sentences[-1].group().strip()) <= AFTERWORD_CHARS
        and not _HANDLE_LIKE.search(sentences[-1].group())
        and not _AFFIRMS.search(sentences[-1].group().strip())
        and _QUESTION_END.search(sentences[-2].group())
    ):
        trailing = [sentences[-2]]
    if not any(_asks_doubt(m.group()) for m in trailing):
        return _opens_asking(sentences, contact_starts)
    first = trailing[-1].start()
    return not any(start >= first for start in contact_starts)


def _opens_asking(sentences: list[re.Match[str]], contact_starts: Iterable[int]) -> bool:
    """A post that opens on a doubt question (请问…能做吗？) and then tells what it saw, with
    no contact channel anywhere."""
    if not sentences or any(True for _ in contact_starts):
        return False
    first = sentences[0].group()
    return (
        _OPENS_ASKING.search(first) is not None
        and _QUESTION_END.search(first) is not None
        and _asks_doubt(_OPENS_ASKING.sub("", first))
    )


def title_asks(title: str, body: str, contact_starts: Iterable[int] = ()) -> bool:
    """Whether a question title (…这是正规交友软件吗？) speaks for its body: the body is the
    asker's own story (我…, 朋友…), addresses nobody as 你/您, is no seller's and gives no contact
    channel. A planted search title over a pitch ("XX平台是骗局吗" over 每单给你200佣金) does not."""
    if not title.strip() or any(True for _ in contact_starts):
        return False
    sentences = [m.group() for m in _SENTENCE.finditer(title) if m.group().strip()]
    if not sentences or not _QUESTION_END.search(sentences[-1]):
        return False
    return (
        _asks_doubt(sentences[-1])
        and _ASKERS_STORY.search(body) is not None
        and _ADDRESSES_READER.search(body) is None
        and _SELLER.search(body) is None
    )


def explains_scheme(text: str) -> bool:
    """Whether ``text`` tells how a scheme is worked on its victims, from outside: a third
    person does it to "you" (他们会让你…, 骗子的套路是…) and either does it again and again
    (让你… 让你… 让你…) or in numbered steps (第一步… 第二步…). A pitch speaks as 我们 of what
    it offers; a seller's text is no explainer."""
    if _AGENT_ON_YOU.search(text) is None or _SELLER.search(text) is not None:
        return False
    return (
        len(_YOU_ARE_LED.findall(text)) >= MIN_LED
        or len(_STEP.findall(text)) >= MIN_STEPS
        or len(_AGENT_ON_YOU.findall(text)) >= 2
    )


def _asks_doubt(question: str) -> bool:
    question = question.strip()
    asked = question
    if len(question) > MAX_QUESTION_CHARS:
        # a long sentence asks in its last clause (…客服说交了就能提，我该交吗？); what it points
        # at may stand before (有人让我上码跑分，…，合法吗？)
        clauses = [m.group() for m in _CLAUSE.finditer(question) if m.group().strip()]
        asked = clauses[-1].strip() if clauses else question
        if len(asked) > MAX_QUESTION_CHARS:
            return False
    return (
        _DOUBT.search(asked) is not None
        and _POINTS_AT.search(question) is not None
        and _ADDRESSES_READER.search(question) is None
        and _WISH.search(asked) is None
    )


def speaker_labels(text: str) -> list[re.Match[str]]:
    """What ``_SPEAKER.finditer(text)`` finds, looked for only around colons (ten times faster
    on a long page than trying the pattern at every position). A label's colon stands at most
    ``LABEL_REACH`` characters after its start, so the leftmost match starting before a colon
    lies in a short stretch around it (a quoted label may hold a colon of its own)."""
    found: list[re.Match[str]] = []
    searched_to = 0
    for colon in _COLON.finditer(text):
        at = colon.start()
        if at < searched_to:
            continue  # inside the label just found
        lo = max(searched_to, at - LABEL_REACH)
        match = _SPEAKER.search(text, lo, at + LABEL_REACH + 2)
        if match is not None and match.start() <= at:
            found.append(match)
            searched_to = match.end()
    return found


@lru_cache(maxsize=4)
def _speakers(text: str) -> tuple[re.Match[str], ...]:
    """The speaker labels (X：) of a pasted chat, not a byline's or an ad's labels (looked for
    once for the shapes of one text)."""
    return tuple(m for m in speaker_labels(text) if m.group(1).strip("“”") not in NOT_SPEAKERS)


def reported_chat(text: str, contact_starts: Iterable[int] = ()) -> bool:
    """Whether ``text`` is a chat shown by one of its parties: turns of 我 and at least
    ``MIN_OTHER_TURNS`` turns of someone else, and no contact channel from its last turn on."""
    found = _speakers(text)
    if found and any(start >= found[-1].start() for start in contact_starts):
        return False
    turns = Counter(match.group(1).strip("“”").removesuffix("说") for match in found)
    mine = sum(turns[who] for who in FIRST_PERSON)
    others = sum(turns.values()) - mine
    return mine >= 1 and others >= MIN_OTHER_TURNS


def verdict_first(text: str, contact_starts: Iterable[int] = ()) -> bool:
    """Whether ``text`` opens on a short warning verdict (别信。 是骗局。 全是坑，…) and gives
    no contact channel: a reply that judges what it answers. A seller's "others are cheats,
    we are genuine" speaks of itself (我们, 本店) and leaves its contact."""
    if any(True for _ in contact_starts) or _CHANNEL_ASKED.search(text):
        return False
    first = next((m.group().strip() for m in _CLAUSE.finditer(text) if m.group().strip()), "")
    verdict = _VERDICT.search(first)
    return (
        0 < len(first) <= VERDICT_CHARS
        and verdict is not None
        and _NEGATION.search(first, 0, verdict.start()) is None
        and _ADDRESSES_READER.search(first) is None
        and _SELLER.search(text) is None
    )


def verdict_last(text: str, contact_starts: Iterable[int] = ()) -> bool:
    """Whether a short reply (``REPLY_CHARS`` at most) ends on its verdict (…，一律拉黑。
    “办卡给五百”“租号日结”全是坑) and gives no contact channel: it names the offer to judge it.
    A pitch's reassurance negates the verdict (绝不是骗局), a seller speaks of itself."""
    text = text.strip()
    if len(text) > REPLY_CHARS or any(True for _ in contact_starts) or _CHANNEL_ASKED.search(text):
        return False
    clauses = [m.group().strip() for m in _CLAUSE.finditer(text) if m.group().strip()]
    if not clauses:
        return False
    last = clauses[-1]
    verdict = _CLOSING_VERDICT.search(last)
    return (
        verdict is not None
        and _NEGATION.search(last, 0, verdict.start()) is None
        and _ADDRESSES_READER.search(last) is None
        and _SELLER.search(text) is None
    )


def sends_off_site(text: str, links: Iterable[str]) -> bool:
    """Whether ``text`` sends its reader (下载, 点击, 登录…) and gives a link or an APK that is
    not a government address."""
    if _SENDS.search(text) is None:
        return False
    for link in links:
        try:
            host = urlsplit(link if "://" in link else "http://" + link).hostname or ""
        except ValueError:  # (a broken link, "http://[x": says nothing of where it goes)
            continue
        if host and _GOVERNMENT_HOST.search(host) is None:
            return True
    return False


def shapes_of(
    text: str,
    contact_starts: Iterable[int] = (),
    contact_types: Iterable[str] = (),
    title: str = "",
    links: Iterable[str] = (),
) -> list[str]:
    """The shapes (``ASKS``, ``REPORTED_CHAT``, ``VERDICT_FIRST``, ``VERDICT_LAST``,
    ``EXPLAINS``, ``PRIVATE_HANDLE``, ``OFFSITE_LINK``) that ``text`` shows under its
    ``title``; ``contact_starts`` are the offsets in ``text`` of its contact channels,
    ``contact_types`` their entity types, ``links`` its URLs and APK links."""
    contact_starts = list(contact_starts)
    found = []
    if PRIVATE_HANDLE_TYPES.intersection(contact_types):
        found.append(PRIVATE_HANDLE)
    if sends_off_site(text, links):
        found.append(OFFSITE_LINK)
    if asks_about_it(text, contact_starts) or title_asks(title, text, contact_starts):
        found.append(ASKS)
    if explains_scheme(text):
        found.append(EXPLAINS)
    if reported_chat(text, contact_starts):
        found.append(REPORTED_CHAT)
    if verdict_first(text, contact_starts):
        found.append(VERDICT_FIRST)
    elif verdict_last(text, contact_starts):
        found.append(VERDICT_LAST)
    return found
