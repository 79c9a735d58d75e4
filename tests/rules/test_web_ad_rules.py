"""The web's ads for loans, credit repair, forged papers and dating (rules/packs/fake_loan,
fake_credit_repair, fake_shopping, romance_scam and the lexicons they share): what they must
flag, and the readers, victims, offices and agencies that say the same words and must not be.

Texts are the team's own, written for these tests (never taken from the dev corpora)."""

from __future__ import annotations

import pytest

from rules import load_engine
from rules.lexicons import load_lexicons
from rules.selftest import Report, run_lexicon_examples
from tests.rules.conftest import assert_flagged_under, assert_quiet

LEXICONS = (
    "ad_contact_cues",
    "ad_warning_voice",
    "article_voice",
    "victim_voice",
    "loan_offer_words",
    "loan_no_check_promises",
    "loan_pinyin",
    "loan_packaging",
    "credit_records",
    "credit_cleanup",
    "credit_fix_claims",
    "forged_documents",
    "forgery_claims",
    "counterfeit_grades",
    "ticket_lures",
    "cheap_goods_lures",
    "dating_lures",
    "escort_meetup",
    "dating_fees",
    "romance_wealth_lures",
    "overseas_personas",
)


def test_web_ad_lexicons_exist_and_pass_their_examples() -> None:
    known = load_lexicons()
    assert [name for name in LEXICONS if name not in known] == []
    report = run_lexicon_examples(Report())
    ours = {f"@{name}" for name in LEXICONS}
    assert [str(f) for f in report.failures if f.rule_id in ours] == []


FLAGGED = [
    # a promise no licensed lender makes, the contact written so the extractor misses it
    ("征信花了也不怕，黑白户都能下，额度两千到三万，加 V：loan_demo7", "fake_loan"),
    ("手 头 紧 的 戳 主 页 ， 白 户 也 能 借", "fake_loan"),
    ("dk找我 不看zx hh bh都能xk 私我", "fake_loan"),
    ("本地资金方，逾期的也可以做，先交一笔验资金证明还款能力，企鹅 2345678901", "fake_loan"),
    ("逾期记录消除，人行内部渠道，先修后付，微信 zx_demo_01", "fake_credit_repair"),
    ("限/高/可/解，失/信/能/撤，滴/滴/我", "fake_credit_repair"),
    ("办理各类证件：学位证、驾驶证、健康证，免考，官网可查，薇：zj_demo88", "fake_shopping"),
    ("办证|刻章|代开发票|高仿包|复刻表", "fake_shopping"),
    ("莆田纯原 得物可过 一件代发 V：pt_demo", "fake_shopping"),
    ("本地可约 照片真人 先定后见 Q 3456789012", "romance_scam"),
    (
        "离异女，三十岁，想找个踏实的人一起过日子，平时做点黄金投资，可以带你赚钱，微信：gd_demo",
        "romance_scam",
    ),
    ("哥哥一个人吗，交个朋友呀 v：qq_demo57", "romance_scam"),
]

QUIET = [
    # readers and victims quoting the ads
    "这楼里喊“白户秒批、不查征信”的号都是骗子，别加他们。",
    "这个说黑户也能下款的口子靠谱吗？要先交会员费。",
    "去年找人“修复征信”，付了两千定金，对方就失联了，骗子。",
    "真实的逾期谁都删不掉，说能花钱删的全是骗子。",
    "网上说“原单一比一”的全是假货，收了钱就拉黑。",
    "网友一开口就聊理财、投资、平台的，不管多温柔都别信，直接拉黑。",
    # offices, banks and licensed agencies
    "本行个人信用贷款须查询征信，放款前不收取任何费用，请通过手机银行或营业网点申请。",
    "行政处罚信息信用修复请在信用中国网站提交申请书和信用承诺书，全程免费，无需委托中介。",
    "印章刻制备案办事指南：申请材料为营业执照原件和法定代表人身份证。",
    "本婚介所工商注册、民政备案，签订书面服务合同，明码标价，从不要求会员向个人账户转账。",
    # everyday pages
    "游戏复刻皮肤本周上线，加我好友一起开黑。",
    "周末公益相亲会免费参加，现场见面交流，地点在市文化馆。",
]


@pytest.mark.parametrize(("text", "category"), FLAGGED)
def test_the_ads_are_flagged_under_their_category(text: str, category: str) -> None:
    assert_flagged_under(text, category)


@pytest.mark.parametrize("text", QUIET)
def test_readers_offices_and_agencies_stay_quiet(text: str) -> None:
    assert_quiet(text)


def test_a_warning_far_from_the_lure_does_not_excuse_the_ad() -> None:
    """A reader's voice counts next to the ad's own lure words, not anywhere on the page: a
    reply further down a page that only names the scam does not switch the ad off."""
    ad = "黑户白户都能做，不看征信，当天放款，加V：loan_demo9。"
    filler = "楼主的照片拍得真好看，周末我们也去那边玩。" * 4
    reply = "别信骗子。"
    assert load_engine().scan(ad + filler + reply).level in ("high", "medium")
    assert load_engine().scan("说" + ad + "的都是骗子，别信。").level not in ("high", "medium")
