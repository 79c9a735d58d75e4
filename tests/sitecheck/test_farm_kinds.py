"""The page facts and the judge on the farm's compromised kinds and look-alikes, page by page as
the page model reads them (no crawl), on farms of seeds the end-to-end test does not use."""

from __future__ import annotations

import pytest

import farm
from farm.kinds import CYCLE
from farm.kinds.base import FarmRequest
from pagemodel.model import read_page
from pagemodel.scan import scan_page
from rules import load_engine
from sitecheck.facts import page_facts
from sitecheck.judge import judge_site

pytestmark = pytest.mark.slow

EXPECTED = {
    "hacked_gov": ["spam_injected"],
    "expired_takeover": ["takeover_suspected"],
    "icp_renumbered": [],
    "sports_news": [],
    "company": [],
    "bom_site": [],
}


@pytest.mark.parametrize("seed", [3, 101])
def test_verdicts_of_the_farm_kinds(seed):
    built = farm.build_farm(len(CYCLE), seed=seed, base_port=22000)
    engine = load_engine()
    for site in built.sites:
        if site.kind not in EXPECTED:
            continue
        row = {"name": site.name, "icp": site.icp, "type": site.site_type, "owner": site.owner}
        facts = []
        for page in site.pages:
            reply = site.kind_obj.respond(site, built, FarmRequest(page.path, ""))
            if reply.status != 200:
                continue
            read = read_page(reply.body, site.url[:-1] + page.path, reply.headers["Content-Type"])
            facts.append(
                page_facts(read, scan_page(engine, read), row, depth=0 if page.path == "/" else 1)
            )
        kinds = [v.kind for v in judge_site(row, facts)]
        assert kinds == EXPECTED[site.kind], (site.kind, site.name)
