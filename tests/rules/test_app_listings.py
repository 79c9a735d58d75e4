"""App-store listings describe finance, dating and shopping apps with scam-like words (高收益, 提现,
代理提成, 一对一); every pack's anti-fraud `unless` also recognises the listing's own headings
(更新内容, 软件特色, 功能介绍…), which scam scripts never use. The same pitch as a private message
must still be flagged."""

from __future__ import annotations

import pytest

from rules import load_engine

LISTINGS = [
    pytest.param(
        "惠赚理财是一款手机理财App，预期年化收益可达8%，稳健安全，100元起投，新用户注册送体验金，"
        "收益每日到账，随时提现到银行卡。软件特色：银行存管，资金安全有保障。"
        "更新内容：优化充值提现流程，修复已知问题。",
        id="wealth-app",
    ),
    pytest.param(
        "乐购返利是一款领券购物App，购物即返利，成为推广代理即可获得好友购物提成，邀请越多奖励越多，"
        "最低1元可提现到支付宝。功能介绍：一键找券、返利到账提醒。版本更新：新增大额券专区。",
        id="cashback-app",
    ),
]


@pytest.mark.parametrize("text", LISTINGS)
def test_app_store_listing_is_not_flagged(text: str) -> None:
    result = load_engine().scan(text)
    assert result.level in ("none", "low"), (result.level, [h.rule_id for h in result.hits])


def test_same_pitch_as_a_private_message_is_flagged() -> None:
    text = (
        "李老伯，我们这个养老项目每月可以拿投资额2%的利息，投十万每月两千，绝对安全，"
        "您只需把钱转到公司账户，我怎么会骗你呢。"
    )
    result = load_engine().scan(text)
    assert result.level in ("high", "medium"), result.reasons
    assert result.categories[0] == "fake_investment"
