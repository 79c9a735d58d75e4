"""The one exception type that operator commands turn into a plain sentence.

Lower-level errors (network, Elasticsearch, file formats) are mapped to ``UserError`` at
package boundaries; the message says what went wrong *and what to do about it*.
"""

from __future__ import annotations


class UserError(Exception):
    """An error the operator can fix; ``str(err)`` is shown without a traceback."""

    exit_code = 2
