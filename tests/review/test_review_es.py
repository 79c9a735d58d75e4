"""Review decisions against the real Elasticsearch: every allowed and refused transition, the
review log, recrawls that keep decisions, and the automatic `recurred`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from ground import urls
from ground.errors import WuzhaError
from indexer import recurrence, review, review_log, review_targets
from indexer.errors import (
    HitNotFound,
    NoMatchingHits,
    QueryTooBroad,
    ReviewerMissing,
    SiteNotFound,
    UnknownStatus,
)
from indexer.kql import kql_query
from indexer.review_states import STATUSES, SYSTEM_REVIEWER, is_allowed, statuses_for
from indexer.templates import alias_name
from tests.review.conftest import cli_runner, hit, page_item, refresh, site, write
from wuzha.cli.errors import UsageError

pytestmark = pytest.mark.elasticsearch

SITE_PAIRS = [(a, b) for a in statuses_for("site") for b in STATUSES]
HIT_PAIRS = [(a, b) for a in statuses_for("hit") for b in STATUSES]
RULE = "task_scam.advance_payment"


def pair_site(kind: str, src: str, dst: str) -> dict:
    return site(f"转换{kind}{src}{dst}", f"{kind}-{src}-{dst}.pairs.test".replace("_", "-"))


def pair_hit_id(src: str, dst: str) -> str:
    row = pair_site("h", src, dst)
    return urls.hit_id(urls.page_id(row["url"] + "p.html"), RULE)


@pytest.fixture(scope="module")
def pairs(rv_settings, es):
    """One site per site pair and one hit per hit pair, put into the pair's from-status."""
    sites = [(pair_site("s", a, b), None) for a, b in SITE_PAIRS]
    items = [
        page_item(
            pair_site("h", a, b),
            "/p.html",
            fetched_at="2026-11-24T02:00:00Z",
            hits=[hit(RULE, "task_scam", "high", "先垫付后返佣")],
        )
        for a, b in HIT_PAIRS
    ]
    write(rv_settings, es, items=items, sites=sites)
    # put each target in its from-status directly (test set-up, not a review)
    for a, b in SITE_PAIRS:
        es.update(
            index=alias_name(rv_settings.index_prefix, "sites"),
            id=urls.site_id(pair_site("s", a, b)["url"]),
            doc={"review": {"status": a}},
        )
    for a, b in HIT_PAIRS:
        es.update(
            index=alias_name(rv_settings.index_prefix, "hits"),
            id=pair_hit_id(a, b),
            doc={"review": {"status": a}},
        )
    refresh(es, rv_settings)


def log_entries(es, settings, target_type, target_id):
    refresh(es, settings)
    return review_log.history(es, settings, target_type, target_id)


def check_pair(es, settings, target_type, target_id, mark, src, dst):
    if dst == src:
        result = mark()
        assert result.unchanged == [target_id] and not result.changed
        assert log_entries(es, settings, target_type, target_id) == []
    elif dst not in statuses_for(target_type):
        with pytest.raises(WuzhaError, match="takedown states belong to sites|Unknown"):
            mark()
    elif is_allowed(target_type, src, dst):
        result = mark()
        (change,) = result.changed
        assert (change.previous, change.status, change.by) == (src, dst, "李审核")
        index = alias_name(settings.index_prefix, "sites" if target_type == "site" else "hits")
        stored = es.get(index=index, id=target_id)["_source"]["review"]
        assert stored["status"] == dst and stored["previous_status"] == src
        assert stored["by"] == "李审核" and stored["note"] == "核实过" and stored["at"]
        (entry,) = log_entries(es, settings, target_type, target_id)
        assert entry["review"]["status"] == dst and entry["review"]["previous_status"] == src
        assert entry["review"]["by"] == "李审核" and entry["review"]["note"] == "核实过"
        assert entry["target"] == {"type": target_type, "id": target_id}
        assert entry["@timestamp"] == stored["at"]
    else:
        with pytest.raises(review.TransitionRefused) as err:
            mark()
        assert f"it is {src!r}" in str(err.value)
        assert "may go to" in str(err.value) or "nothing may follow" in str(err.value)
        assert log_entries(es, settings, target_type, target_id) == []


@pytest.mark.parametrize("src,dst", SITE_PAIRS)
def test_site_transition(pairs, es, rv_settings, src, dst):
    row = pair_site("s", src, dst)
    check_pair(
        es,
        rv_settings,
        "site",
        urls.site_id(row["url"]),
        lambda: review.mark_site(es, rv_settings, row["url"], dst, "李审核", "核实过"),
        src,
        dst,
    )


@pytest.mark.parametrize("src,dst", HIT_PAIRS)
def test_hit_transition(pairs, es, rv_settings, src, dst):
    hid = pair_hit_id(src, dst)
    check_pair(
        es,
        rv_settings,
        "hit",
        hid,
        lambda: review.mark_hit(es, rv_settings, hid, dst, "李审核", "核实过"),
        src,
        dst,
    )


def test_site_is_found_by_url_host_port_name_and_www(es, rv_settings):
    row = site("查找测试站", "find.example.test:8080")
    write(rv_settings, es, sites=[(row, None)])
    expected = urls.site_id(row["url"])
    for ref in (
        "http://find.example.test:8080/",
        "find.example.test:8080",
        "www.find.example.test:8080",
        "查找测试站",
        expected,
    ):
        assert review_targets.resolve_site(es, rv_settings, ref).id == expected, ref


def test_clear_errors(es, rv_settings):
    with pytest.raises(SiteNotFound, match="No registered site matches 'nowhere.test'"):
        review.mark_site(es, rv_settings, "nowhere.test", "confirmed", "李审核")
    with pytest.raises(ReviewerMissing, match="Say who decides"):
        review.mark_site(es, rv_settings, "nowhere.test", "confirmed", "  ")
    with pytest.raises(UnknownStatus, match="Unknown site status 'gone'"):
        review.mark_site(es, rv_settings, "nowhere.test", "gone", "李审核")
    with pytest.raises(HitNotFound, match="No hit with id") as missing:
        review.mark_hit(es, rv_settings, "nope:rule", "confirmed", "李审核")
    assert missing.value.hit_id == "nope:rule"


def test_concurrent_change_is_read_again_not_overwritten(es, rv_settings):
    row = site("并发测试站", "race.example.test")
    write(rv_settings, es, sites=[(row, None)])
    stale = review_targets.resolve_site(es, rv_settings, row["url"])  # read while still 'new'
    review.mark_site(es, rv_settings, row["url"], "confirmed", "甲")  # someone else decides
    change = review.apply_decision(es, rv_settings, stale, "false_positive", "乙", None)
    assert change.previous == "confirmed"  # decided on what is there now, not the stale read
    with pytest.raises(review.TransitionRefused):
        review.apply_decision(es, rv_settings, stale, "takedown_requested", "乙", None)


def test_recrawl_keeps_decisions(es, rv_settings):
    row = site("复爬测试站", "recrawl.example.test")
    item = page_item(
        row,
        "/t.html",
        fetched_at="2026-11-24T02:00:00Z",
        hits=[hit(RULE, "task_scam", "high", "先垫付后返佣")],
    )
    write(
        rv_settings,
        es,
        items=[item],
        sites=[(row, {"max_score": 80, "max_level": "high", "fraud_pages": 1})],
    )
    hid = urls.hit_id(urls.page_id(item["url"]), RULE)
    review.mark_site(es, rv_settings, row["url"], "confirmed", "王审核", "确认涉诈")
    review.mark_hit(es, rv_settings, hid, "false_positive", "王审核", "正常招聘")
    # the next crawl indexes the same page, hit and site again
    again = dict(item, fetched_at="2026-11-30T02:00:00Z")
    write(
        rv_settings,
        es,
        items=[again],
        sites=[(row, {"max_score": 85, "max_level": "high", "fraud_pages": 1})],
    )
    site_doc = es.get(
        index=alias_name(rv_settings.index_prefix, "sites"), id=urls.site_id(row["url"])
    )["_source"]
    hit_doc = es.get(index=alias_name(rv_settings.index_prefix, "hits"), id=hid)["_source"]
    assert site_doc["review"]["status"] == "confirmed" and site_doc["review"]["by"] == "王审核"
    assert site_doc["review"]["note"] == "确认涉诈" and site_doc["risk"]["max_score"] == 85
    assert (
        hit_doc["review"]["status"] == "false_positive" and hit_doc["review"]["note"] == "正常招聘"
    )
    assert hit_doc["last_seen"] == "2026-11-30T02:00:00Z"
    # nothing automatic may touch a confirmed site either
    assert recurrence.raise_recurred(es, rv_settings, [urls.site_id(row["url"])]) == []


def take_down(es, settings, url):
    for status in ("confirmed", "takedown_requested", "taken_down"):
        review.mark_site(es, settings, url, status, "赵审核")


def test_recurred_is_raised_when_a_taken_down_site_shows_fraud_again(es, rv_settings):
    row = site("复发测试站", "recur.example.test")
    old = page_item(
        row,
        "/old.html",
        fetched_at="2026-11-02T02:00:00Z",
        hits=[hit(RULE, "task_scam", "high", "先垫付后返佣")],
    )
    write(rv_settings, es, items=[old], sites=[(row, None)])
    take_down(es, rv_settings, row["url"])
    sid = urls.site_id(row["url"])
    # findings from before the takedown do not count
    assert recurrence.raise_recurred(es, rv_settings, [sid]) == []
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    new = page_item(
        row,
        "/new.html",
        fetched_at=later,
        hits=[hit("gambling.casino", "gambling", "high", "百家乐首充送彩金")],
    )
    write(rv_settings, es, items=[new])
    (change,) = recurrence.raise_recurred(es, rv_settings, [sid, "unknown-site-id"])
    assert (change.previous, change.status, change.by) == (
        "taken_down",
        "recurred",
        SYSTEM_REVIEWER,
    )
    refresh(es, rv_settings)
    stored = es.get(index=alias_name(rv_settings.index_prefix, "sites"), id=sid)["_source"][
        "review"
    ]
    assert stored["status"] == "recurred" and "/new.html" in stored["note"]
    statuses = [e["review"]["status"] for e in review_log.history(es, rv_settings, "site", sid)]
    assert statuses == ["confirmed", "takedown_requested", "taken_down", "recurred"]
    # raising again changes nothing; a reviewer takes it from here
    assert recurrence.raise_recurred(es, rv_settings, [sid]) == []
    review.mark_site(es, rv_settings, row["url"], "takedown_requested", "赵审核", "再次申请")


def test_mark_hits_by_query(es, rv_settings):
    row = site("批量测试站", "bulk.example.test")
    items = [
        page_item(
            row,
            f"/b{i}.html",
            fetched_at="2026-11-24T02:00:00Z",
            level="high" if i < 3 else "low",
            hits=[hit(RULE, "task_scam", "high", f"刷单第{i}条")],
        )
        for i in range(5)
    ]
    write(rv_settings, es, items=items, sites=[(row, None)])
    first = urls.hit_id(urls.page_id(items[0]["url"]), RULE)
    review.mark_hit(es, rv_settings, first, "false_positive", "钱审核")
    review.mark_hit(
        es, rv_settings, urls.hit_id(urls.page_id(items[1]["url"]), RULE), "confirmed", "钱审核"
    )
    refresh(es, rv_settings)
    query = "site.domain:bulk.example.test and scan.level:high"
    result = review.mark_query(
        es, rv_settings, query, "confirmed", "孙审核", "批量确认", refresh=True
    )
    assert result.matched == 3
    assert len(result.changed) == 2 and len(result.unchanged) == 1 and not result.refused
    assert {c.previous for c in result.changed} == {"new", "false_positive"}
    assert review_log.history(es, rv_settings, "hit", first)[-1]["review"]["by"] == "孙审核"
    # low-level hits were not selected
    low = es.get(
        index=alias_name(rv_settings.index_prefix, "hits"),
        id=urls.hit_id(urls.page_id(items[4]["url"]), RULE),
    )["_source"]
    assert low["review"]["status"] == "new"
    with pytest.raises(QueryTooBroad, match="more than the limit of 2") as too_broad:
        review.mark_query(es, rv_settings, query, "false_positive", "孙审核", limit=2)
    assert (too_broad.value.total, too_broad.value.limit) == (3, 2)
    with pytest.raises(NoMatchingHits, match="No hits match"):
        review.mark_query(es, rv_settings, "site.domain:none.test", "confirmed", "孙审核")
    with pytest.raises(UnknownStatus, match="takedown states belong to sites") as unknown:
        review.mark_query(es, rv_settings, query, "taken_down", "孙审核")
    assert unknown.value.site_only and unknown.value.target_type == "hit"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("site.domain:kql.example.test and scan.score >= 60", 1),
        (
            'site.domain:kql.example.test and @timestamp > "2026-11-01" and not review.status:confirmed',
            2,
        ),
        (
            "site.domain:kql.example.test and rule.id:task_scam* and rule.category:(task_scam or gambling)",
            2,
        ),
        ('site.domain:kql.example.test and hit.snippet:"先垫付"', 1),
    ],
)
def test_query_subset_runs_on_elasticsearch(es, rv_settings, query, expected):
    row = site("查询测试站", "kql.example.test")
    items = [
        page_item(
            row,
            "/k1.html",
            fetched_at="2026-11-24T02:00:00Z",
            score=80.0,
            hits=[hit(RULE, "task_scam", "high", "先垫付后返佣")],
        ),
        page_item(
            row,
            "/k2.html",
            fetched_at="2026-11-24T02:00:00Z",
            level="medium",
            score=40.0,
            hits=[hit("task_scam.brushing_recruitment", "task_scam", "medium", "点赞关注日结")],
        ),
    ]
    write(rv_settings, es, items=items, sites=[(row, None)])
    count = es.count(index=alias_name(rv_settings.index_prefix, "hits"), query=kql_query(query))
    assert count["count"] == expected


def test_cli_says_what_went_wrong_with_its_flags(es, rv_settings, monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    row = site("命令行测试站", "cli.example.test")
    items = [
        page_item(
            row,
            f"/c{i}.html",
            fetched_at="2026-11-24T02:00:00Z",
            hits=[hit(RULE, "task_scam", "high", f"刷单第{i}条")],
        )
        for i in range(3)
    ]
    write(rv_settings, es, items=items, sites=[(row, None)])
    refresh(es, rv_settings)
    monkeypatch.setenv("WUZHA_INDEX_PREFIX", rv_settings.index_prefix)
    monkeypatch.setenv("ELASTICSEARCH_URL", rv_settings.elasticsearch_url)
    mark = ["review", "mark", "--status", "confirmed", "--by", "周审核"]
    query = "site.domain:cli.example.test"
    get_settings.cache_clear()
    try:
        runs = {
            "limit": CliRunner().invoke(cli, [*mark, "--query", query, "--limit", "2"]),
            "none": CliRunner().invoke(cli, [*mark, "--query", "site.domain:none.test"]),
            "syntax": CliRunner().invoke(cli, [*mark, "--query", "scan.score >="]),
            "hit": CliRunner().invoke(cli, [*mark, "--hit", "nope:rule"]),
            "site": CliRunner().invoke(cli, [*mark, "--site", "nowhere.test"]),
        }
    finally:
        get_settings.cache_clear()
    said = {name: str(result.exception) for name, result in runs.items()}
    assert said == {
        "limit": f"--query {query!r} selects 3 hits, more than --limit 2: narrow the query or "
        "raise --limit.",
        "none": "No hits match --query 'site.domain:none.test'.",
        "syntax": "--query: >= needs a field before it and a value after it.",
        "hit": "No hit with id 'nope:rule'. Copy the id (_id) from Kibana's hits view, or use "
        "--query to select hits.",
        "site": "No registered site matches 'nowhere.test'. Give its registry URL, host[:port] "
        "or exact name as imported with `wuzha sites import`.",
    }
    assert all(isinstance(runs[n].exception, UsageError) for n in ("limit", "none", "hit"))


def test_a_decision_that_overrides_one_made_meanwhile_says_what_it_replaced(
    es, rv_settings, monkeypatch
):
    """Two reviewers decide on one site at once: the second command's read is overtaken by the
    first's write. Both used to say "1 marked"; the second now says whose decision it replaced."""
    row = site("同刻测试站", "same-moment.example.test")
    write(rv_settings, es, sites=[(row, None)])
    run = cli_runner(monkeypatch, rv_settings)
    first: list = []
    resolve = review.resolve_site

    def read_then_the_other_reviewer_decides(client, settings, ref):
        target = resolve(client, settings, ref)
        if not first:  # 乙's command has read the site ('new'); now 甲's command runs whole
            first.append(None)
            args = ["review", "mark", "--site", row["url"], "--status", "confirmed", "--by", "甲"]
            first[0] = run(args)
        return target

    monkeypatch.setattr(review, "resolve_site", read_then_the_other_reviewer_decides)
    second = run(
        ["review", "mark", "--site", row["url"], "--status", "false_positive", "--by", "乙"]
    )
    assert first[0].exit_code == 0 and second.exit_code == 0, (first[0].output, second.output)
    assert first[0].output.splitlines()[-1] == "1 marked confirmed."
    stored = es.get(
        index=alias_name(rv_settings.index_prefix, "sites"), id=urls.site_id(row["url"])
    )
    second_at = stored["_source"]["review"]["at"]  # 乙's decision, over 甲's
    (entry_a, entry_b) = log_entries(es, rv_settings, "site", urls.site_id(row["url"]))
    said = second.output.splitlines()
    assert said[-2] == (
        f"site 同刻测试站 <{row['url']}>: confirmed -> false_positive (by 乙, replacing 甲's "
        f"decision made at {entry_a['@timestamp']} while this command ran)"
    )
    assert said[-1] == (
        "1 marked false_positive, 1 of them replacing a decision made meanwhile "
        f"(甲's 'confirmed' at {entry_a['@timestamp']})."
    )
    assert (
        entry_b["@timestamp"] == second_at and entry_b["review"]["previous_status"] == "confirmed"
    )


def test_a_query_mark_names_the_decisions_made_meanwhile(es, rv_settings, monkeypatch):
    row = site("批量同刻站", "bulk-same-moment.example.test")
    items = [
        page_item(
            row,
            f"/m{i}.html",
            fetched_at="2026-11-24T02:00:00Z",
            hits=[hit(RULE, "task_scam", "high", f"刷单第{i}条")],
        )
        for i in range(3)
    ]
    write(rv_settings, es, items=items, sites=[(row, None)])
    refresh(es, rv_settings)
    taken = urls.hit_id(urls.page_id(items[0]["url"]), RULE)
    search_all = review.search_all

    def read_then_the_other_reviewer_decides(*args, **kwargs):
        yield from search_all(*args, **kwargs)  # 乙's query has read all three hits ('new')
        review.mark_hit(es, rv_settings, taken, "confirmed", "甲")

    monkeypatch.setattr(review, "search_all", read_then_the_other_reviewer_decides)
    query = "site.domain:bulk-same-moment.example.test"
    result = review.mark_query(es, rv_settings, query, "false_positive", "乙")
    assert len(result.changed) == 3
    (over,) = [c for c in result.changed if c.replaced_meanwhile]
    assert (over.target_id, over.previous, over.replaced_by) == (taken, "confirmed", "甲")
    assert result.summary("false_positive") == (
        "3 marked false_positive, 1 of them replacing a decision made meanwhile "
        f"(甲's 'confirmed' at {over.replaced_at})"
    )


def test_a_recrawl_between_read_and_write_is_no_decision_made_meanwhile(
    es, rv_settings, monkeypatch
):
    """A crawl that rewrites the site document (not its review) while a reviewer's command runs
    also makes the write conflict; the decision is then made again, but nobody's decision was
    replaced, and the command must not say so."""
    row = site("重抓同刻站", "recrawl-moment.example.test")
    write(rv_settings, es, sites=[(row, None)])
    run = cli_runner(monkeypatch, rv_settings)
    index = alias_name(rv_settings.index_prefix, "sites")
    resolve = review.resolve_site
    touched: list = []

    def read_then_a_crawl_rewrites_the_site(client, settings, ref):
        target = resolve(client, settings, ref)
        if not touched:
            touched.append(es.update(index=index, id=target.id, doc={"site": {"name": "改名"}}))
        return target

    monkeypatch.setattr(review, "resolve_site", read_then_a_crawl_rewrites_the_site)
    result = run(["review", "mark", "--site", row["url"], "--status", "confirmed", "--by", "乙"])
    assert touched and result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 marked confirmed.", result.output
    assert "replacing" not in result.output
    stored = es.get(index=index, id=urls.site_id(row["url"]))["_source"]
    assert stored["review"]["status"] == "confirmed" and stored["site"]["name"] == "改名"


def test_a_query_mark_over_a_recrawl_names_no_decision_made_meanwhile(es, rv_settings, monkeypatch):
    row = site("批量重抓站", "bulk-recrawl.example.test")
    items = [
        page_item(
            row,
            f"/r{i}.html",
            fetched_at="2026-11-24T02:00:00Z",
            hits=[hit(RULE, "task_scam", "high", f"刷单第{i}条")],
        )
        for i in range(2)
    ]
    write(rv_settings, es, items=items, sites=[(row, None)])
    refresh(es, rv_settings)
    touched = urls.hit_id(urls.page_id(items[0]["url"]), RULE)
    index = alias_name(rv_settings.index_prefix, "hits")
    search_all = review.search_all

    def read_then_a_crawl_rewrites_one_hit(*args, **kwargs):
        yield from search_all(*args, **kwargs)
        es.update(index=index, id=touched, doc={"rule": {"version": 99}})

    monkeypatch.setattr(review, "search_all", read_then_a_crawl_rewrites_one_hit)
    query = "site.domain:bulk-recrawl.example.test"
    result = review.mark_query(es, rv_settings, query, "confirmed", "乙")
    assert len(result.changed) == 2
    assert not [c for c in result.changed if c.replaced_meanwhile]
    assert result.summary("confirmed") == "2 marked confirmed"
