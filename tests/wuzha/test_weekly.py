"""`wuzha weekly`: import the registry, sweep, export the week's takedown list into a dated
folder, keep the last N folders; a run that cannot happen exits non-zero with one line."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from ground.dated import prune_dated
from tests.crawler.farmsites import CRAWL_ENV
from tests.crawler.helpers import read_jsonl, run_wuzha

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"


# --- retention -------------------------------------------------------------------------------


def test_retention_keeps_the_newest_dated_folders_only(tmp_path):
    for day in ("2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "summary.json").write_text("{}")
    (tmp_path / "notes").mkdir()  # not a dated folder: never removed
    (tmp_path / "2026-11-09.txt").write_text("a file, not a folder")
    removed = prune_dated(tmp_path, keep=3)
    assert [p.name for p in removed] == ["2026-10-05", "2026-10-12"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-10-19",
        "2026-10-26",
        "2026-11-02",
        "2026-11-09.txt",
        "notes",
    ]
    assert prune_dated(tmp_path, keep=3) == []
    assert prune_dated(tmp_path / "missing", keep=3) == []


# --- the systemd units -----------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_the_systemd_units_run_wuzha_weekly_once_a_week():
    service, timer = _unit("wuzha-weekly.service"), _unit("wuzha-weekly.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert " weekly" in service["Service"]["ExecStart"]
    assert service["Service"]["ExecStart"].split()[0].startswith("/")
    assert timer["Timer"]["OnCalendar"].lower().startswith("weekly") or timer["Timer"][
        "OnCalendar"
    ].startswith(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"].get("Unit", "wuzha-weekly.service") == "wuzha-weekly.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # verify wants ExecStart's program to exist: copies point it at /bin/true
    for name in ("wuzha-weekly.service", "wuzha-weekly.timer"):
        text = (UNITS / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(
            text.replace("/opt/wuzha/.venv/bin/wuzha", "/bin/true"), encoding="utf-8"
        )
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / "wuzha-weekly.timer")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # unknown keys and bad values are warnings (exit 0): any line about our units fails
    problems = [line for line in (proc.stderr + proc.stdout).splitlines() if "wuzha-weekly" in line]
    assert proc.returncode == 0 and not problems, proc.stderr


def test_the_readme_has_the_cron_line():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [line.split() for line in readme.splitlines() if "wuzha weekly" in line]
    # minute hour day-of-month month day-of-week, then the command
    assert any(
        len(f) > 6
        and f[0].isdigit()
        and f[1].isdigit()
        and f[2:4] == ["*", "*"]
        and f[4] in "0123456"
        for f in lines
    ), "no weekly cron line for wuzha weekly in the README"


# --- runs that cannot happen: non-zero, one line ---------------------------------------------


def _weekly(tmp_path, *args, env=None):
    return run_wuzha(
        ["weekly", "--base-dir", str(tmp_path / "weekly"), *args],
        tmp_path / "connect.jsonl",
        env={"WUZHA_SPOOL_DIR": str(tmp_path / "spool"), **(env or {})},
        timeout=120,
    )


def _reason(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    return lines[-1]


def test_an_unreadable_registry_stops_the_run(tmp_path):
    proc = _weekly(tmp_path, "--registry", str(tmp_path / "nope.csv"))
    assert proc.returncode == 2
    assert _reason(proc).startswith(
        "error: weekly: the registry import could not run: registry file "
    )
    assert "does not exist" in _reason(proc)
    assert not (tmp_path / "weekly").exists() or not any((tmp_path / "weekly").iterdir())


def test_a_failed_run_removes_no_old_run(tmp_path):
    for day in ("2026-10-05", "2026-10-12", "2026-10-19"):
        (tmp_path / "weekly" / day).mkdir(parents=True)
    proc = _weekly(tmp_path, "--registry", str(tmp_path / "nope.csv"), "--keep", "1")
    assert proc.returncode == 2
    assert len(list((tmp_path / "weekly").iterdir())) == 3


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--prune"], "error: weekly: --prune needs the registry file: add --registry FILE"),
        (["--keep", "0"], "error: weekly: --keep must be 1 or more, not 0"),
    ],
)
def test_wrong_options_are_one_line(tmp_path, args, reason):
    proc = _weekly(tmp_path, *args)
    assert proc.returncode == 2
    assert _reason(proc) == reason


def test_a_registry_without_sites_stops_the_run(tmp_path):
    registry = tmp_path / "r.csv"
    registry.write_text("网站名称,网址\n坏,\n", encoding="utf-8")
    proc = _weekly(tmp_path, "--registry", str(registry))
    assert proc.returncode == 2
    assert _reason(proc).startswith(
        "error: weekly: the registry import could not run: no valid site in"
    )


def test_unreachable_elasticsearch_stops_the_run(tmp_path):
    registry = tmp_path / "r.csv"
    registry.write_text("网站名称,网址\n某站,http://127.0.0.1:9/\n", encoding="utf-8")
    proc = _weekly(
        tmp_path,
        "--registry",
        str(registry),
        env={"ELASTICSEARCH_URL": "http://127.0.0.1:9", "WUZHA_ELASTICSEARCH_TIMEOUT": "2"},
    )
    assert proc.returncode == 2
    assert _reason(proc).startswith(
        "error: weekly: the registry import could not run: nothing imported:"
    )


def _cluster_env(settings) -> dict[str, str]:
    return {
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": settings.index_prefix,
    }


@pytest.mark.elasticsearch
def test_an_empty_sites_index_stops_the_run(tmp_path, es_isolated_settings):
    from indexer.setup import setup

    setup(es_isolated_settings)
    proc = _weekly(
        tmp_path,
        env=_cluster_env(es_isolated_settings),
    )
    assert proc.returncode == 2
    assert _reason(proc).startswith(
        "error: weekly: the sweep could not run: there are no imported sites to sweep (the "
        "sites index is empty"
    )
    assert _reason(proc).endswith("give the registry with `wuzha weekly --registry FILE`")


@pytest.mark.elasticsearch
def test_a_missing_sites_index_asks_for_the_registry(tmp_path, es_isolated_settings):
    proc = _weekly(
        tmp_path,
        env=_cluster_env(es_isolated_settings),
    )
    assert proc.returncode == 2
    assert _reason(proc).startswith(
        "error: weekly: the sweep could not run: there are no imported sites to sweep (could "
        "not read sites from Elasticsearch index "
    )
    assert _reason(proc).endswith("give the registry with `wuzha weekly --registry FILE`")


# --- end to end on the farm -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.elasticsearch
def test_weekly_imports_sweeps_exports_and_keeps_the_last_runs(tmp_path, es_isolated_settings):
    from farm import build_farm
    from farm.runner import free_base_port, running

    env = {
        **CRAWL_ENV,
        "ELASTICSEARCH_URL": es_isolated_settings.elasticsearch_url,
        "WUZHA_INDEX_PREFIX": es_isolated_settings.index_prefix,
        "WUZHA_WEEKLY_KEEP": "2",
    }
    port = free_base_port(4)
    registry = tmp_path / "registry.csv"
    made = run_wuzha(
        ["farm", "registry", str(registry), "--sites", "4", "--base-port", str(port)],
        tmp_path / "farm.jsonl",
    )
    assert made.returncode == 0, made.stderr
    base = tmp_path / "weekly"
    for old in ("2020-01-06", "2020-01-13", "2020-01-20"):
        (base / old).mkdir(parents=True)
    with running(build_farm(4, base_port=port), control=False):
        proc = _weekly(
            tmp_path,
            "--registry",
            str(registry),
            "--prune",
            "--allow-private",
            "127.0.0.0/8",
            "--max-pages",
            "15",
            "--max-depth",
            "2",
            "--site-timeout",
            "20",
            "--no-render",
            "--quiet",
            env=env,
        )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    runs = sorted(p.name for p in base.iterdir())
    assert len(runs) == 2 and runs[0] == "2020-01-20", runs
    folder = base / runs[1]
    assert read_jsonl(folder / "pages.jsonl")
    assert (folder / "summary.json").exists()
    exports = list(folder.glob("takedown-*-W*.xlsx"))
    assert len(exports) == 1
    out = proc.stdout
    assert "Imported 4 site(s)" in out
    assert f"weekly: done — {folder}: 4 site(s) swept (" in out
    assert f"with findings; {exports[0].name}; " in out
    assert "removed 2 old run(s) (keeping 2)" in out
