"""The command line's own error: a wrong or missing option, said in terms of the flags.

The packages below raise their own exceptions, with the facts and a sentence in their own
terms. Where a flag is the thing to change, the command catches the exception and says it again
naming the flag (:func:`said_with_flags`); every other exception passes through and the
package's sentence is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ground.errors import WuzhaError


class UsageError(WuzhaError):
    """The command was called wrongly; the message names the flag to change."""


Sentence = Callable[[WuzhaError], "str | None"]


@contextmanager
def said_with_flags(*sentences: Sentence) -> Iterator[None]:
    """Inside the block, a package exception that one of `sentences` words in terms of the
    command's flags becomes a :class:`UsageError` with that sentence (the first that answers
    wins); the others are raised unchanged."""
    try:
        yield
    except WuzhaError as err:
        if isinstance(err, UsageError):
            raise
        for sentence in sentences:
            said = sentence(err)
            if said is not None:
                raise UsageError(said) from err
        raise
