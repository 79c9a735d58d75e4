"""bench/eval_rules.py keeps the frozen check half's items out of sight: figures only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import eval_rules
from evalsets import Sample


def _tally(name: str) -> eval_rules.Tally:
    tally = eval_rules.Tally(name)
    false_positive = Sample("item-fp", "benign", text="不该看到的误报原文")
    missed = Sample("item-fn", "task_scam", text="不该看到的漏报原文")
    tally.verdicts.append(
        eval_rules.Verdict(
            false_positive, "high", 90.0, ["task_scam"], [], [], "不该看到的误报原文"
        )
    )
    tally.verdicts.append(eval_rules.Verdict(missed, "none", 0.0, [], [], [], "不该看到的漏报原文"))
    return tally


def test_check_half_items_are_not_printed_by_default(capsys: pytest.CaptureFixture) -> None:
    figures = eval_rules.print_labelled(_tally("web-check"), {}, worst=15, show_fn=True)
    out = capsys.readouterr().out
    assert "precision 0.000" in out and "false positives (1)" in out
    assert "不该看到" not in out and "item-fp" not in out and "item-fn" not in out
    assert figures["false_positives"] == 1  # a count, not the ids


def test_check_half_items_are_printed_only_when_asked(capsys: pytest.CaptureFixture) -> None:
    eval_rules.print_labelled(_tally("web-check"), {}, worst=15, show_fn=True, show_frozen=True)
    out = capsys.readouterr().out
    assert "不该看到的误报原文" in out and "item-fn" in out


def test_working_half_items_are_printed(capsys: pytest.CaptureFixture) -> None:
    figures = eval_rules.print_labelled(_tally("web-working"), {}, worst=15, show_fn=True)
    out = capsys.readouterr().out
    assert "不该看到的误报原文" in out and "item-fn" in out
    assert figures["false_positives"] == ["item-fp"]
