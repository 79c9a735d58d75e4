"""A crawl killed at any moment resumes with no page missed and none emitted twice."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter

import pytest

from crawler.forumlinks import utility_page
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, page_urls, serve_farm, sites_from_truth
from tests.crawler.helpers import read_jsonl, run_wuzha, start_wuzha

pytestmark = pytest.mark.slow

# Small content sites whose every page fits in the budget: the truth lists all they have.
KINDS = {
    "news_portal",
    "local_news_gbk",
    "company",
    "bom_site",
    "mislabeled_charset",
    "big5_site",
    "discuz_forum",
    "phpbb_forum",
}


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume-farm")
    with serve_farm(24, tmp / "truth.json"):
        yield json.loads((tmp / "truth.json").read_text("utf-8"))


def _expected_pages(truth):
    pages = []
    for site in truth["sites"]:
        if site["kind"] not in KINDS:
            continue
        for page in site["fraud_pages"] + site["benign_pages"]:
            if (
                page.get("robots_disallowed")
                or page.get("js_only")
                or page.get("status", 200) != 200
            ):
                continue
            if utility_page(page["url"]):  # profiles and forms: skipped by design
                continue
            pages.append(page)
    return pages


def _wait_for_lines(path, count, timeout=120.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and sum(1 for _ in path.open("rb")) >= count:
            return
        if process is not None and process.poll() is not None:
            return  # finished before that: nothing left to interrupt
        time.sleep(0.1)
    raise AssertionError(f"{path} never reached {count} lines")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_crawl_resumes_without_gaps_or_duplicates(farm, tmp_path, stop):
    sites = sites_from_truth(farm, tmp_path / "sites.jsonl", only=lambda s: s["kind"] in KINDS)
    out = tmp_path / "out"
    args = [
        "crawl",
        "--sites",
        str(sites),
        "--out",
        str(out),
        "--job-dir",
        str(tmp_path / "job"),
        "--no-render",
        *CRAWL_ARGS,
    ]
    first = start_wuzha(args, tmp_path / "connects-1.jsonl", env=CRAWL_ENV)
    _wait_for_lines(out / "pages.jsonl", 150)
    first.send_signal(stop)
    first.wait(60)
    interrupted = read_jsonl(out / "pages.jsonl")
    assert 150 <= len(interrupted) < len(_expected_pages(farm))

    # Interrupted again while resuming: a kill lands at another moment (and on the torn journal
    # lines the first kill left), and what the first resume journalled must survive it too.
    again = start_wuzha([*args, "--resume"], tmp_path / "connects-1b.jsonl", env=CRAWL_ENV)
    _wait_for_lines(out / "pages.jsonl", len(interrupted) + 120, process=again)
    again.send_signal(stop)
    again.wait(60)

    second = run_wuzha([*args, "--resume"], tmp_path / "connects-2.jsonl", env=CRAWL_ENV)
    assert second.returncode == 0, second.stderr[-3000:]

    pages = read_jsonl(out / "pages.jsonl")
    counts = Counter(p["url"] for p in pages)
    assert [u for u, n in counts.items() if n > 1] == [], "pages emitted twice"
    missing = [
        (p["url"], p["role"]) for p in _expected_pages(farm) if not page_urls(p) & counts.keys()
    ]
    assert missing == []
    assert {p["run_id"] for p in pages if "run_id" in p} <= {pages[0].get("run_id")}
