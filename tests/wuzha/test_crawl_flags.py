"""`wuzha crawl` with flags it cannot use: a sentence naming the flag (exit 2), never a
traceback, and nothing crawled."""

from __future__ import annotations

import pytest

from tests.crawler.helpers import run_wuzha, write_sites


@pytest.fixture
def sites(tmp_path):
    return write_sites(
        tmp_path / "sites.jsonl", [{"id": "s1", "name": "一", "url": "http://a.test/"}]
    )


def _crawl(tmp_path, sites, *args):
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--allow-private", "127.0.0.0/8", "--quiet", *args],
        tmp_path / "connects.jsonl",
    )
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


CASES = [
    (["--site-timeout", "-5"], "--site-timeout must be a positive number, not -5"),
    (["--site-timeout", "0"], "--site-timeout must be a positive number, not 0"),
    (["--concurrency", "0"], "--concurrency must be a positive number, not 0"),
    (["--concurrency", "-4"], "--concurrency must be a positive number, not -4"),
    (["--concurrency-per-site", "0"], "--concurrency-per-site must be a positive number, not 0"),
]


@pytest.mark.parametrize(("args", "sentence"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_numbers_out_of_range_are_refused(tmp_path, sites, args, sentence):
    code, said = _crawl(tmp_path, sites, *args)
    assert code == 2 and f"error: {sentence}" in said, said[-2000:]
    assert "Traceback" not in said
