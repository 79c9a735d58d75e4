"""The shortcuts that make scanning fast give the answers of the plain way, on generated input.

* compiled checks (rules.plan) agree with the conditions' own evaluation, in both modes;
* ``nearest_pair`` finds what the all-pairs loop finds;
* cue-gated regex scans find what ``finditer`` finds; the bank-card gate never hides a card;
* the automaton's lazy look-ups agree with grouping every match;
* BMP-only text skips ``str.lower()`` without changing a character, and finds its removable
  separator runs with one regex instead of the general loop;
* candidate rules picked with clause bits are those whose every clause has a term present;
* the word-boundary check's one-pass segmentation gives jieba's own numbers, to the last bit;
* entities found with the automaton's word on which cues occur are those found by looking.
"""

from __future__ import annotations

import random
import re

import pytest

from rules import entities
from rules.conditions import nearest_pair
from rules.engine import PageState
from rules.entities import extract
from rules.matcher import PageMatches, TermMatcher
from rules.normalise import _REMOVABLE_RUN_BMP, _deletion_spans, _translate, normalise
from rules.words import BoundaryChecker, _best_logprob, _window_logprobs
from tests.rules.conftest import rule

CONDITIONS = [
    {"any": ["刷单", "返利", "代练"]},
    {"all": ["刷单", "佣金"]},
    {"at_least": 2, "of": ["刷单", "佣金", "日结", "代练", "收卡"]},
    {"near": [["刷单", "代练"], ["佣金", "日结"]], "within": 3},
    {"near": [["微信"], ["收卡", "佣金"]], "within": 0},
    {"regex": "日赚\\d+元"},
    {"signal": "contact"},
    {"all_of": [{"any": ["刷单"]}, {"not": {"any": ["违法", "代练"]}}]},
    {"any_of": [{"all": ["点赞", "佣金"]}, {"near": [["代练"], ["日结"]], "within": 5}]},
]
WORDS = ["刷单", "返利", "代练", "佣金", "日结", "收卡", "微信", "违法", "点赞", "日赚300元"]
FILLER = ["时", "习", "接", "片", "的", "，", "。", " ", "加", "了", "号", "abc123"]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(WORDS if rng.random() < 0.4 else FILLER) for _ in range(rng.randint(1, 14))
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: next(iter(c)))
def test_compiled_checks_agree_with_conditions(make_engine, condition) -> None:
    engine = make_engine(rule(match=condition))
    ((_, check, _),) = engine._plan
    cond = engine.rules[0].match
    for text in _texts(len(str(condition)), 300):
        nt = normalise(text)
        page = PageState(engine, nt, engine.matcher.scan(nt.text, engine._grouped), extract(nt))
        page.strict = False
        assert check.holds(page) is (cond.evaluate(page) is not None), text
        page.strict = True
        assert check.holds_strict(page) is (cond.evaluate(page) is not None), text


def test_nearest_pair_is_the_first_closest_pair() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        lefts = [("l", _span(rng), rng.random() < 0.3) for _ in range(rng.randint(0, 6))]
        rights = [("r", _span(rng), rng.random() < 0.3) for _ in range(rng.randint(0, 6))]
        within = rng.randint(0, 12)
        rejected = {s for _, s, verify in lefts + rights if verify and rng.random() < 0.5}

        def is_word(start: int, end: int, rejected=rejected) -> bool:
            return (start, end) not in rejected

        best = None
        for a in lefts:
            for b in rights:
                if not all(not o[2] or is_word(*o[1]) for o in (a, b)):
                    continue
                gap = max(b[1][0] - a[1][1], a[1][0] - b[1][1], 0)
                if gap <= within and (best is None or gap < best[0]):
                    best = (gap, a, b)
        expected = best[1:] if best else None
        assert nearest_pair(lefts, rights, within, is_word) == expected
        assert (nearest_pair(lefts, rights, within, is_word, any_pair=True) is None) is (
            expected is None
        )


def _span(rng: random.Random) -> tuple[int, int]:
    start = rng.randint(0, 40)
    return start, start + rng.randint(1, 4)


CUED = [
    (entities._QQ_GROUP, entities._QQ_GROUP_CUES),
    (entities._WECHAT, entities._WECHAT_CUES),
    (entities._TME, entities._TME_CUES),
    (entities._TG_HANDLE, entities._TG_CUES),
    (entities._SCHEME_URL, entities._SCHEME_CUES),
    (entities._ICP, entities._ICP_CUES),
    (entities._BEIAN, entities._BEIAN_CUES),
]
PIECES = (
    list("群号码加进入微信+v@:：=- _，。0123456789abcxyz")
    + ["qq群", "q群", "wechat", "weixin", "http://", "https://", "www.", "t.me/", "telegram"]
    + [
        "telegram.me/",
        "joinchat/",
        "tg",
        "纸飞机",
        "飞机",
        "电报",
        "京icp备",
        "icp证",
        "沪公网安备",
    ]
)


@pytest.mark.parametrize(("regex", "cues"), CUED, ids=lambda x: getattr(x, "pattern", "")[:12])
def test_cued_scans_find_what_finditer_finds(regex: re.Pattern[str], cues) -> None:
    rng = random.Random(regex.pattern)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 24)))
        expected = [(m.span(), m.groups()) for m in regex.finditer(text)]
        assert [(m.span(), m.groups()) for m in entities._cued_finditer(regex, text, cues)] == (
            expected
        ), text


def test_card_gate_never_hides_a_card() -> None:
    rng = random.Random(11)
    digits = [chr(c) for c in range(0x110000) if chr(c).isdecimal()]
    texts = [
        "卡号 " + "".join(rng.choice(digits) for _ in range(rng.randint(14, 20)))
        for _ in range(3000)
    ]
    texts += ["卡号" + "".join(rng.choice("0123456789 -") for _ in range(24)) for _ in range(3000)]
    for text in texts:
        norm = normalise(text).text
        if entities._CARD.search(norm):
            assert entities._may_hold_card(norm), text
    assert not entities._may_hold_card("订单 2023-01-05 价格 1380 元，电话 13812345678")


def test_digits_of_other_scripts_are_no_card_numbers() -> None:
    # the card regex once took any decimal digit (\d) and summed Luhn over their code points
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "6222020200112233445")
    assert [e.type for e in extract(normalise(f"银行卡号 {arabic_indic}"))] == []
    assert [
        e.value for e in extract(normalise("银行卡号 ６２２２０２０２００１１２２３３４４５"))
    ] == []
    found = extract(normalise("收款卡号 4111 1111 1111 1111"))
    assert [(e.type, e.value) for e in found] == [("bank_card", "4111111111111111")]


def test_homophone_gate_lets_every_variant_through() -> None:
    from rules.normalise import _may_have_homophone, homophones

    for variant, canonical in homophones().items():
        assert _may_have_homophone(f"请加{variant}好友"), variant
        assert canonical in normalise(f"请加{variant} abc123").text or variant.isascii()
    assert not _may_have_homophone("请加微信好友，或者 QQ 联系")


def test_page_matches_agree_with_grouping_every_match() -> None:
    matcher = TermMatcher(["刷单", "单返", "返利", "刷单返利", "佣金", "金"])
    text = "刷单返利，佣金刷单返利佣金金" * 3
    found = matcher.find(text)
    for grouped in (frozenset(), frozenset({0, 2}), frozenset(range(6))):
        page = matcher.scan(text, grouped)
        assert page.present == {matcher.index[t] for t in found}
        for term, spans in found.items():
            assert page.spans(matcher.index[term]) == spans
            assert page.first(matcher.index[term]) == spans[0]
    assert PageMatches([]).spans(3) == []


def test_bmp_text_needs_no_lower_case_pass() -> None:
    # the full path (table, then str.lower()) against the BMP path (table only)
    chars = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert _translate(chars, astral=False)[0] == _translate(chars, astral=True)[0]


def test_ascii_runs_need_only_lower_case() -> None:
    # ASCII text and ASCII runs take str.lower() instead of the table
    from rules.normalise import char_table

    ascii_entries = {chr(c): m for c, m in char_table().items() if c < 0x80}
    assert ascii_entries == {ch: ch.lower() for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def test_the_table_pass_tells_whether_a_page_has_invisible_characters() -> None:
    assert _translate("刷单返利 ＡＢＣ 微信", astral=False) == ("刷单返利 abc 微信", False)
    for invisible in "\u200b\ufeff\u00ad\u2060":
        assert _translate(f"刷{invisible}单 ＡＢＣ", astral=False) == (f"刷{invisible}单 abc", True)
        assert normalise(f"刷{invisible}单返利").text == "刷单返利"


def test_first_occurrences_found_one_by_one_agree_with_the_table() -> None:
    # indexes whose packed bytes can straddle two items (5 after 1280, 0 after 65535…)
    rng = random.Random(5)
    choices = [0, 1, 5, 256, 1280, 65535, 70000, 5 * 65536]
    for _ in range(2000):
        matches = [(rng.choice(choices), s, s + 2) for s in range(rng.randint(0, 60))]
        page = PageMatches(matches)
        asked = [i for i in choices if rng.random() < 0.7]
        for index in asked:
            expected = next(((s, e) for i, s, e in matches if i == index), None)
            if expected is None:
                with pytest.raises(KeyError):
                    page.first(index)
            else:
                assert page.first(index) == expected


def test_removable_runs_regex_agrees_with_the_general_loop() -> None:
    # astral=True takes the general loop (it also runs on BMP text)
    pieces = list("刷单微信返利abxyz09 \t\u00a0\u3000-_.·•・*~|/^+=#'`\"°，。（）\n")
    pieces += ["\u2605", "\u2764", "\u2600", "\ufe0f", "\u3030", "\u2300", "\u3400", "\u9fff"]
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        fast = [m.span() for m in _REMOVABLE_RUN_BMP.finditer(text)]
        assert fast == _deletion_spans(text, astral=True), repr(text)


def test_clause_bits_pick_the_rules_whose_clauses_all_occur(make_engine) -> None:
    engine = make_engine(
        rule(match={"all_of": [{"any": ["刷单", "返利"]}, {"any": ["佣金", "日结"]}]}),
        rule("task_scam.two", match={"all": ["刷单", "日结"]}),
        rule("task_scam.three", match={"any_of": [{"any": ["代练"]}, {"signal": "contact"}]}),
    )
    index = engine.matcher.index
    words = ["刷单", "返利", "佣金", "日结", "代练"]
    rng = random.Random(9)
    for _ in range(300):
        present = {index[w] for w in words if rng.random() < 0.5}
        expected = [
            i
            for i, (required, _, _) in enumerate(engine._plan)
            if required is None or all(not c.isdisjoint(present) for c in required)
        ]
        assert engine._candidate_indexes(present) == expected


@pytest.mark.parametrize("few_rules", [0, 16], ids=["clause-bits", "clause-by-clause"])
def test_candidates_among_some_rules_are_those_of_all_rules(make_engine, monkeypatch, few_rules):
    monkeypatch.setattr("rules.engine._FEW_RULES", few_rules)
    engine = make_engine(
        rule(match={"all_of": [{"any": ["刷单", "返利"]}, {"any": ["佣金", "日结"]}]}),
        rule("task_scam.two", match={"all": ["刷单", "日结"]}),
        rule("task_scam.three", match={"any_of": [{"any": ["代练"]}, {"signal": "contact"}]}),
        rule("task_scam.four", match={"near": [["代练"], ["日结"]], "within": 3}),
    )
    index = engine.matcher.index
    words = ["刷单", "返利", "佣金", "日结", "代练"]
    rng = random.Random(10)
    for _ in range(300):
        present = {index[w] for w in words if rng.random() < 0.5}
        among = rng.randrange(16)
        expected = sum(1 << i for i in engine._candidate_indexes(present) if among >> i & 1)
        all_candidates = engine.candidate_bits(present)
        assert engine._candidates_among(among, present, lambda n=all_candidates: n) == expected


def test_window_segmentation_gives_jiebas_numbers() -> None:
    """Routes over a window, its head and its tail: exactly what jieba's get_DAG + calc give
    on each of them (equal floats, so word-boundary verdicts cannot change)."""
    tokenizer = BoundaryChecker(vocabulary=WORDS)._get_tokenizer()
    rng = random.Random(11)
    pieces = [*WORDS, *FILLER, "时代练习", "接收卡片", "垫付款", "缉私警察", "警察", "信"]
    for _ in range(400):
        window = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))[:18]
        cut = rng.randrange(len(window))
        route, head = _window_logprobs(tokenizer, window, cut)
        expected: dict[int, tuple[float, int]] = {}
        tokenizer.calc(window, tokenizer.get_DAG(window), expected)
        assert route == [expected[i] for i in range(len(window) + 1)], window
        assert head == _best_logprob(tokenizer, window[:cut]), (window, cut)
        for tail in range(cut, len(window) + 1):
            assert route[tail][0] == _best_logprob(tokenizer, window[tail:]), (window, tail)


def test_entities_with_cues_from_the_automaton_are_those_found_by_looking(make_engine) -> None:
    engine = make_engine(rule(match={"any": ["刷单"]}))
    pieces = [
        *FILLER, "飞机", "纸飞机", "电报", "tg", "telegram", "@abc_def1", "：", "号", "t.me/",
        "joinchat/", "https://", "http://", "www.", "example", ".com", ".apk", "/p?x=1", "京",
        "icp", "备", "12345678", "公网安备", "11010502030001", "-1", "\n", "微信", "q群",
    ]  # fmt: skip
    rng = random.Random(5)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        nt = normalise(text)
        present = engine.matcher.scan(nt.text).present
        cues = {cue for cue, i in engine._cue_indexes if i in present}
        assert cues == {cue for cue in entities.AUTOMATON_CUES if cue in nt.text}
        assert [e.to_dict() for e in extract(nt, cues)] == [e.to_dict() for e in extract(nt)]


@pytest.mark.parametrize("few_rules", [0, 16], ids=["clause-bits", "clause-by-clause"])
def test_unless_parts_settle_what_each_rule_would_decide_on_its_own(
    make_engine, monkeypatch, few_rules
) -> None:
    """Rules share parts of their `unless` blocks; deciding the parts widest first, once each
    (a broad part decided by a set look-up before candidates are picked), fires exactly the
    rules whose match holds and whose whole `unless` block does not."""
    monkeypatch.setattr("rules.engine._FEW_RULES", few_rules)
    shared = {"at_least": 2, "of": ["骗局", "警惕", "谨防", "违法"]}
    broad = {"any": ["更新内容", "日结工资"]}  # no word checks: decided by a set look-up
    engine = make_engine(
        rule("task_scam.a", match={"any": ["刷单"]}, unless={"any_of": [shared, broad]}),
        rule(
            "task_scam.b",
            match={"all": ["刷单", "佣金"]},
            unless={"any_of": [shared, {"any": ["代练"]}, broad]},
        ),
        rule(
            "task_scam.c",
            match={"any": ["日结"]},
            unless={"any_of": [{"any": ["代练"]}, broad]},
        ),
        rule("task_scam.d", match={"any": ["返利", "点赞"]}),
        rule(
            "task_scam.e",
            match={"near": [["微信"], ["佣金", "日结"]], "within": 4},
            unless={"any_of": [shared, {"all": ["违法", "点赞"]}, {"signal": "contact"}]},
        ),
        rule(
            "task_scam.f",
            match={"at_least": 2, "of": ["刷单", "返利", "日结"]},
            # nested any_of blocks are taken apart into their parts
            unless={"any_of": [{"any_of": [shared, {"any": ["代练"]}]}, {"any": ["收卡"]}]},
        ),
    )
    assert [part for part, _ in engine._broad_parts] == [engine._plan[0][2].children[1]]
    words = [*WORDS, "骗局", "警惕", "谨防", "13812345678", "更新内容", "日结工资"]
    rng = random.Random(13)
    for _ in range(600):
        text = "".join(
            rng.choice(words if rng.random() < 0.5 else FILLER) for _ in range(rng.randint(1, 16))
        )
        nt = normalise(text)
        page = PageState(engine, nt, engine.matcher.scan(nt.text, engine._grouped), extract(nt))
        expected = [
            r.id
            for r in engine.rules
            if r.match.evaluate(page) is not None
            and (r.unless is None or r.unless.evaluate(page) is None)
        ]
        assert [h.rule_id for h in engine.scan(text).hits] == expected, text


def test_removals_and_digit_runs_in_one_pass_agree_with_one_after_the_other() -> None:
    from rules.normalise import (
        _CHINESE_DIGITS,
        _DIGIT_RUN,
        _digits,
        _removable_and_digit_runs,
    )

    def one_after_the_other(text: str) -> str:
        kept = text
        for start, end in reversed(_deletion_spans(text, astral=True)):
            kept = kept[:start] + kept[end:]
        return _DIGIT_RUN.sub(_digits, kept)

    def one_pass(text: str) -> str:
        deletions, runs = _removable_and_digit_runs(text)
        for start, end in runs:
            text = (
                text[:start]
                + "".join(_CHINESE_DIGITS.get(c, c) for c in text[start:end])
                + text[end:]
            )
        for start, end in reversed(deletions):
            text = text[:start] + text[end:]
        return text

    pieces = list("一二三四五六七八九〇零幺壹0123456789 -·*~|号码电话刷单ab，。")
    pieces += ["  ", " - ", "❤", "微信", "138", "一三八"]
    rng = random.Random(17)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert one_pass(text) == one_after_the_other(text), repr(text)
