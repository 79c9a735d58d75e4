from __future__ import annotations

import json

import farm
from farm.kinds import CYCLE, KINDS
from farm.model import key_of
from rules.loader import taxonomy

TAXONOMY = set(taxonomy())  # the ids rule packs may use (rules/data/taxonomy.yaml)


def test_same_seed_same_farm():
    a = farm.build_farm(25, seed=3, base_port=30000).truth()
    b = farm.build_farm(25, seed=3, base_port=30000).truth()
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def test_other_seed_other_farm():
    a = farm.build_farm(25, seed=3, base_port=30000)
    b = farm.build_farm(25, seed=4, base_port=30000)
    assert [s.name for s in a.sites] != [s.name for s in b.sites]


def test_rendering_is_deterministic(small_farm):
    site = small_farm.sites_of_kind("discuz_forum")[0]
    again = farm.build_farm(len(small_farm.sites), seed=11, base_port=small_farm.base_port).sites[
        site.index
    ]
    for page in site.pages[:20]:
        first = site.kind_obj.render(site, small_farm, page).body
        assert first == again.kind_obj.render(again, small_farm, page).body


def test_every_kind_in_a_small_farm(small_farm):
    kinds = {site.kind for site in small_farm.sites}
    assert kinds == set(KINDS)
    js = small_farm.sites_of_kind("js_app")
    assert {site.registry_render for site in js} == {True, False}, "one JS site must not be flagged"
    assert len(CYCLE) <= 30


def test_hostile_kinds_are_marked(truth):
    for site in truth["sites"]:
        assert (site["hostile"] is not None) == site["kind"].startswith("hostile_")
        if site["hostile"]:
            assert site["hostile_details"]


def test_fraud_pages_carry_signals(truth):
    fraud = [page for site in truth["sites"] for page in site["fraud_pages"]]
    assert len(fraud) > 30
    assert {page["category"] for page in fraud} <= TAXONOMY
    assert len({page["category"] for page in fraud}) >= 8
    for page in fraud:
        assert page["entities"], f"{page['url']} has no contact or money entity"
    assert any(page.get("obfuscated") for page in fraud)
    assert any(page.get("js_only") for page in fraud)
    assert any("post_index" in page for page in fraud)


def test_fraud_carrying_kinds_have_fraud(truth):
    for site in truth["sites"]:
        if KINDS[site["kind"]].has_fraud:
            assert site["fraud_pages"], site["name"]
        if site["kind"] in ("news_portal", "company"):
            assert not site["fraud_pages"], "portals and companies are the benign baseline"


def test_benign_pages_that_look_like_fraud_are_labelled(truth):
    portal = next(s for s in truth["sites"] if s["kind"] == "news_portal")
    assert any(p.get("quotes_scam") for p in portal["benign_pages"])
    companies = [s for s in truth["sites"] if s["kind"] == "company"]
    assert (
        any(p.get("shares_scam_words") for s in companies for p in s["benign_pages"])
        or len(companies) < 3
    )


def test_aliases_and_tracking_params_route_to_the_same_page(small_farm):
    forum = small_farm.sites_of_kind("discuz_forum")[0]
    thread = next(p for p in forum.pages if p.role == "thread")
    for alias in thread.aliases:
        assert forum.page(alias) is thread
    assert forum.page(thread.aliases[0] + "&extra=page%3D1") is thread
    assert key_of("/a?b=1&a=2&utm_source=x&sid=abc") == "/a?a=2&b=1"


def test_farm_of_4300_sites_builds_with_distinct_ports():
    big = farm.build_farm(4300, seed=5)
    ports = [site.port for site in big.sites]
    assert len(set(ports)) == 4300
    assert ports == list(range(big.base_port, big.base_port + 4300))
    assert big.control_port not in ports
    assert len({site.name for site in big.sites}) == 4300
    assert {site.kind for site in big.sites} == set(KINDS)
    # Pages are planned lazily: a far site still plans and routes.
    last = big.sites[-1]
    assert last.page("/") is not None or last.page("/index.php") is not None


def test_ports_must_fit():
    import pytest

    with pytest.raises(ValueError):
        farm.build_farm(100, base_port=65500)


def test_scam_copy_is_obfuscated_as_real_spam_is():
    import random

    from farm import content

    texts = [
        content.fraud_text(random.Random(n), "task_scam", {"city": "临江"}, obfuscate=True).body
        for n in range(200)
    ]
    joined = "\n".join(texts)
    assert any(v in joined for v in ("薇信", "VX", "v信", "威信", "徽信"))
    assert any(v in joined for v in ("刷-单", "刷 单", "刷.单"))
    assert any(ch in joined for ch in "０１２３４５６７８９")


def test_planted_bank_cards_pass_luhn():
    import random

    from farm.content import bank_card

    for n in range(50):
        digits = [int(d) for d in bank_card(random.Random(n))]
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        assert checksum % 10 == 0
