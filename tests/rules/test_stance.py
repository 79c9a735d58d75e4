"""Stance told by a section's shape (rules/stance.py): a reader's closing question, a chat shown by
one of its parties — and the pitches, scripts and testimonials that look like them."""

from __future__ import annotations

import random

import pytest

from rules import load_engine
from rules.stance import (
    _SPEAKER,
    ASKS,
    EXPLAINS,
    REPORTED_CHAT,
    VERDICT_FIRST,
    asks_about_it,
    reported_chat,
    sends_off_site,
    shapes_of,
    speaker_labels,
    title_asks,
    verdict_last,
)

FLAGGED = ("high", "medium")


@pytest.mark.parametrize(
    "text",
    [
        "我表姐在一个平台做刷单返利，先垫付再返佣金，说日赚三百，拉我一起做。这种是真的吗？",
        "朋友说他在做承兑商，收U再卖出去赚差价。这个是正规的吗？需要什么条件？",
        "领导的QQ让我先给一个账户转两万，说他在开会。我该怎么办？",
        "聊了一个多月，她一直让我去她的平台买彩票。这正常吗",
    ],
)
def test_a_closing_doubt_is_a_question(text: str) -> None:
    assert asks_about_it(text)


@pytest.mark.parametrize(
    "text, contacts",
    [
        # a pitch answers its rhetorical question and ends on its contact
        ("刷单兼职靠谱吗？当然靠谱！日结300，加QQ 2846617350 领任务", ()),
        ("征信花了贷不了款怎么办？专业下款，加V：dk8866", ()),
        ("征信花了贷不了款？怎么办？加V dk8866", (16,)),  # the contact after the questions
        # a caller's polite question to the one called
        ("您的账户涉嫌洗钱，需要转到安全账户核查。请问您方便配合吗？", ()),
        ("你这边考虑清楚了吗？这个风险你要自己承担吗？", ()),
        # a planted search title: a brand and 安全吗, pointing at nothing
        ("博顺体育官网入口-博顺体育app下载-博顺体育安全吗", ()),
        # a question inside a dialogue of named speakers (a scam call's transcript)
        ("李警官：请把钱转到安全账户。 王女士：好的。 王女士：我是不是被骗了？", ()),
    ],
)
def test_what_only_looks_like_a_question(text: str, contacts: tuple[int, ...]) -> None:
    assert not asks_about_it(text, contacts)


def test_a_chat_shown_by_its_party() -> None:
    chat = "【聊天记录】 对方：我们是做跑分的，需要收款账户 对方：每一万给你200 我：不做了，已拉黑"
    assert reported_chat(chat)
    assert shapes_of(chat) == [REPORTED_CHAT]


@pytest.mark.parametrize(
    "text",
    [
        # a seller's "happy customer" chat, ending on the seller's contact
        "今日晒单： 老板A：到账了 我：谢谢老板 老板B：推荐给朋友了 我：🙏 需要的加V：dc-8899",
        # a dialogue of named roles, the research corpora's call scripts
        "客服：您好，您的订单需要退款。 顾客：好的。 客服：请下载会议软件共享屏幕。",
        # an ad's contact lines
        "电话：0571-8888 微信：abc123 地址：城北路8号",
    ],
)
def test_what_is_no_reported_chat(text: str) -> None:
    contacts = [text.index("V：")] if "V：" in text else []
    assert not reported_chat(text, contacts)


def test_a_question_post_is_no_longer_flagged() -> None:
    text = "我表姐在一个平台做刷单返利，先垫付再返佣金，说日赚三百，拉我一起做。这种是真的吗？"
    result = load_engine(model=False).scan(text)
    assert result.level not in FLAGGED, result.reasons
    assert any("结尾在问" in reason for reason in result.reasons), result.reasons


def test_a_reported_chat_weighs_less_than_the_same_pitch_posted() -> None:
    engine = load_engine(model=False)
    pitch = "对方：我们是做跑分的，需要收款账户，收到款转给我们，每一万给你200佣金"
    chat = f"【聊天记录】 {pitch} 对方：放心，有风控 我：不做了"
    assert engine.scan(chat).score < engine.scan(pitch).score


@pytest.mark.parametrize(
    "text",
    [
        "征信花了贷不了款怎么办？我们专业下款，黑户也能批，加V：dk8866 秒回",
        (
            "今日晒单： 老板A：点券到账了，真便宜 我：谢谢老板 老板B：已经推荐给朋友了 我：🙏"
            " 点券一折代充，需要的加V：dc-8899"
        ),
        (
            "李警官：您好，我是市公安局的，您的银行卡涉嫌洗钱，需要把资金转到安全账户配合调查。"
            " 王女士：啊？那我该怎么办？ 李警官：请下载安全防护APP，按提示转账，不要告诉任何人。"
        ),
    ],
)
def test_the_look_alikes_are_still_flagged(text: str) -> None:
    result = load_engine(model=False).scan(text)
    assert result.level in FLAGGED, result.reasons
    assert ASKS not in shapes_of(text)


def test_a_question_with_a_short_afterword_still_asks() -> None:
    text = "“在家可做，商家补单，佣金日结，本金秒返”，这种兼职能做吗？对方说有营业执照"
    assert asks_about_it(text)
    # ...but not when the afterword is the pitch's own contact line
    assert not asks_about_it("贷款被拒怎么办？专业下款，加V：dk8866")


@pytest.mark.parametrize(
    "text, opens_on_verdict",
    [
        ("别信。“包装流水”本身就是伪造材料骗贷，被银行发现要负法律责任。", True),
        ("是骗局，海关罚没的东西不会这样卖，付了定金还会让你补运费。", True),
        # a seller running down the others speaks of itself and leaves a contact
        ("市面上很多是骗子，我们是正规律所合作，成功率95%。", False),
        ("别信中介，找我们直接下款", False),
        # a long first clause is no verdict
        ("这个平台是不是骗人的我也不知道，反正我朋友做了三个月了", False),
    ],
)
def test_a_reply_that_opens_on_its_verdict(text: str, opens_on_verdict: bool) -> None:
    assert (VERDICT_FIRST in shapes_of(text)) is opens_on_verdict
    assert VERDICT_FIRST not in shapes_of(text, contact_starts=[len(text) - 1])


def test_a_notice_that_hands_over_a_chat_handle_is_no_notice() -> None:
    fake = (
        "【反诈中心】您好，您的手机号被他人用于电信诈骗，已被列入涉诈号码库，今日18时停机。"
        "请立即添加反诈专员薇：fzzy_0871 进行号码清白登记。"
    )
    real = (
        "【反诈中心】您好，近期冒充客服退款诈骗高发，凡要求您下载会议软件、共享屏幕的都是诈骗，"
        "如有疑问请拨打96110。"
    )
    engine = load_engine(model=False)
    assert "private_handle" in shapes_of(fake, [fake.index("fzzy")], ["wechat"])
    assert engine.scan(fake).level in FLAGGED, engine.scan(fake).reasons
    assert engine.scan(real).level not in FLAGGED, engine.scan(real).reasons


# A review's finds: pitches that looked like a reader's question or verdict
@pytest.mark.parametrize(
    "text",
    [
        "跑分平台，收款账户出租，每一万给你200佣金。这个平台安全吗？百分百安全！",
        "招兼职刷单员，先垫付后返佣金，日结300，在家手机就能做。有没有人想一起做的？",
        "收银行卡，一类卡二类卡都收，一套1500，当天结算。有没有人出的？",
        "跑分平台，收款账户出租，每一万给你200佣金。这么靠谱的平台还等什么！",
        "跑分平台，收款账户出租，每一万给你200佣金。这个平台真的很靠谱呢！",
        "绝不是骗局，跑分平台，收款账户出租，每一万给你200佣金，私聊",
    ],
)
def test_a_pitch_that_only_sounds_like_a_reader_keeps_its_score(text: str) -> None:
    assert shapes_of(text) == []
    assert load_engine(model=False).scan(text).level in FLAGGED


def test_a_planted_title_does_not_speak_for_the_post() -> None:
    pitch = "跑分平台，收款账户出租，每一万给你200佣金，稳定靠谱，长期合作。"
    result = load_engine(model=False).scan(pitch, title="XX跑分平台是骗局吗")
    assert result.level in FLAGGED, result.reasons


def test_a_byline_is_no_dialogue() -> None:
    text = "作者：小王\n发布时间：2024-01-01\n我表姐在一个平台做刷单返利，先垫付再返佣金。这种是真的吗？"
    assert asks_about_it(text)


def test_speaker_labels_are_what_the_pattern_finds_everywhere() -> None:
    """Looking only around colons finds exactly the labels of trying the pattern at every
    position: quoted labels holding a colon, URLs, digits, labels back to back."""
    made = [
        "我：在吗 对方：在 “客服：小王”：你好 http://a.cn 价格:9元 甲：乙：丙：",
        "“！p：对。”:”t，方“",
        "。方p：！0\n“我“！h9:”:",
    ]
    rng = random.Random(7)
    alphabet = "我：:“”http s0 9。！\n对方 ab，】"
    made += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    for text in made:
        assert [m.span() for m in speaker_labels(text)] == [
            m.span() for m in _SPEAKER.finditer(text)
        ], text


@pytest.mark.parametrize(
    "text",
    [
        (
            "第一步，他们会打来电话，说你的银行卡涉嫌洗钱。第二步，他们会让你下载一个APP，"
            "开启屏幕共享，让你把钱转到“安全账户”。记住：国家没有安全账户。"
        ),
        "他们的路子是：先让你小额充值，每天给你显示收益，前几次提现都放行；接着让你加仓，再鼓励你拉人。",
    ],
)
def test_an_explainer_of_the_scheme_explains(text: str) -> None:
    assert EXPLAINS in shapes_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # a pitch speaks of itself to "you"
        "我们平台让你轻松赚钱，导师带你做任务，让你日入三百，让你提现秒到，加微信了解。",
        # one "they make you" is no explainer
        "他们让你交押金，别信。",
    ],
)
def test_what_is_no_explainer(text: str) -> None:
    assert EXPLAINS not in shapes_of(text)


def test_an_explainer_quoting_the_script_is_not_flagged() -> None:
    text = (
        "第一步，他们会打来电话，叫出你的名字，说你的银行卡涉嫌洗钱。第二步，电话会被转接给“民警”，"
        "让你“配合调查”。第三步，他们会让你签“保密协议”，让你下载APP，把钱转到“安全账户”。"
    )
    assert load_engine(model=False).scan(text).level not in FLAGGED


@pytest.mark.parametrize(
    "question",
    [
        "有人让我上码跑分，说押金1000，一天跑10万流水能赚两千，合法吗？",
        "贷款APP显示审批通过了，但提现时说我银行卡号错误，要交30%解冻费，我该交吗？",
        "请问“赏金猎人”这个APP能做吗？里面有点赞和试玩任务，还有垫付单，提现要满1元",
        "注册送88彩金能提现，匹配到的女生还邀请我一起玩“幸运28”。感觉不太对劲，有人用过吗？",
    ],
)
def test_long_and_opening_questions_ask(question: str) -> None:
    assert asks_about_it(question)


def test_a_question_title_speaks_for_the_askers_story() -> None:
    title = "朋友让我做“棋牌平台推广代理”，不用投钱，下线流水分成最高55%，违法吗？"
    body = "就是把平台链接发到群里，有人注册充值玩，我就拿分成，朋友说他一个月赚了一万多。"
    assert title_asks(title, body)
    assert ASKS in shapes_of(body, title=title)
    # over a pitch that speaks to the reader, the same title does not
    assert not title_asks(title, "推广代理，流水分成55%，给你日结，长期合作。")


def test_a_notice_that_sends_you_off_site_is_no_notice() -> None:
    text = "【反诈中心】您的银行卡存在盗刷风险，请下载国家反诈中心防护版 fzzx-safe.cc/dl.apk 开启资金保护。"
    assert sends_off_site(text, ["fzzx-safe.cc/dl.apk"])
    assert not sends_off_site("请登录 rsj.example.gov.cn 办理。", ["rsj.example.gov.cn"])
    assert not sends_off_site("详见 fzzx-safe.cc 的报道。", ["fzzx-safe.cc"])  # sends nobody
    assert load_engine(model=False).scan(text).level in FLAGGED


def test_a_broken_link_is_no_address() -> None:
    assert not sends_off_site("点击 http://[abc 登录", ["http://[abc"])


@pytest.mark.parametrize(
    ("text", "closes"),
    [
        ("“办卡给五百”“租号日结”全是坑，最后背锅的是你自己，离远点", True),
        ("婚恋网上聊着聊着说带你投资的，不管多真诚，一律拉黑。", True),
        ("私我的代练接单后会要求先付全款，做一半就跑，我被坑过。", False),  # asks for a message
        ("正规平台，稳赚不赔，绝不是骗局", False),
    ],
)
def test_a_short_reply_that_closes_on_its_verdict(text: str, closes: bool) -> None:
    assert verdict_last(text) is closes
