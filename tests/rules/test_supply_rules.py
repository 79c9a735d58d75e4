"""The web's black market selling to and recruiting for fraud crews (issue 11, item 3): phishing
kits and stolen-data 料, scam scripts, packaged dating accounts and 聊手, GJF callers, card
shorthand (YHK, DG户, ZFB号), 搬砖/U商/走水 recruitment, 空放 and 铲单 replies — what must be
flagged, under which category, and the reports, warnings and questions that use the same words.

Texts are the team's own, written for these tests (never taken from the dev corpora)."""

from __future__ import annotations

import pytest

from rules.lexicons import load_lexicons
from rules.selftest import Report, run_lexicon_examples
from tests.rules.conftest import assert_flagged_under, assert_quiet

LEXICONS = ("phishing_kit_goods", "scam_script_goods", "stolen_data_goods", "fraud_crew_roles")


def test_supply_lexicons_exist_and_pass_their_examples() -> None:
    known = load_lexicons()
    assert [name for name in LEXICONS if name not in known] == []
    report = run_lexicon_examples(Report())
    ours = {f"@{name}" for name in LEXICONS}
    assert [str(f) for f in report.failures if f.rule_id in ours] == []


FLAGGED = [
    (
        "出 钓 鱼 模 板：邮箱扩容、ETC认证，数据实时回传，防红短链，一套六百，飞机 @fish_tpl",
        "phishing",
    ),
    ("长期收网银料、截码料，按条结算，TG @liao_buyer", "phishing"),
    ("杀猪盘话术全套打包：养鱼篇到杀鱼篇，人设素材齐全，U结，私我", "romance_scam"),
    ("招 聊 手，婚恋号我们提供，开单提成百分之八，飞机联系", "romance_scam"),
    ("招GJF二线，会压场的优先，日结，单提八个点，飞：@gjf_er", "impersonate_authority"),
    ("【收】YHK 一类 带盾 3K；DG户 面议，飞：@sk_demo", "card_trading"),
    ("有没有出ZFB号的，实名能收款，价格好商量", "card_trading"),
    ("有卡的来搬砖，包吃住，日薪一千，✈ @bz_demo", "money_laundering"),
    ("我做空放的，需要多少？五万以内当天到账", "fake_loan"),
    ("征信铲单 个人征信洗白 逾期消除 征信修复价格 联系QQ 1234567890", "fake_credit_repair"),
]

QUIET = [
    # reports and court news name the same goods and roles
    "警方查获一批钓鱼页面模板和假钱包源码，嫌疑人按条出售截码料，已被刑事拘留。",
    "庭审中，公诉人出示了杀猪盘团伙的话术剧本，“聊手”按剧本使用包装号与受害人聊天。",
    "冒充公检法团伙分一线、二线、三线，二线冒充警察做视频笔录，警方提醒谨防受骗。",
    # warnings and questions
    "招“聊手”的就是招诈骗犯，去了就是共犯，千万别去。",
    "空放是什么意思？有人说当天放款，靠谱吗？",
    "【公安机关提醒】“带卡就行、包吃住”的搬砖招聘就是洗钱，切勿参与。",
    # ordinary pages sharing a word
    "工地招小工，搬砖卸水泥，日结三百，包午饭，电话联系王师傅。",
    "本店支持支付宝、微信收款码付款，会员满100减10。",
    "周末水库野钓，钓鱼爱好者一起来，报名私聊群主。",
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_supply_posts_are_flagged_under_their_category(text: str, category: str) -> None:
    assert_flagged_under(text, category)


@pytest.mark.parametrize("text", QUIET)
def test_reports_warnings_and_ordinary_pages_stay_quiet(text: str) -> None:
    assert_quiet(text)
