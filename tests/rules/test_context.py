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
