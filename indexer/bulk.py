"""Sending bulk actions with ``helpers.streaming_bulk`` and sorting out what happened to each.

Every action ends in exactly one of three places: acknowledged by Elasticsearch, to be retried
later (the caller spools it: unreachable cluster, 429/5xx after our retries, credentials
revoked mid-run), or rejected for good (a document the mapping refuses — reported with its id and
reason, kept in the spool's ``rejected`` file). Nothing is dropped without being counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import TransportError
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from ground.settings import Settings
from indexer.documents import Document
from indexer.templates import alias_name

log = logging.getLogger(__name__)

#: Statuses worth retrying with backoff, per document and per request.
RETRY_ON_STATUS = (429, 502, 503, 504)
#: Statuses that mean "this document is wrong" rather than "try again later".
REJECT_STATUSES = frozenset({400, 413})
#: Largest bulk request body. Pages are capped at ~1.5 MB of text and an upsert carries the
#: body twice, so this keeps a chunk well under Elasticsearch's 100 MB http.max_content_length.
MAX_CHUNK_BYTES = 20 * 1024 * 1024
RETRY_ON_CONFLICT = 3  # concurrent partial updates of one document (two crawlers, a reviewer)


def action_for(doc: Document, prefix: str) -> dict[str, Any]:
    """The bulk action that writes `doc` through its alias (JSON-serialisable, for the spool)."""
    index = alias_name(prefix, doc.kind)
    if doc.op in ("upsert", "update"):
        action = {
            "_op_type": "update",
            "_index": index,
            "_id": doc.id,
            "retry_on_conflict": RETRY_ON_CONFLICT,
            "doc": doc.body,
        }
        if doc.op == "upsert":
            # No scripts (the integ-test server has no painless): `doc` merges into an existing
            # document without touching fields it does not name (review.*, first_seen); `upsert`
            # is the whole document when it is new.
            action["upsert"] = _merged(doc.body, doc.insert_only)
        return action
    if doc.op in ("index", "create"):
        return {"_op_type": doc.op, "_index": index, "_id": doc.id, "_source": doc.body}
    raise ValueError(f"unknown document op {doc.op!r}")


@dataclass
class SendResult:
    """What became of one batch."""

    stats: Counter = field(default_factory=Counter)
    retry: list[dict[str, Any]] = field(default_factory=list)  # to spool and replay later
    rejected: list[dict[str, Any]] = field(
        default_factory=list
    )  # {id, index, status, reason, error, action}
    error: BaseException | None = None  # set when the cluster could not be reached at all

    @property
    def complete(self) -> bool:
        return not self.retry and self.error is None


class BulkSender:
    """streaming_bulk with every knob explicit, results mapped back to their actions."""

    def __init__(self, settings: Settings, client: Elasticsearch) -> None:
        self.client = client
        self.chunk_size = settings.bulk_chunk_size
        self.max_retries = settings.bulk_max_retries
        self.initial_backoff = settings.bulk_initial_backoff
        self.max_backoff = settings.bulk_max_backoff

    def send(self, actions: list[dict[str, Any]]) -> SendResult:
        result = SendResult()
        if not actions:
            return result
        waiting: dict[str, list[dict[str, Any]]] = {}
        for action in actions:
            waiting.setdefault(action["_id"], []).append(action)
        try:
            for ok, item in streaming_bulk(
                self.client,
                actions,
                chunk_size=self.chunk_size,
                max_chunk_bytes=MAX_CHUNK_BYTES,
                max_retries=self.max_retries,
                initial_backoff=self.initial_backoff,
                max_backoff=self.max_backoff,
                retry_on_status=RETRY_ON_STATUS,
                raise_on_error=False,
                raise_on_exception=False,
                yield_ok=True,
                require_alias=True,  # never let a write auto-create an unmapped index
            ):
                op_type, info = next(iter(item.items()))
                action = _take(waiting, info.get("_id"))
                self._record(result, ok, op_type, info, action)
        except TransportError as err:  # unreachable, timeout, TLS: nothing more got through
            result.error = err
            result.stats["es/unreachable"] += 1
        # Anything without a verdict (cluster gone mid-batch) is retried later: ids are fixed,
        # so an action that did land and is sent again changes nothing.
        for rest in waiting.values():
            result.retry.extend(rest)
        return result

    def _record(
        self, result: SendResult, ok: bool, op_type: str, info: dict, action: dict | None
    ) -> None:
        stats = result.stats
        status = int(info.get("status") or 0)
        if ok:
            stats["es/indexed"] += 1
            stats[f"es/{info.get('result', 'ok')}"] += 1
            return
        reason = _reason(info)
        if op_type == "create" and status == 409:
            stats["es/already_present"] += 1  # append-only entry replayed: it is there already
            return
        if status == 404 and reason == "document_missing_exception":
            stats["es/skipped/document_missing"] += 1  # partial update of a deleted document
            return
        if status in REJECT_STATUSES:
            stats["es/failed"] += 1
            stats[f"es/failed/{reason}"] += 1
            result.rejected.append(
                {
                    "id": info.get("_id"),
                    "index": (action or {}).get("_index", info.get("_index")),
                    "status": status,
                    "reason": reason,
                    "error": _error_text(info),
                    "action": action,
                }
            )
            log.warning("Elasticsearch refused document %s: %s", info.get("_id"), _error_text(info))
            return
        # 429/5xx after retries, auth revoked, alias missing…: the document is fine, keep it.
        stats[f"es/deferred/{reason}"] += 1
        if action is not None:
            result.retry.append(action)


def _merged(body: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _take(waiting: dict[str, list[dict[str, Any]]], doc_id: str | None) -> dict[str, Any] | None:
    queue = waiting.get(doc_id or "")
    if not queue:
        return None
    action = queue.pop(0)
    if not queue:
        del waiting[doc_id]
    return action


def _reason(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict) and error.get("type"):
        return str(error["type"])
    return f"http_{info.get('status', 'unknown')}"


def _error_text(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type')}: {error.get('reason')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            text += f" (caused by {cause.get('type')}: {cause.get('reason')})"
        return text[:2000]
    return str(error)[:2000]
