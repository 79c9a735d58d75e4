"""The condition language, table-driven: (condition, text, fires?)."""

from __future__ import annotations

import pytest

from tests.rules.conftest import rule

CASES = [
    ({"any": ["刷单", "返利"]}, "兼职返利", True),
    ({"any": ["刷单", "返利"]}, "兼职日结", False),
    ({"all": ["刷单", "佣金"]}, "刷单有佣金", True),
    ({"all": ["刷单", "佣金"]}, "刷单没有钱", False),
    ({"at_least": 2, "of": ["刷单", "佣金", "日结"]}, "佣金日结", True),
    ({"at_least": 2, "of": ["刷单", "佣金", "日结"]}, "只有佣金", False),
    ({"near": [["刷单"], ["佣金"]], "within": 5}, "刷单，高额佣金", True),
    ({"near": [["刷单"], ["佣金"]], "within": 5}, "佣金在前也算刷单", True),
    ({"near": [["刷单"], ["佣金"]], "within": 5}, "刷单这件事情跟后面说的高额佣金", False),
    ({"regex": "日赚\\d+元"}, "在家日赚500元", True),
    ({"regex": "日赚\\d+元"}, "日赚很多", False),
    ({"regex": "(?:日|月)入\\d+"}, "月入30000", True),
    ({"signal": "contact"}, "详情加微信 abc123", True),
    ({"signal": "contact"}, "电话 13812345678", True),
    ({"signal": "contact"}, "详情请到店咨询", False),
    ({"signal": "money"}, "先转账500元", True),
    ({"signal": "money"}, "卡号 4111 1111 1111 1111", True),
    ({"signal": "money"}, "先吃饭", False),
    ({"all_of": [{"any": ["刷单"]}, {"signal": "contact"}]}, "刷单加qq 123456", True),
    ({"all_of": [{"any": ["刷单"]}, {"signal": "contact"}]}, "刷单违法", False),
    ({"any_of": [{"any": ["刷单"]}, {"all": ["点赞", "佣金"]}]}, "点赞拿佣金", True),
    ({"any_of": [{"any": ["刷单"]}, {"all": ["点赞", "佣金"]}]}, "点赞支持", False),
    ({"all_of": [{"any": ["刷单"]}, {"not": {"any": ["违法"]}}]}, "刷单返利", True),
    ({"all_of": [{"any": ["刷单"]}, {"not": {"any": ["违法"]}}]}, "刷单违法", False),
    # terms match through obfuscation: they are normalised like the page
    ({"all": ["刷单", "微信"]}, "刷❤單，加薇 信", True),
    ({"any": ["USDT"]}, "收ｕｓｄｔ", True),
    # short Chinese terms must be words in context (jieba, around the hit only)
    ({"any": ["代练"]}, "游戏代练服务", True),
    ({"any": ["代练"]}, "一个时代练就了他", False),
    ({"any": ["收卡"]}, "他接收卡片了", False),
]


@pytest.mark.parametrize(("condition", "text", "fires"), CASES)
def test_condition(make_engine, condition, text: str, fires: bool) -> None:
    engine = make_engine(rule(match=condition))
    assert bool(engine.scan(text).hits) is fires


def test_unless_suppresses_the_rule(make_engine) -> None:
    engine = make_engine(rule(match={"any": ["刷单"]}, unless={"any": ["警惕"]}))
    assert engine.scan("刷单返利").hits
    assert not engine.scan("警惕刷单返利").hits


def test_word_boundary_never_matches_substrings(make_engine) -> None:
    engine = make_engine(rule(match={"any": ["代练"]}, word_boundary="never"))
    assert engine.scan("一个时代练就了他").hits


def test_rules_without_their_terms_are_not_evaluated(make_engine) -> None:
    engine = make_engine(
        rule("task_scam.a", match={"all_of": [{"any": ["刷单"]}, {"any": ["佣金"]}]}),
        rule("task_scam.b", match={"any": ["返利"]}),
    )
    assert engine._candidates({"刷单"}) == []
    assert engine._candidates({"刷单", "佣金", "返利"}) == [0, 1]
