"""Entity extractors: one table of positive and negative cases per extractor."""

from __future__ import annotations

import pytest

from rules.entities import EXTRACTORS, extract, luhn_valid
from rules.normalise import normalise

# (extractor, text, expected [(type, value, original slice)])
CASES = {
    "phone": [
        ("电话：13812345678", [("phone", "13812345678", "13812345678")]),
        ("138-1234-5678", [("phone", "13812345678", "138-1234-5678")]),
        ("+86 139 1234 5678", [("phone", "13912345678", "+86 139 1234 5678")]),
        ("一三八一二三四五六七八", [("phone", "13812345678", "一三八一二三四五六七八")]),
        ("１３８１２３４５６７８", [("phone", "13812345678", "１３８１２３４５６７８")]),
        ("订单号 2138123456789", []),
        ("12345678901", []),
        ("138123456789", []),
        ("价格 1380 元", []),
        # every digit spaced out, the web's way past keyword filters
        ("电话 1 3 9 1 2 3 4 5 6 7 8", [("phone", "13912345678", "1 3 9 1 2 3 4 5 6 7 8")]),
        ("第 1 3 5 7 9 2 4 6 8 0 1 2 页", []),
        ("2 1 3 9 1 2 3 4 5 6 7 8", []),
    ],
    "qq": [
        ("QQ:123456", [("qq", "123456", "123456")]),
        ("扣扣 2837461920", [("qq", "2837461920", "2837461920")]),
        ("企鹅号１２３４５６", [("qq", "123456", "１２３４５６")]),
        ("邮箱 55667788@qq.com", [("qq", "55667788", "55667788")]),
        ("QQ 音乐 2023 年度榜单", []),
        ("qq1234", []),
        ("q群 123456", []),
        ("QQ：2 6 6 1 0 3 7 8 4 5", [("qq", "2661037845", "2 6 6 1 0 3 7 8 4 5")]),
        ("扣扣 2837 4619 20", [("qq", "2837461920", "2837 4619 20")]),
        ("QQ 1 2 3 4", []),
        ("QQ 12345 67890 12345", []),  # a longer number, not a QQ carved out of it
    ],
    "qq_group": [
        ("QQ群：７７６５４３２１１", [("qq_group", "776543211", "７７６５４３２１１")]),
        ("群号 123456", [("qq_group", "123456", "123456")]),
        ("加群 66778899 领任务", [("qq_group", "66778899", "66778899")]),
        ("群号 7 7 6 5 4 3 2 1", [("qq_group", "77654321", "7 7 6 5 4 3 2 1")]),
        ("本群 200 人", []),
        ("群号在置顶公告", []),
    ],
    "wechat": [
        ("加 VX：dz20235", [("wechat", "dz20235", "dz20235")]),
        ("薇信号 abc_123", [("wechat", "abc_123", "abc_123")]),
        ("微信：13912345678", [("wechat", "13912345678", "13912345678")]),
        ("wechat: hello_world", [("wechat", "hello_world", "hello_world")]),
        ("微信支付满100减10", []),
        ("关注微信公众号", []),
        ("微信 abc", []),
        # the short aliases, only right before a colon
        ("添加反诈专员薇：fzzy_0871 登记", [("wechat", "fzzy_0871", "fzzy_0871")]),
        ("私聊 V：dk8866", [("wechat", "dk8866", "dk8866")]),
        ("vx: abc_1234", [("wechat", "abc_1234", "abc_1234")]),
        ("VIP：abcdef12", []),
        ("蔷薇 abcdef12", []),
    ],
    "bank_card": [
        (
            "卡号 6222 0212 3456 7890 128",
            [("bank_card", "6222021234567890128", "6222 0212 3456 7890 128")],
        ),
        ("收款账户：4111111111111111", [("bank_card", "4111111111111111", "4111111111111111")]),
        ("4111 1111 1111 1111", [("bank_card", "4111111111111111", "4111 1111 1111 1111")]),
        ("卡号 4111111111111112", []),  # fails Luhn
        ("编号 4111111111111111", []),  # not a card cue, not grouped
        ("身份证号 4111111111111111", []),
    ],
    "usdt": [
        (
            "地址 TYDzsYUEpvnYmQk4zGP9sWWcTEd2MiAtW9",
            [
                (
                    "usdt_trc20",
                    "TYDzsYUEpvnYmQk4zGP9sWWcTEd2MiAtW9",
                    "TYDzsYUEpvnYmQk4zGP9sWWcTEd2MiAtW9",
                )
            ],
        ),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7",
            [
                (
                    "usdt_erc20",
                    "0x52908400098527886e0f7030069857d2e4169ee7",
                    "0x52908400098527886E0F7030069857D2E4169EE7",
                )
            ],
        ),
        ("tydzsyuepvnymqk4zgp9swwcted2miatw9", []),  # lower case is not base58 of an address
        ("TYDzsYUEpvnYmQk4zGP9sWWcTEd2MiAtW0", []),  # 0 is not base58
        ("0x1234", []),
    ],
    "telegram": [
        ("Telegram: @fraud_boss", [("telegram", "@fraud_boss", "@fraud_boss")]),
        ("飞机 @abcde12", [("telegram", "@abcde12", "@abcde12")]),
        ("t.me/scamgroup", [("telegram", "t.me/scamgroup", "t.me/scamgroup")]),
        ("tg:abcdef", [("telegram", "@abcdef", "abcdef")]),
        ("坐飞机去北京", []),
        ("发邮件到 a@example.com", []),
    ],
    "url": [
        (
            "访问 https://Example.com/Path?a=1。",
            [("url", "https://Example.com/Path?a=1", "https://Example.com/Path?a=1")],
        ),
        ("官网 www.abc.com", [("url", "www.abc.com", "www.abc.com")]),
        ("下载 http://x.cn/app.apk", [("apk", "http://x.cn/app.apk", "http://x.cn/app.apk")]),
        (
            "打开 abc.top:8080/x/y.apk?z=1",
            [("apk", "abc.top:8080/x/y.apk?z=1", "abc.top:8080/x/y.apk?z=1")],
        ),
        ("邮件 hr@example.com", []),
        ("文件 report.txt", []),
    ],
    "icp": [
        ("京ICP备12345678号-1", [("icp", "京ICP备12345678号-1", "京ICP备12345678号-1")]),
        (
            "京公网安备 11010502030143号",
            [("icp", "京公网安备11010502030143号", "京公网安备 11010502030143号")],
        ),
        ("ICP许可证", []),
    ],
}

PARAMS = [(name, text, expected) for name, rows in CASES.items() for text, expected in rows]


@pytest.mark.parametrize(("extractor", "text", "expected"), PARAMS)
def test_extractor(extractor: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    found = list(EXTRACTORS[extractor](normalise(text)))
    assert [(e.type, e.value, text[e.start : e.end]) for e in found] == expected


def test_every_entity_type_has_a_table() -> None:
    assert set(CASES) == set(EXTRACTORS)


def test_extract_prefers_the_specific_reading() -> None:
    entities = extract(normalise("QQ群 123456789，微信：13912345678"))
    assert [(e.type, e.value) for e in entities] == [
        ("qq_group", "123456789"),
        ("phone", "13912345678"),
        ("wechat", "13912345678"),
    ]


@pytest.mark.parametrize(
    ("number", "valid"), [("4111111111111111", True), ("4111111111111112", False)]
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid
