"""Site-level verdicts in the sites index, against the real Elasticsearch: the state of each
verdict across sweeps (open → last_seen → repaired; a decision kept through recrawls), sweeps
kept on disk while Elasticsearch is away, and `wuzha review mark --site S --verdict KIND`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ground import urls
from indexer import review_log
from indexer.errors import SiteHasNoVerdict, UnknownVerdictKind, UnknownVerdictStatus
from indexer.site_verdicts import SiteSweep, apply_pending, record_sweep
from indexer.templates import alias_name
from indexer.verdict_review import mark_verdict
from sitecheck.verdict import Verdict
from tests.review.conftest import cli_runner, refresh, site, write

pytestmark = pytest.mark.elasticsearch

WEEK_1, WEEK_2, WEEK_3 = (
    "2026-11-16T02:00:00.000Z",
    "2026-11-23T02:00:00.000Z",
    "2026-11-30T02:00:00.000Z",
)


def spam(host: str, count: int, **facts) -> dict:
    return Verdict(
        "spam_injected",
        (f"http://{host}/news/", f"http://{host}/a/b1.html"),
        f"{count} pages with planted casino titles",
        {"parasitic_pages": count, **facts},
    ).to_record()


def cloaking(host: str) -> dict:
    return Verdict(
        "cloaking", (f"http://{host}/",), "Baiduspider is shown a casino home page"
    ).to_record()


def stored(es, settings, row) -> dict:
    doc = es.get(index=alias_name(settings.index_prefix, "sites"), id=urls.site_id(row["url"]))
    return (doc["_source"].get("site") or {}).get("compromise") or {}


def sweep(es, settings, row, verdicts, *, at, ok=True, run="run"):
    return record_sweep(
        es,
        settings,
        {urls.site_id(row["url"]): SiteSweep(verdicts, ok)},
        run_id=f"{run}-{at[:10]}",
        at=at,
    )


def test_a_verdict_opens_is_seen_again_then_repaired_across_three_sweeps(es, rv_settings):
    row = site("三次巡查站", "three-sweeps.verdicts.test")
    host = "three-sweeps.verdicts.test"
    write(rv_settings, es, sites=[(row, None)])

    first = sweep(es, rv_settings, row, [spam(host, 120, examples=["澳门赌场"])], at=WEEK_1)
    entry = stored(es, rv_settings, row)["spam_injected"]
    assert first.stats["verdicts/opened"] == 1
    assert entry["state"] == "open" and entry["kind"] == "spam_injected"
    assert entry["first_seen"] == entry["last_seen"] == WEEK_1
    assert entry["evidence"]["parasitic_pages"] == 120
    assert entry["evidence"]["urls"][0] == f"http://{host}/news/"

    second = sweep(es, rv_settings, row, [spam(host, 300)], at=WEEK_2)
    entry = stored(es, rv_settings, row)["spam_injected"]
    assert second.stats["verdicts/seen_again"] == 1
    assert (entry["state"], entry["first_seen"], entry["last_seen"]) == ("open", WEEK_1, WEEK_2)
    # the latest evidence, not a merge with last week's: the fact no longer reported is gone
    assert entry["evidence"]["parasitic_pages"] == 300
    assert entry["evidence"].get("examples") is None

    third = sweep(es, rv_settings, row, [], at=WEEK_3)
    entry = stored(es, rv_settings, row)["spam_injected"]
    assert third.stats["verdicts/repaired"] == 1
    assert entry["state"] == "repaired" and entry["repaired_at"] == WEEK_3
    assert entry["last_seen"] == WEEK_2 and entry["present"] is False
    # the site's own review and registry status are other things
    source = es.get(
        index=alias_name(rv_settings.index_prefix, "sites"), id=urls.site_id(row["url"])
    )
    assert source["_source"]["review"]["status"] == "new"


def test_a_sweep_that_did_not_run_normally_repairs_nothing(es, rv_settings):
    row = site("超时巡查站", "timed-out.verdicts.test")
    write(rv_settings, es, sites=[(row, None)])
    sweep(es, rv_settings, row, [cloaking("timed-out.verdicts.test")], at=WEEK_1)
    sweep(es, rv_settings, row, [], at=WEEK_2, ok=False)  # timed out: absence proves nothing
    assert stored(es, rv_settings, row)["cloaking"]["state"] == "open"


def test_a_decision_is_kept_through_recrawls(es, rv_settings):
    confirmed = site("确认站", "confirmed.verdicts.test")
    dismissed = site("误报站", "dismissed.verdicts.test")
    write(rv_settings, es, sites=[(confirmed, None), (dismissed, None)])
    for row in (confirmed, dismissed):
        sweep(es, rv_settings, row, [cloaking(row["domain"])], at=WEEK_1)
    mark_verdict(es, rv_settings, confirmed["url"], "cloaking", "confirmed", "王审核")
    mark_verdict(
        es, rv_settings, dismissed["url"], "cloaking", "false_positive", "王审核", "同内容"
    )

    for row in (confirmed, dismissed):  # seen again: the decisions stay
        sweep(es, rv_settings, row, [cloaking(row["domain"])], at=WEEK_2)
    kept = stored(es, rv_settings, confirmed)["cloaking"]
    assert kept["state"] == "confirmed" and kept["last_seen"] == WEEK_2
    assert kept["decision"]["status"] == "confirmed" and kept["decision"]["by"] == "王审核"
    assert stored(es, rv_settings, dismissed)["cloaking"]["state"] == "dismissed"

    for row in (confirmed, dismissed):  # gone: the confirmed one is repaired, a dismissal stays
        sweep(es, rv_settings, row, [], at=WEEK_3)
    repaired = stored(es, rv_settings, confirmed)["cloaking"]
    assert repaired["state"] == "repaired" and repaired["decision"]["status"] == "confirmed"
    assert stored(es, rv_settings, dismissed)["cloaking"]["state"] == "dismissed"

    # the evidence comes back: confirmed again, no second review needed
    sweep(
        es, rv_settings, confirmed, [cloaking(confirmed["domain"])], at="2026-12-07T02:00:00.000Z"
    )
    assert stored(es, rv_settings, confirmed)["cloaking"]["state"] == "confirmed"


def test_sweeps_kept_while_elasticsearch_is_away_are_folded_in_oldest_first(es, rv_settings):
    row = site("断线站", "offline.verdicts.test")
    write(rv_settings, es, sites=[(row, None)])
    site_id = urls.site_id(row["url"])
    away = record_sweep(
        es,
        rv_settings,
        {site_id: SiteSweep([spam("offline.verdicts.test", 7)], True)},
        at=WEEK_1,
        offline=True,
    )
    assert away.deferred is not None and away.deferred.exists()
    assert stored(es, rv_settings, row) == {}
    # the next crawl folds the kept sweep in before its own
    sweep(es, rv_settings, row, [spam("offline.verdicts.test", 9)], at=WEEK_2)
    entry = stored(es, rv_settings, row)["spam_injected"]
    assert (entry["first_seen"], entry["last_seen"]) == (WEEK_1, WEEK_2)
    assert entry["evidence"]["parasitic_pages"] == 9
    assert not away.deferred.exists()
    assert apply_pending(es, rv_settings).stats["verdicts/replayed_sweeps"] == 0


def test_review_mark_of_a_verdict_writes_the_decision_and_the_review_log(es, rv_settings):
    row = site("标记站", "mark.verdicts.test")
    write(rv_settings, es, sites=[(row, None)])
    sweep(es, rv_settings, row, [spam("mark.verdicts.test", 40)], at=WEEK_1)

    change = mark_verdict(
        es, rv_settings, "mark.verdicts.test", "spam_injected", "false_positive", "李审核"
    )
    assert (change.previous, change.status, change.state) == ("new", "false_positive", "dismissed")
    assert (
        mark_verdict(es, rv_settings, row["url"], "spam_injected", "false_positive", "李审核")
        is None
    )
    again = mark_verdict(es, rv_settings, row["url"], "spam_injected", "confirmed", "赵审核")
    assert (again.previous, again.state) == ("false_positive", "confirmed")
    refresh(es, rv_settings)

    entries = review_log.history(
        es, rv_settings, "site_verdict", f"{urls.site_id(row['url'])}/spam_injected"
    )
    assert [
        (e["review"]["previous_status"], e["review"]["status"], e["review"]["by"]) for e in entries
    ] == [
        ("new", "false_positive", "李审核"),
        ("false_positive", "confirmed", "赵审核"),
    ]
    assert entries[0]["url"]["full"] == "http://mark.verdicts.test/news/"
    # the site's own review status is untouched
    assert review_log.history(es, rv_settings, "site", urls.site_id(row["url"])) == []

    with pytest.raises(SiteHasNoVerdict, match="has no 'cloaking' verdict"):
        mark_verdict(es, rv_settings, row["url"], "cloaking", "confirmed", "李审核")
    with pytest.raises(UnknownVerdictKind):
        mark_verdict(es, rv_settings, row["url"], "defaced", "confirmed", "李审核")
    with pytest.raises(UnknownVerdictStatus):
        mark_verdict(es, rv_settings, row["url"], "spam_injected", "taken_down", "李审核")


def test_the_command_marks_a_verdict_and_says_its_errors_as_sentences(es, rv_settings, monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    row = site("命令标记站", "cli.verdicts.test")
    clean = site("干净站", "clean.verdicts.test")
    write(rv_settings, es, sites=[(row, None), (clean, None)])
    sweep(es, rv_settings, row, [cloaking("cli.verdicts.test")], at=WEEK_1)
    monkeypatch.setenv("WUZHA_INDEX_PREFIX", rv_settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", rv_settings.elasticsearch_url)
    mark = ["review", "mark", "--by", "周审核"]
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(
            cli, [*mark, "--site", row["url"], "--verdict", "cloaking", "--status", "confirmed"]
        )
        runs = {
            "kind": CliRunner().invoke(
                cli, [*mark, "--site", row["url"], "--verdict", "defaced", "--status", "confirmed"]
            ),
            "status": CliRunner().invoke(
                cli,
                [*mark, "--site", row["url"], "--verdict", "cloaking", "--status", "taken_down"],
            ),
            "absent": CliRunner().invoke(
                cli,
                [
                    *mark,
                    "--site",
                    row["url"],
                    "--verdict",
                    "spam_injected",
                    "--status",
                    "confirmed",
                ],
            ),
            "none": CliRunner().invoke(
                cli,
                [*mark, "--site", clean["url"], "--verdict", "cloaking", "--status", "confirmed"],
            ),
            "hit": CliRunner().invoke(
                cli, [*mark, "--hit", "x:y", "--verdict", "cloaking", "--status", "confirmed"]
            ),
        }
        refresh(es, rv_settings)  # the log is searched: what was written must be visible
        shown = CliRunner().invoke(
            cli, ["review", "history", "--site", row["url"], "--verdict", "cloaking"]
        )
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0, ok.output
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0].endswith(
        ", verdict cloaking: now 'confirmed' (times in Asia/Shanghai)"
    )
    assert shown.output.splitlines()[1].endswith("new -> confirmed  by 周审核")
    assert (
        "verdict cloaking new -> confirmed (by 周审核); it is now confirmed (已确认)." in ok.output
    )
    assert stored(es, rv_settings, row)["cloaking"]["state"] == "confirmed"
    said = {name: str(result.exception) for name, result in runs.items()}
    label = f"site 命令标记站 <{row['url']}>"
    assert said == {
        "kind": "Unknown --verdict 'defaced'; use one of: takeover_suspected, spam_injected, "
        "cloaking, hijack_redirect.",
        "status": "With --verdict, --status is confirmed or false_positive (not 'taken_down'); "
        "takedown states belong to the site: mark it without --verdict.",
        "absent": f"{label} has no 'spam_injected' verdict to decide on (its verdicts are "
        "cloaking); check the kind, or wait for a sweep to find one.",
        "none": f"site 干净站 <{clean['url']}> has no 'cloaking' verdict to decide on (it has "
        "none); check the kind, or wait for a sweep to find one.",
        "hit": "--verdict goes with --site: a verdict belongs to a site.",
    }


def test_es_replay_records_the_verdicts_kept_while_elasticsearch_was_away(
    es, rv_settings, monkeypatch, tmp_path
):
    from ground.settings import get_settings
    from wuzha.cli import cli

    row = site("重放站", "replay.verdicts.test")
    write(rv_settings, es, sites=[(row, None)])
    kept = rv_settings.model_copy(update={"spool_dir": tmp_path})
    record_sweep(
        es,
        kept,
        {urls.site_id(row["url"]): SiteSweep([cloaking("replay.verdicts.test")], True)},
        at=WEEK_1,
        offline=True,
    )
    monkeypatch.setenv("WUZHA_INDEX_PREFIX", rv_settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", rv_settings.elasticsearch_url)
    monkeypatch.setenv("WUZHA_SPOOL_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(cli, ["es", "replay"])
        again = CliRunner().invoke(cli, ["es", "replay"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert "Recorded the site verdicts of 1 sweep(s) kept while Elasticsearch was away." in (
        done.output
    )
    assert stored(es, rv_settings, row)["cloaking"]["state"] == "open"
    assert "Nothing to replay" in again.output


def test_a_verdict_decision_that_overrides_one_made_meanwhile_says_what_it_replaced(
    es, rv_settings, monkeypatch
):
    """Two reviewers decide on one verdict at once: the second command read the verdict before
    the first one wrote. The second's line must name the decision it replaced, not only say
    'confirmed -> false_positive' as if that had been there when it looked."""
    from indexer import verdict_review

    row = site("同刻判定站", "same-moment.verdicts.test")
    write(rv_settings, es, sites=[(row, None)])
    sweep(es, rv_settings, row, [cloaking("same-moment.verdicts.test")], at=WEEK_1)
    run = cli_runner(monkeypatch, rv_settings)
    mark = ["review", "mark", "--site", row["url"], "--verdict", "cloaking"]
    first: list = []
    resolve = verdict_review.resolve_site

    def read_then_the_other_reviewer_decides(client, settings, ref):
        target = resolve(client, settings, ref)
        if not first:  # 乙's command has read the verdict ('new'); now 甲's runs whole
            first.append(None)
            first[0] = run([*mark, "--status", "confirmed", "--by", "甲"])
        return target

    monkeypatch.setattr(verdict_review, "resolve_site", read_then_the_other_reviewer_decides)
    second = run([*mark, "--status", "false_positive", "--by", "乙"])
    assert first[0].exit_code == 0 and second.exit_code == 0, (first[0].output, second.output)
    assert "replacing" not in first[0].output
    decided_at = es.get(
        index=alias_name(rv_settings.index_prefix, "sites"), id=urls.site_id(row["url"])
    )["_source"]["site"]["compromise"]["cloaking"]["decision"]
    assert decided_at["by"] == "乙"
    refresh(es, rv_settings)
    entries = review_log.history(
        es, rv_settings, "site_verdict", f"{urls.site_id(row['url'])}/cloaking"
    )
    by_a = next(e for e in entries if e["review"]["by"] == "甲")
    assert (
        f"verdict cloaking confirmed -> false_positive (by 乙, replacing 甲's decision made at "
        f"{by_a['@timestamp']} while this command ran)" in " ".join(second.output.split())
    ), second.output
