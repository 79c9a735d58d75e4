"""Drill: a full disk loses nothing silently.

Elasticsearch is unreachable, so every document goes to the spool, and the spool lives on a
tiny tmpfs (mounted in a private mount namespace: ``unshare -m``, as root). The sweep used to
exit 0 while most documents were lost (the bulk writer emptied its buffer before the write and
the OSError escaped the pipeline). Now it stops with a sentence and a non-zero exit, and a
``--resume`` with room in the spool gets every page's document into it. A spool that cannot
be written at all is refused before the sweep starts, in a sentence.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from farm import build_farm
from farm.runner import free_base_port, running
from ground.urls import page_id
from indexer.spool import Spool
from tests.crawler.farmsites import CRAWL_ARGS, CRAWL_ENV, sites_from_truth
from tests.crawler.helpers import REPO, _command, read_jsonl, run_wuzha

pytestmark = pytest.mark.slow

DOWN = "http://127.0.0.1:9"  # nothing listens on the discard port here
TMPFS_SIZE = "128k"  # room for the first few batches of documents, not for the sweep
KINDS = ("company", "local_news_gbk", "bom_site")  # well-behaved sites with many pages
# Small batches, so the spool fills in the middle of the sweep rather than at its end.
ENV = {**CRAWL_ENV, "ELASTICSEARCH_URL": DOWN, "WUZHA_BULK_CHUNK_SIZE": "5", "COLUMNS": "200"}
# Mount a tmpfs on $0 in a mount namespace of its own, run the crawl, keep what the spool got
# (the tmpfs dies with the namespace), and exit as the crawl did.
_ON_TMPFS = (
    'mount -t tmpfs -o size="$1" tmpfs "$0" || exit 97; shift; saved="$1"; shift; '
    '"$@"; rc=$?; cp -a "$0/." "$saved/"; exit $rc'
)


def _tmpfs_allowed(tmp: Path) -> str | None:
    if shutil.which("unshare") is None:
        return "no unshare(1)"
    probe = tmp / "probe"
    probe.mkdir(exist_ok=True)
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o size=4k tmpfs "$0"', str(probe)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if done.returncode == 0 else f"cannot mount a tmpfs: {done.stderr.strip()}"


@pytest.fixture(scope="module")
def farm_sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spool-full-farm")
    farm = build_farm(8, base_port=free_base_port(8))
    with running(farm, control=False):
        sites = sites_from_truth(
            farm.truth(), tmp / "sites.jsonl", only=lambda s: s["kind"] in KINDS
        )
        yield sites, tmp


def _crawl_on_full_spool(
    sites: Path, out: Path, spool: Path, saved: Path, *extra: str, size=TMPFS_SIZE, env=ENV
):
    args = ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS]
    command, environment = _command(
        [*args, *extra], out.with_suffix(".connects"), {**env, "WUZHA_SPOOL_DIR": str(spool)}
    )
    spool.mkdir(parents=True)
    saved.mkdir(parents=True)
    wrapped = ["unshare", "-m", "sh", "-c", _ON_TMPFS, str(spool), size, str(saved)]
    return subprocess.run(
        [*wrapped, *command],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _spooled_page_ids(*spools: Path) -> set[str]:
    ids = set()
    for spool_dir in spools:
        spool = Spool(spool_dir)
        for path in spool.files():
            ids.update(a["_id"] for a in spool.read(path) if a["_index"].endswith("-pages"))
    return ids


def test_a_full_spool_stops_the_sweep_and_resume_loses_nothing(farm_sites):
    sites, tmp = farm_sites
    if (why := _tmpfs_allowed(tmp)) is not None:
        pytest.skip(why)
    out, spool, saved = tmp / "out", tmp / "tmpfs", tmp / "saved"
    first = _crawl_on_full_spool(sites, out, spool, saved)
    said = " ".join((first.stdout + first.stderr).split())
    assert first.returncode not in (0, 97), said[-3000:]
    assert "Traceback" not in first.stderr
    assert f"the spool folder {spool} cannot be written (no space left on device)" in said
    assert "run the same command with --resume" in said
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["finish_reason"] == "spool_unwritable"  # nothing claims success
    first_pages = {r["url"] for r in read_jsonl(out / "pages.jsonl")}
    assert first_pages  # it did get going before the disk was full
    kept = _spooled_page_ids(saved)
    assert len(kept) < len(first_pages)  # the disk filled up before the sweep's end

    # Room again (another spool folder, on a real disk): resume, and every page is safe.
    room = tmp / "room"
    second = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(out), "--no-render", *CRAWL_ARGS, "--resume"],
        tmp / "resume.connects",
        env={**ENV, "WUZHA_SPOOL_DIR": str(room)},
    )
    assert second.returncode == 0, second.stderr[-3000:]
    pages = {r["url"] for r in read_jsonl(out / "pages.jsonl")}
    assert first_pages <= pages
    missing = {page_id(u) for u in pages} - _spooled_page_ids(saved, room)
    assert not missing, f"{len(missing)} of {len(pages)} pages never reached the spool"


def test_an_unwritable_spool_is_refused_before_the_sweep_starts(farm_sites):
    sites, tmp = farm_sites
    not_a_folder = tmp / "spool-is-a-file"
    not_a_folder.write_text("")
    proc = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(tmp / "never"), "--no-render", *CRAWL_ARGS],
        tmp / "refused.connects",
        env={**ENV, "WUZHA_SPOOL_DIR": str(not_a_folder)},
    )
    said = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert f"The spool folder {not_a_folder} cannot be written" in said
    assert "--resume" not in said
    assert not (tmp / "never" / "summary.json").exists()  # refused before it started


def test_a_spool_that_fills_on_the_closing_documents_exits_non_zero(farm_sites):
    """The pages fit in the spool, the sites' risks and the run's record written as the sweep
    closes do not. That used to be a warning and exit 0; now it is a sentence and non-zero,
    and the sentence does not send the operator to --resume (which would fetch nothing)."""
    sites, tmp = farm_sites
    if (why := _tmpfs_allowed(tmp)) is not None:
        pytest.skip(why)
    env = {**ENV, "WUZHA_BULK_CHUNK_SIZE": "100000"}  # the pages are one batch, at the end
    # Once with room, to learn the size of the opening run document and of the pages' batch.
    base = tmp / "closing-base-spool"
    done = run_wuzha(
        ["crawl", "--sites", str(sites), "--out", str(tmp / "closing-base"), "--no-render"]
        + CRAWL_ARGS,
        tmp / "closing-base.connects",
        env={**env, "WUZHA_SPOOL_DIR": str(base)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    files = Spool(base).files()
    assert len(files) >= 3  # the opening run document, the pages, the closing documents
    page = 4096  # what tmpfs counts a file's size in
    room = sum(-(-f.stat().st_size // page) * page for f in files[:2])
    out, spool, saved = tmp / "closing", tmp / "closing-tmpfs", tmp / "closing-saved"
    proc = _crawl_on_full_spool(sites, out, spool, saved, size=str(room), env=env)
    said = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode not in (0, 97), said[-3000:]
    assert "Traceback" not in proc.stderr
    assert "Error caught on signal handler" not in said
    assert f"the spool folder {spool} cannot be written (no space left on device)" in said
    assert "the sites' risks and the run's record" in said
    assert "run the same command with --resume" not in said
    assert "`wuzha es replay`" in said
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["finish_reason"] == "spool_unwritable_closing"
    pages = {page_id(r["url"]) for r in read_jsonl(out / "pages.jsonl")}
    assert pages and pages <= _spooled_page_ids(saved)  # every page's document was kept
