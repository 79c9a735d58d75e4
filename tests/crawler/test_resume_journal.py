"""The crawl journal: what a resumed crawl learns from an interrupted one."""

from __future__ import annotations

import json

from crawler.journal import Journal


def test_pending_is_requested_minus_done_and_torn_lines_are_ignored(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    for n in range(4):
        journal.requested(f"http://a.cn/{n}", "s1", depth=1, render=False, priority=0)
    journal.finished("http://a.cn/0", "http://a.cn/0")
    journal.finished("http://a.cn/1")  # failed for good: done, nothing emitted
    journal.site_finished("s2", {"status": "done", "pages": 3, "errors": 0, "reason": ""})
    journal.close()
    with (tmp_path / "job" / "done.jsonl").open("a") as fh:
        fh.write('{"u": "http://a.cn/2", "it')  # the process died in the middle of this write

    state = Journal(tmp_path / "job").load()
    assert state.run_id == "run1"
    assert [e["u"] for e in state.pending()] == ["http://a.cn/2", "http://a.cn/3"]
    assert state.emitted == {"http://a.cn/0"}
    assert state.finished_sites["s2"]["pages"] == 3


def test_pages_in_the_output_count_as_emitted(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    journal.requested("http://a.cn/x", "s1", depth=0, render=False, priority=0)
    journal.close()
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"url": "http://a.cn/x"}) + "\n")
    state = Journal(tmp_path / "job").load(pages)
    # written by the pipeline just before the kill, before the journal heard of it
    assert "http://a.cn/x" in state.emitted


def test_a_fresh_start_forgets_the_old_job(tmp_path):
    journal = Journal(tmp_path / "job")
    journal.start("run1", fresh=True)
    journal.requested("http://a.cn/x", "s1", depth=0, render=False, priority=0)
    journal.close()
    Journal(tmp_path / "job").start("run2", fresh=True)
    state = Journal(tmp_path / "job").load()
    assert state.run_id == "run2" and not state.requests
