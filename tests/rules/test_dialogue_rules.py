"""Dialogue-level rules: a conversation that talks someone into paying is flagged as a whole.

Each rule of this kind combines independent moves (a lure, the other side being won over, the
scammer's assurance, money changing hands). The same moves with the money kept on an official
channel, or a warning that quotes them, must stay unflagged.
"""

from __future__ import annotations

import pytest

from rules import load_engine

FLAGGED = ("high", "medium")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            (
                "阿明：我们这个养老公寓投资项目每月分红，回报比银行高多了。\n"
                "老周：听起来不错，那我先试试。\n"
                "阿明：放心，绝对正规，你把钱转给我，我帮你办手续。"
            ),
            "fake_investment",
        ),
        (
            (
                "小刘：这个棋牌平台我赢了好几千，你只需要先充值五百。\n"
                "小陈：好吧，我也试试。\n"
                "小刘：放心，输了算我的，充值后跟着我下注。"
            ),
            "gambling",
        ),
        (
            (
                "您好，我是快递客服，我们发现您的包裹在运输中丢失，现为您办理理赔，"
                "请添加客服QQ并提供银行卡号完成验证。"
            ),
            "fake_customer_service",
        ),
        (
            (
                "您好，我是某银行信贷部工作人员，可以为您办理30万贷款额度，您是否需要？"
                "需要的话请加我微信并下载App完成验证。"
            ),
            "fake_loan",
        ),
    ],
)
def test_scam_dialogue_is_flagged_with_its_category(text: str, category: str) -> None:
    result = load_engine().scan(text)
    assert result.level in FLAGGED
    assert result.categories[0] == category


@pytest.mark.parametrize(
    "text",
    [
        # bank product bought on the bank's own app
        (
            "A：银行的R2理财收益还行。\nB：听起来不错，风险大吗？\n"
            "A：放心，波动小，但理财有风险，不保本。\nB：好吧，我在手机银行先投入一万试试。"
        ),
        # second-hand deal paid through the platform's escrow
        "买家：听起来不错，我下单了。\n卖家：没问题，你在平台上付款就行，平台担保交易，放心。",
        # a warning quoting the script
        "民警提醒：有人说“这个投资项目回报高，放心，先转账试试”的，都是诈骗，谨防上当，提高警惕。",
        # family news about money already received
        "奶奶，我是小明，生活费你已经转账给我了，收到啦，我马上要上课了。",
    ],
)
def test_honest_conversation_is_not_flagged(text: str) -> None:
    assert load_engine().scan(text).level not in FLAGGED
