"""The farm's compromised kinds and clean look-alikes: ground truth, and randomised markers."""

from __future__ import annotations

import farm
from farm.kinds import CYCLE
from farm.kinds.base import FarmRequest


def _sites(seed, kind):
    built = farm.build_farm(len(CYCLE), seed=seed, base_port=21000)
    return built, built.sites_of_kind(kind)


def _html(built, site, path):
    reply = site.kind_obj.respond(site, built, FarmRequest(path, ""))
    assert reply.status == 200
    return reply.body.decode("utf-8")


def test_every_compromised_kind_is_in_the_cycle():
    for kind in ("hacked_gov", "expired_takeover", "icp_renumbered", "sports_news"):
        assert kind in CYCLE


def test_hacked_gov_truth_and_pages():
    built, [site] = _sites(7, "hacked_gov")
    truth = site.kind_obj.truth_extra(site)
    assert truth["compromise"] == ["spam_injected"]
    assert truth["parasitic_pages"] >= 24
    assert truth["planted_title_pages"] and truth["hidden_link_pages"]
    assert site.owner.endswith("人民政府办公室") and site.site_type == "政务服务"
    parasitic = [p for p in site.pages if p.role == "parasitic"]
    assert all(p.path.startswith(truth["parasitic_dir"]) for p in parasitic)
    home = _html(built, site, "/")
    assert truth["parasitic_dir"] in home  # reachable only through the hidden links
    assert truth["parasitic_dir"] not in home.split('<div class="nav"', 1)[-1].split("</ul>", 1)[0]


def test_hacked_gov_says_which_pages_carry_planted_gambling_spam():
    """What the evaluation counts as fraud on a hacked site: every page an intruder wrote or
    planted spam on; the untouched articles stay benign."""
    _, [site] = _sites(7, "hacked_gov")
    truth = site.kind_obj.truth_extra(site)
    planted = {p.path for p in site.pages if site.kind_obj.planted_fraud(site, p) == "gambling"}
    parasitic = {p.path for p in site.pages if p.role == "parasitic"}
    expected = parasitic | set(truth["planted_title_pages"]) | set(truth["hidden_link_pages"])
    assert planted == expected
    assert {p.path for p in site.pages} - planted  # some articles were left alone


def test_markers_differ_from_seed_to_seed():
    dirs, brands, icps = set(), set(), set()
    for seed in (1, 2, 3, 4):
        _, [gov] = _sites(seed, "hacked_gov")
        _, [takeover] = _sites(seed, "expired_takeover")
        dirs.add(gov.kind_obj.truth_extra(gov)["parasitic_dir"])
        extra = takeover.kind_obj.truth_extra(takeover)
        brands.add(extra["shown_name"])
        icps.add(extra["shown_icp"])
    assert len(dirs) == len(brands) == len(icps) == 4


def test_expired_takeover_shows_another_name_and_icp_than_its_registry_row():
    built, [site] = _sites(7, "expired_takeover")
    extra = site.kind_obj.truth_extra(site)
    assert extra["compromise"] == ["takeover_suspected"]
    assert site.site_type == "企业网站" and site.owner == site.name
    home = _html(built, site, "/")
    assert extra["shown_icp"] in home and site.icp not in home
    assert extra["shown_name"] in home and site.name not in home


def test_icp_renumbered_keeps_its_name_with_a_new_number():
    built, [site] = _sites(7, "icp_renumbered")
    extra = site.kind_obj.truth_extra(site)
    assert extra["compromise"] == []
    home = _html(built, site, "/")
    assert extra["shown_icp"] in home and site.icp not in home and site.name in home
