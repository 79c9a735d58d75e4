"""The KQL-like language reviewers select hits with (what they type in Kibana's search bar),
translated into Lucene ``query_string`` syntax, which every supported Elasticsearch reads."""

from __future__ import annotations

import re
from typing import Any

from indexer.errors import BadQuery, EmptyQuery

# KQL-like operators turned into Lucene query_string syntax (see kql_to_query_string).
_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # quoted phrase
    r"|>=|<=|>|<"  # range operators
    r"|[()]"
    r"|:"
    r"|[^\s()\":<>]+"  # words, field names, values (wildcards included)
)
_BOOLEAN = {"and": "AND", "or": "OR", "not": "NOT"}


def kql_to_query_string(query: str) -> str:
    """Translate the supported KQL subset into Lucene ``query_string`` syntax.

    Supported: ``field:value``, ``field:"a phrase"``, ``field:(a or b)``, ``and``/``or``/``not``
    (any case), parentheses, wildcards (``url.domain:*.example.com`` is refused: no leading
    wildcards), ranges ``field >= value`` / ``>`` / ``<=`` / ``<`` (numbers, dates, date math
    such as ``now-7d``), and free text (searched in all fields). Not supported: nested-field
    syntax ``field:{…}``.
    """
    tokens = _TOKEN.findall(query)
    if not tokens:
        raise EmptyQuery(query)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        if low in _BOOLEAN:
            out.append(_BOOLEAN[low])
        elif tok in (">=", "<=", ">", "<"):
            if not out or i + 1 >= len(tokens):
                raise BadQuery(query, f"{tok} needs a field before it and a value after it.")
            value = tokens[i + 1]
            if (
                len(value) > 1 and value[0] == value[-1] == '"'
            ):  # query_string ranges take no quotes
                value = value[1:-1].replace(" ", "\\ ")
            out[-1] = f"{out[-1]}:{tok}{value}"
            i += 1
        elif tok == ":":
            if not out or i + 1 >= len(tokens):
                raise BadQuery(query, "':' needs a field before it and a value after it.")
            out[-1] = f"{out[-1]}:"
            i += 1
            value = tokens[i]
            if value == "(":  # field:(a or b) — copy the group, translating booleans
                depth, group = 0, []
                while i < len(tokens):
                    t = tokens[i]
                    depth += t == "("
                    depth -= t == ")"
                    group.append(_BOOLEAN.get(t.lower(), t))
                    if depth == 0:
                        break
                    i += 1
                if depth != 0:
                    raise BadQuery(query, "unbalanced parentheses.")
                out[-1] += " ".join(group).replace("( ", "(").replace(" )", ")")
            else:
                out[-1] += value
        else:
            out.append(tok)
        i += 1
    return " ".join(out)


def kql_query(query: str) -> dict[str, Any]:
    """The Elasticsearch query for the KQL-like `query` (AND between bare terms, no leading
    wildcards)."""
    return {
        "query_string": {
            "query": kql_to_query_string(query),
            "default_operator": "AND",
            "allow_leading_wildcard": False,
            "analyze_wildcard": True,
        }
    }
