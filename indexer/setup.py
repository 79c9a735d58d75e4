"""`wuzha es setup`: templates, first indices and write aliases — idempotent, run on every deploy.

Order matters: component templates, then the index templates composed of them, then for each
kind either the first concrete index (``<prefix>-pages-000001``) with its write alias
(``<prefix>-pages``), or — when the alias exists — the current mapping pushed to the indices
behind it if ours changed (additive changes only; anything else needs a new index and an alias
flip, which this module refuses to guess at).

Whether the server already holds our content is decided by ``_meta.version`` plus a checksum of
the body we sent, stored in ``_meta`` too: comparing against Elasticsearch's normalised copy of
a template would report spurious changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from ground.settings import Settings
from indexer import templates
from indexer.client import connect, resolve_url
from indexer.errors import IndexerError, NotSetUpError, translated

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class SetupReport:
    """What `setup` did, one line per object: (what, name, action, detail)."""

    steps: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, what: str, name: str, action: str, detail: str = "") -> None:
        self.steps.append((what, name, action, detail))

    def count(self, action: str) -> int:
        return sum(1 for step in self.steps if step[2] == action)

    @property
    def changed(self) -> bool:
        return any(step[2] != UNCHANGED for step in self.steps)

    def summary(self) -> str:
        return (
            f"{self.count(CREATED)} created, {self.count(UPDATED)} updated, "
            f"{self.count(UNCHANGED)} unchanged"
        )


def setup(settings: Settings, client: Elasticsearch | None = None) -> SetupReport:
    """Apply templates, create missing indices and aliases, update mappings; idempotent."""
    es = client or connect(settings)
    url = resolve_url(settings)
    prefix = settings.index_prefix
    report = SetupReport()
    with translated(url):
        for name, body in templates.component_templates(prefix).items():
            _apply_component_template(es, name, body, report)
        for kind in templates.KINDS:
            name = templates.alias_name(prefix, kind)
            body = index_template_body(prefix, kind)
            _apply_index_template(es, name, body, report)
            _ensure_index(es, prefix, kind, report)
    _ready.add((url, prefix))
    return report


def ensure_ready(settings: Settings, client: Elasticsearch) -> None:
    """Run :func:`setup` once per process if any alias is missing or an index's mapping is older
    than this wuzha's (writers call this, so a crawl against a fresh or not yet upgraded
    cluster just works; deploys still run `wuzha es setup`)."""
    url = resolve_url(settings)
    prefix = settings.index_prefix
    if (url, prefix) in _ready:
        return
    aliases = [templates.alias_name(prefix, kind) for kind in templates.KINDS]
    with translated(url):
        found = client.options(ignore_status=404).indices.get_alias(name=aliases).body
        present = {
            a for info in found.values() if isinstance(info, dict) for a in info.get("aliases", {})
        }
        if set(aliases) <= present and _mappings_current(client, prefix, found):
            _ready.add((url, prefix))
            return
    setup(settings, client)


def _mappings_current(client: Elasticsearch, prefix: str, found: dict[str, Any]) -> bool:
    """Whether every index behind our aliases has this wuzha's mapping (a newer wuzha writes
    fields an older strict mapping would refuse, so an upgrade brings the mappings along)."""
    wanted = {
        templates.alias_name(prefix, kind): mapping_checksum(prefix, kind)
        for kind in templates.KINDS
    }
    indices = [index for index, info in found.items() if isinstance(info, dict)]
    current = client.indices.get_mapping(index=indices).body
    for index in indices:
        meta = (current.get(index, {}).get("mappings") or {}).get("_meta") or {}
        for alias in found[index].get("aliases", {}):
            if alias in wanted and meta.get("mapping_checksum") != wanted[alias]:
                return False
    return True


_ready: set[tuple[str, str]] = set()


def index_template_body(prefix: str, kind: str) -> dict[str, Any]:
    """Our index template for `kind`, its mapping ``_meta`` stamped with a checksum of the
    merged mapping (components included), so a component change reaches existing indices."""
    body = templates.index_templates(prefix)[templates.alias_name(prefix, kind)]
    mapping_meta = body["template"]["mappings"].setdefault("_meta", {})
    mapping_meta["mapping_checksum"] = mapping_checksum(prefix, kind)
    return body


def mapping_checksum(prefix: str, kind: str) -> str:
    merged = templates.merged_mappings(kind, prefix)
    merged.pop("_meta", None)
    return templates.checksum(merged)


def _stamped(body: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(body)
    out.setdefault("_meta", {})["checksum"] = templates.checksum(body)
    return out


def _compare(kind: str, name: str, ours: dict[str, Any], theirs: dict[str, Any] | None) -> str:
    """CREATED/UPDATED/UNCHANGED for a template, refusing to downgrade a newer one."""
    if theirs is None:
        return CREATED
    meta = theirs.get("_meta") or {}
    their_version = int(meta.get("version", 0) or 0)
    our_version = templates.template_version(ours)
    if their_version > our_version:
        raise NotSetUpError(
            f"The {kind} {name!r} on the cluster has version {their_version}, newer than this "
            f"wuzha's {our_version}: a newer wuzha manages this cluster. Upgrade wuzha here "
            "(pip install -U wuzha) instead of downgrading the cluster's templates."
        )
    if their_version == our_version and meta.get("checksum") == templates.checksum(ours):
        return UNCHANGED
    return UPDATED


def _apply_component_template(
    es: Elasticsearch, name: str, body: dict, report: SetupReport
) -> None:
    try:
        found = es.cluster.get_component_template(name=name).body["component_templates"]
        theirs = found[0]["component_template"] if found else None
    except NotFoundError:
        theirs = None
    action = _compare("component template", name, body, theirs)
    if action != UNCHANGED:
        stamped = _stamped(body)
        es.cluster.put_component_template(
            name=name, template=stamped["template"], meta=stamped["_meta"]
        )
    report.add("component template", name, action, f"v{templates.template_version(body)}")


def _apply_index_template(es: Elasticsearch, name: str, body: dict, report: SetupReport) -> None:
    try:
        found = es.indices.get_index_template(name=name).body["index_templates"]
        theirs = found[0]["index_template"] if found else None
    except NotFoundError:
        theirs = None
    action = _compare("index template", name, body, theirs)
    if action != UNCHANGED:
        stamped = _stamped(body)
        es.indices.put_index_template(
            name=name,
            index_patterns=stamped["index_patterns"],
            composed_of=stamped.get("composed_of", []),
            priority=stamped.get("priority"),
            template=stamped["template"],
            meta=stamped["_meta"],
        )
    report.add("index template", name, action, f"v{templates.template_version(body)}")


def _ensure_index(es: Elasticsearch, prefix: str, kind: str, report: SetupReport) -> None:
    alias = templates.alias_name(prefix, kind)
    if es.indices.exists_alias(name=alias):
        _update_mappings(es, prefix, kind, alias, report)
        return
    if es.indices.exists(index=alias):
        raise NotSetUpError(
            f"{alias!r} is a concrete index, not an alias (probably created by writing to it "
            "before `wuzha es setup` ran). Move its documents elsewhere and delete it, then run "
            "`wuzha es setup` again."
        )
    index = templates.first_index_name(prefix, kind)
    try:
        es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
    except ApiError as err:
        if err.error != "resource_already_exists_exception":
            raise
        # Another deploy created it between our check and our create, or a previous run died
        # before adding the alias: either way make sure the alias is there.
        es.indices.put_alias(index=index, name=alias, is_write_index=True)
    report.add("index", index, CREATED, f"write alias {alias}")


def _update_mappings(
    es: Elasticsearch, prefix: str, kind: str, alias: str, report: SetupReport
) -> None:
    merged = templates.merged_mappings(kind, prefix)
    ours_meta = dict(merged.get("_meta") or {})
    ours_meta["mapping_checksum"] = mapping_checksum(prefix, kind)
    ours_version = int(ours_meta.get("version", 0))
    current = es.indices.get_mapping(index=alias).body
    for index, info in sorted(current.items()):
        meta = (info.get("mappings") or {}).get("_meta") or {}
        their_version = int(meta.get("version", 0) or 0)
        if their_version > ours_version:
            raise NotSetUpError(
                f"Index {index} has mapping version {their_version}, newer than this wuzha's "
                f"{ours_version}. Upgrade wuzha here instead."
            )
        if meta.get("mapping_checksum") == ours_meta["mapping_checksum"]:
            report.add("index", index, UNCHANGED, f"alias {alias}")
            continue
        merged["_meta"] = ours_meta
        try:
            es.indices.put_mapping(index=index, **merged)
        except ApiError as err:
            raise NotSetUpError(
                f"The new mapping of {kind} cannot be applied to the existing index {index} "
                f"({err.message}). Changed field types need a new index: create "
                f"{alias}-<next number> from the template, copy the documents (reindex), and "
                f"move the write alias {alias} to it."
            ) from err
        report.add("index", index, UPDATED, "mapping updated")


def drop_cache() -> None:
    """Forget which clusters were checked (tests that delete indices call this)."""
    _ready.clear()


__all__ = [
    "IndexerError",
    "SetupReport",
    "drop_cache",
    "ensure_ready",
    "index_template_body",
    "setup",
]
