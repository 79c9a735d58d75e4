"""The KQL-like subset of `wuzha review mark --query` and its query_string translation."""

from __future__ import annotations

import pytest

from ground.errors import WuzhaError
from indexer.kql import kql_to_query_string

CASES = [
    ("site.domain:example.com", "site.domain:example.com"),
    ("scan.level:high and review.status:new", "scan.level:high AND review.status:new"),
    ("scan.level:(high or medium)", "scan.level:(high OR medium)"),
    ("not review.status:false_positive", "NOT review.status:false_positive"),
    ("scan.score >= 60", "scan.score:>=60"),
    ("@timestamp > now-7d", "@timestamp:>now-7d"),
    ('@timestamp >= "2026-11-01"', "@timestamp:>=2026-11-01"),
    ('hit.snippet:"刷单 返利"', 'hit.snippet:"刷单 返利"'),
    (
        "rule.id:task_scam.* OR rule.category:gambling",
        "rule.id:task_scam.* OR rule.category:gambling",
    ),
    ("(a:1 or b:2) and c:3", "( a:1 OR b:2 ) AND c:3"),
]


@pytest.mark.parametrize("kql,expected", CASES)
def test_translation(kql, expected):
    assert kql_to_query_string(kql) == expected


@pytest.mark.parametrize("bad", ["", "   ", "scan.level:(high or medium", "scan.score >="])
def test_bad_queries_are_user_errors(bad):
    with pytest.raises(WuzhaError):
        kql_to_query_string(bad)
