"""The shipped packs: valid, every rule's own examples pass, the benign baseline stays quiet."""

from __future__ import annotations

import pytest

from rules import load_engine
from rules.loader import DEFAULT_PACKS_DIR, check_packs, taxonomy
from rules.selftest import DEFAULT_BASELINE_DIR, baseline_pages

RULES, PROBLEMS = check_packs([DEFAULT_PACKS_DIR])


def test_packs_are_valid() -> None:
    assert [str(p) for p in PROBLEMS] == []


def test_every_taxonomy_category_has_rules() -> None:
    assert {r.category for r in RULES} == set(taxonomy())


EXAMPLES = [
    pytest.param(r.id, text, expected, id=f"{r.id}-{'match' if expected else 'no_match'}-{i}")
    for r in RULES
    for expected, texts in ((True, r.examples_match), (False, r.examples_no_match))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("rule_id", "text", "must_fire"), EXAMPLES)
def test_rule_example(rule_id: str, text: str, must_fire: bool) -> None:
    fired = {h.rule_id for h in load_engine().scan(text).hits}
    assert (rule_id in fired) is must_fire


PAGES = list(baseline_pages(DEFAULT_BASELINE_DIR))


@pytest.mark.skipif(not PAGES, reason="no baseline pages in rules/baseline/ yet")
@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_benign_baseline_stays_clean(page) -> None:
    result = load_engine().scan(page.text, title=page.title, url=page.url)
    unexpected = [h.rule_id for h in result.hits if h.rule_id not in page.accepted]
    assert unexpected == [], f"{page.source}: {[h.snippet for h in result.hits]}"
    assert result.level in ("low", "none")
