"""The text model as second signal: deterministic training, explained hits, the setting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ground.settings import get_settings
from rules import load_engine
from rules.engine import Engine
from rules.normalise import normalise
from rules.textmodel import (
    BENIGN,
    IDENTIFYING_SIGNALS,
    ModelConfig,
    TextModel,
    char_ngrams,
    load_text_model,
    model_text,
)
from tests.rules.conftest import rule

BENCH = Path(__file__).resolve().parents[2] / "bench"
AD = "手机兼职，在家可做，一单一结，佣金8-30元，宝妈学生优先，加薇：lx52018877"
PHONE_AD = "手机兼职，在家可做，一单一结，佣金8-30元，宝妈学生优先，详情电话 13812345678"
NOTHING = {"any": ["一个不会出现的词"]}  # an engine whose one rule never fires


@pytest.fixture(scope="module")
def train_model():
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(BENCH))
    import train_model

    return train_model


def test_ngrams_fold_digits_and_cover_one_to_three_characters() -> None:
    assert model_text("加v 138 1234\n\n5678") == "加v 000 0000 0000"
    assert char_ngrams("刷单9") == ["刷", "单", "0", "刷单", "单0", "刷单0"]


def test_training_is_deterministic(train_model) -> None:
    records = [r for r in train_model.read_working() if r["batch"].startswith("w1-task_scam-0")]
    texts = [train_model.record_text(r) for r in records]
    labels = [r["label"] for r in records]
    assert BENIGN in labels and len(set(labels)) > 1
    first = train_model.to_json(*train_model.fit(texts, labels, max_features=500, c=4.0), {})
    second = train_model.to_json(*train_model.fit(texts, labels, max_features=500, c=4.0), {})
    assert first == second


def test_shipped_model_was_trained_on_the_working_half(train_model) -> None:
    meta = load_text_model().meta
    assert meta["trained_on"] == "bench/webset/working"
    assert meta["trained_on_sha256"] == train_model.working_sha256()


def test_scores_agree_with_scikit_learn(train_model) -> None:
    records = [r for r in train_model.read_working() if r["batch"].startswith("w1-task_scam-0")]
    texts = [train_model.record_text(r) for r in records]
    labels = [r["label"] for r in records]
    vectorizer, classifier = train_model.fit(texts, labels, max_features=500, c=4.0)
    import json

    model = TextModel.from_json(json.loads(train_model.to_json(vectorizer, classifier, {})))
    benign = list(classifier.classes_).index(BENIGN)
    expected = classifier.predict_proba(vectorizer.transform(texts[:20]))
    for text, row in zip(texts[:20], expected, strict=True):
        assert model.score(text).probability == pytest.approx(1 - row[benign], abs=1e-3)


def test_a_model_hit_is_explained_by_ngrams_of_its_block(make_engine) -> None:
    rules = make_engine(rule(match=NOTHING)).rules
    engine = Engine(
        rules, model=load_text_model(), model_config=ModelConfig(signals=IDENTIFYING_SIGNALS)
    )
    result = engine.scan(PHONE_AD)
    assert Engine(rules).scan(PHONE_AD).level == "none"
    assert result.level == "medium"  # 35 × 1.3 (a contact signal)
    hit = next(h for h in result.hits if h.rule_id.startswith("model."))
    assert hit.category == "task_scam" and hit.rule_id == "model.task_scam"
    assert hit.matched and all(len(gram) > 1 for gram in hit.matched)
    normalised = normalise(PHONE_AD).text
    assert all(gram in model_text(normalised) for gram in hit.matched)
    assert hit.matched[0] in normalise(hit.snippet).text
    assert "文本模型" in hit.title and any("model.task_scam" in r for r in result.reasons)


def test_the_model_never_flags_a_block_without_a_rule_or_a_signal(make_engine) -> None:
    rules = make_engine(rule(match=NOTHING)).rules
    model = load_text_model()
    with_signals = Engine(rules, model=model, model_config=ModelConfig(signals=IDENTIFYING_SIGNALS))
    assert with_signals.scan("手机兼职，在家可做，一单一结，佣金日结，宝妈学生优先").level == "none"
    # without signals, only a rule's hit lets the model speak
    rules_only = ModelConfig(signals=frozenset())
    assert Engine(rules, model=model, model_config=rules_only).scan(PHONE_AD).level == "none"


def test_a_doubtful_model_lowers_a_section_and_says_so() -> None:
    rules = load_engine(model=False).rules
    sure = Engine(
        rules,
        model=load_text_model(),
        model_config=ModelConfig(threshold=1.01, doubt=1.0, doubt_context=float("-inf")),
    )
    plain = load_engine(model=False)
    text = "招聘刷单员，佣金日结，加微信 abc12345"
    assert sure.scan(text).score < plain.scan(text).score
    assert any("文本模型认为" in r for r in sure.scan(text).reasons)


@pytest.mark.parametrize(("value", "on"), [("0", False), ("1", True)])
def test_the_setting_turns_the_model_on_and_off(monkeypatch, value: str, on: bool) -> None:
    monkeypatch.setenv("WUZHA_RULES_MODEL", value)
    get_settings.cache_clear()
    try:
        engine = load_engine()
        assert (engine.model is not None) is on
        hits = engine.scan(AD).hits
        assert any(h.rule_id.startswith("model.") for h in hits) is on
    finally:
        get_settings.cache_clear()


# Where the model once went wrong: the rules' `unless` excuses a quoted ad, and the model, which
# reads stance less well, now keeps quiet in a section so excused; a lost-and-found notice with a
# phone number and a site URL read as phishing (Latin and URL n-grams lean that way in the
# training texts), so links are blanked in the model's window.
def test_a_warning_that_quotes_an_ad_stays_unflagged_with_the_model() -> None:
    engine = load_engine(model=True)
    text = "说黑户白户都能做，不看征信，当天放款，加V：loan_demo9。的都是骗子，别信。"
    assert engine.scan(text).level not in ("high", "medium")


def test_a_notice_with_a_phone_and_a_url_stays_unflagged_with_the_model() -> None:
    engine = load_engine(model=True)
    text = "失物招领：钥匙一串，请联系 13905710001 认领。网址 http://www.binjiang.test/about"
    assert engine.scan(text).level not in ("high", "medium")


# Where no rule fired: a reply or an ad often hands over its channel in words (私我, 企鹅, 飞机@)
# rather than as a handle the entity extractors parse; the model is heard there too, at a higher
# bar, and that cue is the section's contact. A warning's, a report's or a victim's voice keeps
# it quiet; another rule's routing exclusion (走账 is no loan) no longer does.
HANDOFF_REPLY = "有支付宝的来，收款码挂到我们这边，每笔抽成，一天几百，要做的私我"


def test_the_model_is_heard_where_a_post_hands_over_a_channel_in_words(make_engine) -> None:
    rules = make_engine(rule(match=NOTHING)).rules
    model = load_text_model()
    result = Engine(rules, model=model).scan(HANDOFF_REPLY)
    assert result.level == "medium"  # 35 × 1.3: the cue is the section's contact
    assert [h.rule_id for h in result.hits] == ["model.money_laundering"]
    assert any("私我" in r for r in result.reasons)
    words_off = ModelConfig(signal_words=False)
    assert Engine(rules, model=model, model_config=words_off).scan(HANDOFF_REPLY).level == "none"


def test_a_victims_story_with_a_handoff_cue_leaves_the_model_silent(make_engine) -> None:
    rules = make_engine(rule(match=NOTHING)).rules
    story = "我被骗了，对方说要做的私我，收款码挂到他们那边每笔抽成，后来就把我拉黑了"
    assert Engine(rules, model=load_text_model()).scan(story).level == "none"


def test_only_stance_excuses_a_section_from_the_model() -> None:
    rules = load_engine(model=False).rules
    model = load_text_model()
    ad = "闲置银行卡帮公司走账，一张卡一天300起，卡不离身，只需配合转账，Q：2093860000"
    by_stance = Engine(rules, model=model).scan(ad)
    by_any_unless = Engine(rules, model=model, model_config=ModelConfig(stance_excuse=False))
    assert by_any_unless.scan(ad).level == "none"  # a loan rule's 走账 exclusion silenced it
    assert by_stance.level == "medium"
    # (a card lent out to move a company's money: card trade and mule work at once)
    assert by_stance.categories[0] in ("money_laundering", "card_trading")


# A rule that needs a contact: its term stands in a post that gives none (a near miss)
NEEDS_CONTACT = {"all_of": [{"any": ["刷单"]}, {"signal": "contact"}]}
NEAR_MISS = "刷单日结，佣金高，手机操作，一天三百"


def test_alone_the_model_confirms_a_near_miss_of_its_category(make_engine) -> None:
    rules = make_engine(rule(match=NEEDS_CONTACT, examples=EXAMPLES_WITH_CONTACT)).rules
    model = load_text_model()
    never = ModelConfig(alone=None)
    assert Engine(rules, model=model, model_config=never).scan(NEAR_MISS).level == "none"
    alone = ModelConfig(alone=0.9)
    result = Engine(rules, model=model, model_config=alone).scan(NEAR_MISS)
    assert result.level == "medium", result.reasons
    assert [(h.rule_id, h.weight) for h in result.hits] == [("model.task_scam", 45.0)]


def test_alone_the_model_names_no_category_whose_rules_stayed_away(make_engine) -> None:
    other = rule("romance_scam.test", match=NEEDS_CONTACT, examples=EXAMPLES_WITH_CONTACT)
    rules = make_engine(other).rules
    alone = ModelConfig(alone=0.9)
    assert Engine(rules, model=load_text_model(), model_config=alone).scan(NEAR_MISS).level == (
        "none"
    )


def test_alone_the_model_does_not_read_a_section_without_a_near_miss(make_engine) -> None:
    rules = make_engine(rule(match=NOTHING)).rules
    alone = ModelConfig(alone=0.5)
    assert Engine(rules, model=load_text_model(), model_config=alone).scan(NEAR_MISS).hits == []


EXAMPLES_WITH_CONTACT = {
    "match": ["刷单日结，加微信 abc12345"] * 3,
    "no_match": ["今天天气很好。", "我们去公园散步吧。", "刷单日结，一天三百"],
}


def test_doubt_lowers_only_a_section_whose_context_leans(make_engine) -> None:
    rules = make_engine(rule(match={"any": ["刷单"]})).rules
    model = load_text_model()
    pitch = "刷单日结，佣金高，一天三百"
    reply = "别信。刷单就是这样骗人的，先给小钱再让你垫付大单"
    doubting = ModelConfig(doubt=1.0, doubt_damping=0.5, doubt_context=1)  # (always doubts)
    plain = Engine(rules, model=model, model_config=ModelConfig(doubt=None))
    doubted = Engine(rules, model=model, model_config=doubting)
    # the pitch leans nowhere: the model's doubt is no evidence alone
    assert doubted.scan(pitch).score == plain.scan(pitch).score
    assert doubted.scan(reply).score < plain.scan(reply).score
