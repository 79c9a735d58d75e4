"""Exceptions of the rule engine (a rule pack that cannot be loaded, a missing baseline…)."""

from __future__ import annotations

from ground.errors import WuzhaError


class RulesError(WuzhaError):
    """A rule pack, lexicon or baseline problem; the message names the file and what to fix."""
