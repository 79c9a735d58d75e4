"""Evidence for a site's export row: distinct pages first, never the same snippet twice."""

from __future__ import annotations

from indexer.findings import best_evidence


def hit(page: str, snippet: str, status: str = "new", rule: str = "r1") -> dict:
    return {
        "page_id": page,
        "rule": {"id": rule},
        "hit": {"snippet": snippet},
        "review": {"status": status},
    }


def test_one_hit_per_page_before_a_page_is_used_twice():
    hits = [hit("a", "标题"), hit("a", "正文一"), hit("b", "另一页")]
    assert [(h["page_id"], h["hit"]["snippet"]) for h in best_evidence(hits)] == [
        ("a", "标题"),
        ("b", "另一页"),
        ("a", "正文一"),
    ]


def test_rules_sharing_a_title_snippet_show_it_once():
    title = "跑分平台招码商 - 某网"
    hits = [hit("a", title, rule="r1"), hit("a", title, rule="r2"), hit("a", "…正文…", rule="r3")]
    assert [h["hit"]["snippet"] for h in best_evidence(hits)] == [title, "…正文…"]


def test_confirmed_hits_come_first():
    hits = [hit("a", "一"), hit("b", "二", status="confirmed")]
    assert [h["page_id"] for h in best_evidence(hits)] == ["b", "a"]
