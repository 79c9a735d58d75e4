"""The index templates and mappings kept as JSON in ``indexer/mappings/``, made concrete.

``mappings/components/*.json`` are component templates and ``mappings/indices/*.json`` index
templates, stored as the bodies Elasticsearch takes, with ``{prefix}`` where the index prefix
goes (so a test session or a second deployment can live beside production on one cluster).
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

MAPPINGS_DIR = Path(__file__).with_name("mappings")

#: The kinds of index wuzha writes; each is reached through the alias ``<prefix>-<kind>``.
KINDS = ("pages", "hits", "sites", "crawls", "review-log")


def alias_name(prefix: str, kind: str) -> str:
    """The alias readers and writers use for `kind` (``wuzha-pages``…)."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; expected one of {', '.join(KINDS)}")
    return f"{prefix}-{kind}"


def first_index_name(prefix: str, kind: str) -> str:
    """The concrete index created behind a new alias; later ones (rollover) count up."""
    return f"{alias_name(prefix, kind)}-000001"


def component_templates(prefix: str) -> dict[str, dict[str, Any]]:
    """Component template name -> body, for this prefix."""
    return {
        f"{prefix}-{name}": _with_prefix(body, prefix)
        for name, body in _load_dir("components").items()
    }


def index_templates(prefix: str) -> dict[str, dict[str, Any]]:
    """Index template name (same as the alias) -> body, for this prefix."""
    return {
        alias_name(prefix, kind): _with_prefix(_load_dir("indices")[kind], prefix) for kind in KINDS
    }


def template_version(body: dict[str, Any]) -> int:
    return int((body.get("_meta") or {}).get("version", 0))


def checksum(body: dict[str, Any]) -> str:
    """A short hash of a template body (without its ``_meta``): tells set-up whether the
    server holds exactly this content, without comparing Elasticsearch's normalised copy."""
    content = {k: v for k, v in body.items() if k != "_meta"}
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(raw).hexdigest()[:12]


def merged_mappings(kind: str, prefix: str = "wuzha") -> dict[str, Any]:
    """The mappings an index of `kind` gets: its components merged in order, then its own.

    Lets tests and the Kibana objects check field names without a server.
    """
    body = index_templates(prefix)[alias_name(prefix, kind)]
    components = component_templates(prefix)
    merged: dict[str, Any] = {"properties": {}}
    for name in body.get("composed_of", []):
        _deep_merge(merged, components[name].get("template", {}).get("mappings", {}))
    _deep_merge(merged, body.get("template", {}).get("mappings", {}))
    return merged


def field_types(kind: str) -> dict[str, str]:
    """Every mapped field of `kind` as dotted path -> type, multi-fields included
    (``url.full`` -> keyword, ``url.full.text`` -> text, ``entities.value`` -> keyword)."""
    out: dict[str, str] = {}

    def walk(properties: dict[str, Any], path: str) -> None:
        for name, spec in properties.items():
            dotted = f"{path}{name}"
            if "properties" in spec:
                out[dotted] = spec.get("type", "object")
                walk(spec["properties"], dotted + ".")
                continue
            out[dotted] = spec.get("type", "object")
            for sub, sub_spec in spec.get("fields", {}).items():
                out[f"{dotted}.{sub}"] = sub_spec["type"]

    walk(merged_mappings(kind)["properties"], "")
    return out


@cache
def _load_dir_cached(folder: str) -> str:
    files = sorted((MAPPINGS_DIR / folder).glob("*.json"))
    return json.dumps({f.stem: json.loads(f.read_text(encoding="utf-8")) for f in files})


def _load_dir(folder: str) -> dict[str, dict[str, Any]]:
    # Parsed fresh each call from a cached string, so callers may mutate what they get.
    return json.loads(_load_dir_cached(folder))


def _with_prefix(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        return value.replace("{prefix}", prefix)
    if isinstance(value, list):
        return [_with_prefix(v, prefix) for v in value]
    if isinstance(value, dict):
        return {k: _with_prefix(v, prefix) for k, v in value.items()}
    return value


def _deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
