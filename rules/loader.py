"""Rule packs: read YAML, check them (schema + conventions), compile them into `Rule` objects.

Every problem is collected, not just the first, and each names the file and the rule id, so
`wuzha rules validate` gives a pack author the whole list in one go. The checks are small named
validators (see ``_CHECKS``), in the spirit of Sigma's and semgrep's rule CI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ground.blocks import BlockKind
from rules.conditions import Condition, ConditionError, compile_condition
from rules.errors import PackNotFound, RulePackError
from rules.lexicons import LexiconError
from rules.packcache import pack_digest, validated_packs

PACKAGE_DIR = Path(__file__).parent
DEFAULT_PACKS_DIR = PACKAGE_DIR / "packs"
SCHEMA_PATH = PACKAGE_DIR / "schema" / "rule.schema.json"
TAXONOMY_PATH = PACKAGE_DIR / "data" / "taxonomy.yaml"
SCHEMA_VERSION = 2  # packs of version 1 (page-wide conditions) were migrated: see the README
MIN_EXAMPLES = 3
DEFAULT_WEIGHTS = {"high": 60.0, "medium": 35.0, "low": 15.0}


#: Where a rule fires unless it says (``blocks``): everywhere but the site's chrome. A sidebar
#: or footer repeats on every page (a hot-posts list names a scam thread on every page that shows
#: the list); planted spam there is read as the link text or hidden block it is.
DEFAULT_BLOCKS = frozenset(str(kind) for kind in BlockKind) - {str(BlockKind.BOILERPLATE)}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack; ``str()`` is what `rules validate` prints."""

    file: Path
    rule_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.rule_id}]" if self.rule_id else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    title: str
    category: str
    level: str
    weight: float
    description: str
    match: Condition
    unless: Condition | None
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    source: Path
    false_positives: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    word_boundary: str = "auto"
    tags: tuple[str, ...] = field(default=())
    blocks: frozenset[str] = DEFAULT_BLOCKS  # block kinds it may fire in
    max_block_chars: int | None = None  # only in runs at most this long


@lru_cache(maxsize=1)
def schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Category id → Chinese name."""
    data = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["categories"].items()}


def pack_files(paths: Iterable[Path | str] | None = None) -> list[Path]:
    """YAML files of the given files/directories (default: rules/packs/), in a stable order."""
    found: list[Path] = []
    for raw in paths if paths is not None else [DEFAULT_PACKS_DIR]:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            found.append(path)
        else:
            raise PackNotFound(path)
    return found


# libyaml's parser when PyYAML has it (its wheels do): the same documents, several times faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> tuple[str, Any, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return "", None, [Problem(path, None, f"cannot read the file: {err}")]
    try:
        return text, yaml.load(text, Loader=_YAML_LOADER), []
    except yaml.YAMLError as err:
        return text, None, [Problem(path, None, f"not valid YAML: {err}")]


def _rule_id_at(data: Any, error_path: Iterable[Any]) -> str | None:
    parts = list(error_path)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(data, dict):
        try:
            rule = data["rules"][parts[1]]
            return str(rule.get("id")) if isinstance(rule, dict) else f"rules[{parts[1]}]"
        except (IndexError, KeyError, TypeError):
            return None
    return None


def _schema_problems(path: Path, data: Any) -> list[Problem]:
    problems = []
    for error in sorted(schema_validator().iter_errors(data), key=lambda e: list(e.path)):
        location = "/".join(str(p) for p in list(error.path)[2:]) or "rule"
        if list(error.path)[:1] != ["rules"]:
            location = "/".join(str(p) for p in error.path) or "pack"
        message = error.message
        if error.validator == "oneOf":
            message = _condition_message(error)
        problems.append(Problem(path, _rule_id_at(data, error.path), f"{location}: {message}"))
    return problems


def _condition_message(error) -> str:
    """Say what is wrong inside a condition rather than "not valid under any of the schemas"."""
    instance = error.instance
    if isinstance(instance, dict):
        keys = set(instance)
        for sub in error.context or ():
            branch = error.schema["oneOf"][sub.schema_path[0]] if sub.schema_path else {}
            if (
                keys
                and keys <= set(branch.get("properties", {}))
                and keys & set(branch.get("required", ()))
            ):
                where = "/".join(str(p) for p in sub.relative_path)
                return f"{where + ': ' if where else ''}{sub.message}"
    return (
        "a condition must be exactly one of any / all / at_least+of / near+within / "
        f"regex / signal / all_of / any_of / not (got {instance!r:.80})"
    )


# --- conventions, one small check each -------------------------------------------------


def _check_category(raw: dict[str, Any]) -> Iterator[str]:
    category = raw["category"]
    if category not in taxonomy():
        yield (f"category {category!r} is not in the taxonomy (one of: {', '.join(taxonomy())})")
    if not raw["id"].startswith(category + "."):
        yield f"id must be '<category>.<slug>', i.e. start with '{category}.'"


def _check_examples(raw: dict[str, Any]) -> Iterator[str]:
    examples = raw["examples"]
    for key in ("match", "no_match"):
        count = len(examples.get(key) or [])
        if count < MIN_EXAMPLES:
            yield f"examples.{key} has {count} text(s); write at least {MIN_EXAMPLES}"


_CHECKS = (_check_category, _check_examples)


def _compile(path: Path, raw: dict[str, Any]) -> tuple[Rule | None, list[Problem]]:
    rule_id = raw["id"]
    problems = [Problem(path, rule_id, msg) for check in _CHECKS for msg in check(raw)]
    policy = raw.get("word_boundary", "auto")
    try:
        match = compile_condition(raw["match"], policy, "match")
        unless = compile_condition(raw["unless"], policy, "unless") if raw.get("unless") else None
    except (ConditionError, LexiconError) as err:
        return None, problems + [Problem(path, rule_id, str(err))]
    if problems:
        return None, problems
    rule = Rule(
        id=rule_id,
        version=int(raw["version"]),
        title=raw["title"],
        category=raw["category"],
        level=raw["level"],
        weight=float(raw.get("weight") or DEFAULT_WEIGHTS[raw["level"]]),
        description=raw["description"],
        match=match,
        unless=unless,
        examples_match=tuple(raw["examples"]["match"]),
        examples_no_match=tuple(raw["examples"]["no_match"]),
        source=path,
        false_positives=tuple(raw.get("false_positives") or ()),
        references=tuple(raw.get("references") or ()),
        word_boundary=policy,
        tags=tuple(raw.get("tags") or ()),
        blocks=frozenset(raw["blocks"]) if raw.get("blocks") else DEFAULT_BLOCKS,
        max_block_chars=raw.get("max_block_chars"),
    )
    return rule, []


def check_packs(paths: Iterable[Path | str] | None = None) -> tuple[list[Rule], list[Problem]]:
    """Load and check packs; returns the rules that are fine and every problem found."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    files = pack_files(paths)
    if not files:
        problems.append(Problem(Path(*(paths or [DEFAULT_PACKS_DIR])), None, "no *.yaml packs"))
    schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
    checked = validated_packs()
    for path in files:
        text, data, read_problems = _read(path)
        problems.extend(read_problems)
        if read_problems:
            continue
        digest = pack_digest(schema_text, text)
        schema_problems = [] if digest in checked else _schema_problems(path, data)
        if not schema_problems:
            checked.add(digest)
        problems.extend(schema_problems)
        rules_ok = isinstance(data, dict) and isinstance(data.get("rules"), list)
        if not rules_ok or any(p.rule_id is None for p in schema_problems):
            continue
        # rules with schema errors are reported once; the others still get every check
        broken = {p.rule_id for p in schema_problems}
        for raw in data["rules"]:
            if not isinstance(raw, dict) or str(raw.get("id")) in broken:
                continue
            rule_id = raw["id"]
            if rule_id in seen:
                problems.append(
                    Problem(path, rule_id, f"duplicate id (first defined in {seen[rule_id]})")
                )
                continue
            seen[rule_id] = path
            rule, rule_problems = _compile(path, raw)
            problems.extend(rule_problems)
            if rule is not None:
                rules.append(rule)
    return rules, problems


def load_rules(paths: Iterable[Path | str] | None = None) -> list[Rule]:
    """Rules of the packs, or `RulePackError` listing every problem."""
    rules, problems = check_packs(paths)
    if problems:
        raise RulePackError(problems)
    return rules
