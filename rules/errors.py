"""Exceptions of the rule engine (a rule pack that cannot be loaded, a missing baseline…).

Each names the file and what to fix, in the engine's own terms; the command line adds its flags
where one is the thing to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ground.errors import WuzhaError


class RulesError(WuzhaError):
    """A rule pack, lexicon or baseline problem; the message names the file and what to fix."""


class PackNotFound(RulesError):
    """A rule pack path that is neither a YAML file nor a directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"rule pack {path} does not exist; give a YAML file or a directory")


class RulePackError(RulesError):
    """Packs that cannot be loaded; carries every problem found (``rules.loader.Problem``)."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:20])
        more = f"\n  … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(
            f"{len(self.problems)} problem(s) in the rule packs; fix them (`wuzha rules validate` "
            f"lists them all):\n  {shown}{more}"
        )


class BadBaseline(RulesError):
    """A benign-baseline file that cannot be read as pages."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")
