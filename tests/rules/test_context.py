"""Anti-fraud context: a police notice that quotes a scam is damped, a scam script that says
公安局/民警/涉案 in the first and second person is not (rules.context, rules/data/context.yaml)."""

from __future__ import annotations

import pytest

from rules import load_engine
from rules.context import ANTI_FRAUD, REPORT_LIKE
from rules.result import Hit
from rules.scoring import rank_categories

# (text, expected context label, flagged by the default packs?)
CASES = [
    pytest.param(
        "您好，我是XX市公安局刑侦支队的民警，警号0123。您名下的银行卡涉嫌一起洗钱案件，"
        "现在需要您配合调查，不要告诉任何人，把资金转到安全账户进行核查。",
        None,
        True,
        id="police-impersonation-script",
    ),
    pytest.param(
        "这里是公安局反诈中心，我们发现您涉嫌诈骗活动，请您配合我们的调查，添加我的微信办理后续事项。",
        None,
        True,
        id="fake-antifraud-centre-script",
    ),
    pytest.param(
        "你好，我是派出所民警。你的身份信息被盗用，涉嫌非法洗钱，请配合调查并下载会议软件做笔录。",
        None,
        True,
        id="short-officer-script",
    ),
    pytest.param(
        "民警提醒：近日，多名市民接到自称“公安局民警”的电话，称其涉嫌洗钱，要求转到安全账户。"
        "公检法机关不会电话办案，凡是要求转账的都是诈骗，如有疑问请拨打96110。",
        ANTI_FRAUD,
        False,
        id="police-notice-quoting-script",
    ),
    pytest.param(
        "警方提醒：骗子冒充公检法称“你涉嫌洗钱，请配合调查”，并发送通缉令。国家反诈中心提醒，"
        "切勿向所谓安全账户转账，谨防上当。",
        ANTI_FRAUD,
        False,
        id="publicity-quoting-second-person",
    ),
    pytest.param(
        "本报讯（记者 李明 通讯员 王芳）市公安局近日破获一起冒充公检法诈骗案，抓获犯罪嫌疑人5名。"
        "受害人称对方自称民警，以资金核查为名骗走20万元。警方提醒市民提高警惕。",
        ANTI_FRAUD,
        False,
        id="news-report",
    ),
]


@pytest.mark.parametrize(("text", "label", "flagged"), CASES)
def test_police_script_versus_police_notice(text: str, label: str | None, flagged: bool) -> None:
    engine = load_engine()
    result = engine.scan(text)
    verdict = engine.context(text)
    assert verdict.label == label
    if label is None:
        assert verdict.label not in (ANTI_FRAUD, REPORT_LIKE)
        assert verdict.script_words, "a script must be recognised by its second-person cues"
    assert (result.level in ("high", "medium")) is flagged, (result.level, result.reasons)


def test_script_cues_are_not_listed_as_publicity_words() -> None:
    verdict = load_engine().context("我是民警，您涉嫌洗钱，请您配合调查。")
    assert "民警" not in verdict.words
    assert {"我是民警", "您涉嫌", "请您配合"} <= set(verdict.script_words)
    assert verdict.score < 0


def _hit(category: str, weight: float) -> Hit:
    return Hit(
        rule_id=f"{category}.x",
        rule_version=1,
        category=category,
        title="t",
        level="medium",
        weight=weight,
        matched=[],
        start=0,
        end=0,
        snippet="",
    )


def test_strongest_rule_decides_the_category_over_many_weaker_ones() -> None:
    hits = [_hit("fake_investment", 75), _hit("fake_investment", 45), _hit("romance_scam", 80)]
    assert rank_categories(hits) == ["romance_scam", "fake_investment"]
    # equal strongest hits: the total breaks the tie
    hits = [_hit("fake_loan", 75), _hit("fake_loan", 45), _hit("fake_customer_service", 75)]
    assert rank_categories(hits) == ["fake_loan", "fake_customer_service"]


# A narrator who retells the pitch and then turned it down (rules/data/context.d/narration.yaml)
NARRATED_REFUSALS = [
    "回复楼主：我去年也遇到过自称京东客服的，说要注销白条，让我下载会议软件共享屏幕，我直接挂了。",
    "楼主，你说的那个跑分平台我查过，好几个人被抓了，别做，赚的那点钱不够判的。",
    "我在闲鱼买了一部手机，卖家让我加微信私下交易，我没同意，坚持在平台付款，后来那个号被封了。",
    "有人在群里发“高佣兼职，日结500”，我问了一下要先交押金，果断退群了，大家别上当。",
]
# ...and the pitches themselves, which never report their own refusal
PITCHES = [
    "京东金融客服：您的白条需要注销，否则影响征信，请下载会议软件共享屏幕，按指引操作。",
    "跑分平台招人，用你的支付宝收款，日入三百，押金500，加微信pf8866。",
    "闲鱼看到的手机便宜出，加微信私下交易，不走平台，先付款后发货，v：sj-8866",
]


@pytest.mark.parametrize("text", NARRATED_REFUSALS)
def test_a_narrated_refusal_is_not_flagged(text: str) -> None:
    result = load_engine(model=False).scan(text)
    assert result.level not in ("high", "medium"), result.reasons


@pytest.mark.parametrize("text", PITCHES)
def test_the_pitch_itself_is_still_flagged(text: str) -> None:
    result = load_engine(model=False).scan(text)
    assert result.level in ("high", "medium"), result.reasons


# Advice, questions, victims' outcomes and service notices on the web
# (rules/data/context.d/advice.yaml): they tell the reader what never to give, enter or click,
# ask whether to do it, or are a service's own notice that it never contacts the reader that way.
ADVICE_AND_NOTICES = [
    (
        "我妈上周就中了“快递丢失理赔”的链接，输了验证码，卡里被刷了四千多。已经报警了，"
        "大家提醒家里人，验证码谁要都别给。"
    ),
    (
        "助记词是钱包私钥的另一种表现形式，谁拿到助记词谁就能控制你的资产。常见的钓鱼方式包括仿冒官网"
        "下载页、假客服私聊你帮你解决转账失败。助记词永不输入任何网页，不能给任何人。"
    ),
    "钱包官网让我输助记词迁移，该不该输？打开说版本升级需重新导入助记词同步资产，我该输吗？",
    (
        "风险挺大：给了账号密码等于把号交出去，先付全款后开工的，跑路了你没任何保障。"
        "真想省事，至少选有担保的平台，别私下转账。"
    ),
    (
        "纳税人可通过个人所得税APP办理，退税直接退至本人实名银行卡，税务机关不会通过短信链接"
        "要求填写银行卡密码或验证码。"
    ),
]
# ...and a scam page that carries the service's line in a block of its own: the line lowers
# only its own block, the pitch keeps its score
ONE_LINE_EVASION = [
    (
        "钱包版本升级，请导入助记词同步资产，否则资产将被冻结，点击链接立即迁移。\n\n"
        "安全提示：官方客服不会通过QQ私聊您，请勿泄露密码。"
    ),
    (
        "兼职刷单，日结佣金，加微信abc12345先垫付，做完返本金加佣金。\n\n"
        "温馨提示：本平台不会通过电话要求您转账，请勿轻信。"
    ),
]


@pytest.mark.parametrize("text", ADVICE_AND_NOTICES)
def test_advice_questions_and_notices_are_not_flagged(text: str) -> None:
    result = load_engine(model=False).scan(text)
    assert result.level not in ("high", "medium"), result.reasons


@pytest.mark.parametrize("text", ONE_LINE_EVASION)
def test_a_notice_line_does_not_excuse_the_pitch_block(text: str) -> None:
    result = load_engine(model=False).scan(text)
    assert result.level in ("high", "medium"), result.reasons
