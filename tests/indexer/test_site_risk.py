"""indexer.site_risk without a cluster: how a crawl's own counts, the index's figures and the
failed sites make each site's risk, which sites show fraud, and the crawl-run document."""

from __future__ import annotations

import pytest

from indexer import site_risk


def test_failed_sites_without_pages_get_a_risk_recording_the_failure():
    local = {"a": {"pages_crawled": 3, "max_level": "high", "last_error": None}}
    # no run id: the index is not asked (and no writer is needed)
    risks = site_risk.site_risks(None, "", local, {"dead": "DNS lookup failed"})
    assert risks["a"] == local["a"]
    assert risks["dead"]["pages_crawled"] == 0
    assert risks["dead"]["last_error"] == "DNS lookup failed"
    assert list(risks) == ["a", "dead"]


@pytest.mark.parametrize(
    ("risk", "fraud"),
    [
        ({"fraud_pages": 2, "max_level": "low"}, True),
        ({"fraud_pages": 0, "max_level": "high"}, True),
        ({"fraud_pages": 0, "max_level": "medium"}, True),
        ({"fraud_pages": 0, "max_level": "low"}, False),
        ({"pages_crawled": 0, "last_error": "timeout"}, False),
    ],
)
def test_fraud_site_ids(risk, fraud):
    assert site_risk.fraud_site_ids({"s": risk}) == (["s"] if fraud else [])


def test_run_document_from_a_sweep_summary():
    summary = {
        "duration_seconds": 10.0,
        "sites": {
            "total": 3,
            "done": 1,
            "failed": 1,
            "timed_out": 1,
            "problems": [{"id": "d", "name": "关停网站", "reason": "DNS lookup failed"}],
        },
        "pages": 25,
        "findings": {"hits": 4, "by_level": {"high": 1, "medium": 2, "low": 0, "none": 22}},
        "errors": {"total": 2},
        "stats": {"sweep/pages": 25},
    }
    run = site_risk.run_document(
        summary, run_id="r1", started="2026-01-05T08:00:00+00:00", ended=None, status="running"
    )
    assert run["sites_failed"] == 2 and run["pages_per_second"] == 2.5
    assert run["hits_by_level"] == {"high": 1, "medium": 2, "low": 0}
    assert run["failures"] == [{"site_id": "d", "site": "关停网站", "reason": "DNS lookup failed"}]
    assert (
        site_risk.run_document(summary, run_id="", started="", ended=None, status="x")["run_id"]
        == "unknown"
    )
