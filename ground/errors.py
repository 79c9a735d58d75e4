"""The base of every wuzha exception that an operator can act on.

Each package has its own exceptions module whose classes derive from :class:`WuzhaError`
(``rules.errors``, ``indexer.errors``, ``crawler.errors``, …); lower-level errors (network,
Elasticsearch, file formats) are mapped to them at the package's boundary. ``str(err)`` is a
sentence that says what went wrong and what to do about it. Only the command line
(``wuzha.cli``) names command-line flags: it turns these exceptions into its messages.
"""

from __future__ import annotations


class WuzhaError(Exception):
    """A problem the operator can fix; ``str(err)`` is shown without a traceback."""

    exit_code = 2


def os_reason(err: OSError) -> str:
    """What the system said ("permission denied", "no space left on device"), without the
    errno and path around it, for a sentence."""
    if isinstance(err, FileExistsError):  # mkdir where a file of that name already is
        return "not a directory"
    return (err.strerror or str(err)).lower()
