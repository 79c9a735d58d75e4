"""The command line's own error: a wrong or missing option, said in terms of the flags."""

from __future__ import annotations

from ground.errors import WuzhaError


class UsageError(WuzhaError):
    """The command was called wrongly; the message names the flag to change."""
