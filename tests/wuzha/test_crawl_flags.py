"""`wuzha crawl` with flags it cannot use: a sentence naming the flag (exit 2), never a
traceback, and nothing crawled."""

from __future__ import annotations

import os

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


def test_out_on_an_existing_file(tmp_path, sites):
    target = tmp_path / "results.txt"
    target.write_text("keep me", "utf-8")
    code, said = _crawl(tmp_path, sites, "--out", str(target))
    assert code == 2, said[-2000:]
    assert (
        f"error: --out {target} is a file, not a folder; give a folder for the results "
        "(it is created if missing)" in said
    )
    assert "Traceback" not in said and target.read_text("utf-8") == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can create folders anywhere")
def test_job_dir_that_cannot_be_created(tmp_path, sites):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, said = _crawl(tmp_path, sites, "--job-dir", str(locked / "job"))
    assert code == 2, said[-2000:]
    assert (
        f"error: --job-dir {locked / 'job'}: cannot create it (permission denied); give a "
        "folder you can write to" in said
    )
    assert "Traceback" not in said


def test_job_dir_under_a_file(tmp_path, sites):
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    code, said = _crawl(tmp_path, sites, "--job-dir", str(blocker / "job"))
    assert code == 2, said[-2000:]
    assert f"error: --job-dir {blocker / 'job'}: cannot create it (not a directory" in said
    assert "Traceback" not in said


def test_log_file_that_cannot_be_created(tmp_path, sites):
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    code, said = _crawl(tmp_path, sites, "--log-file", str(blocker / "crawl.log"))
    assert code == 2, said[-2000:]
    assert f"error: --log-file {blocker / 'crawl.log'}: cannot write it (not a directory" in said
    assert "Traceback" not in said


def test_log_file_on_a_folder(tmp_path, sites):
    code, said = _crawl(tmp_path, sites, "--log-file", str(tmp_path))
    assert code == 2, said[-2000:]
    assert f"error: --log-file {tmp_path}: cannot write it (is a directory" in said
    assert "Traceback" not in said


def test_demo_out_on_an_existing_file(tmp_path):
    target = tmp_path / "demo.txt"
    target.write_text("keep me", "utf-8")
    proc = run_wuzha(["demo", "--out", str(target), "--quiet"], tmp_path / "connects.jsonl")
    said = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 2, said[-2000:]
    assert f"error: --out {target} is a file, not a folder; give a folder for the demo" in said
    assert "Traceback" not in said
