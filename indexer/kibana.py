"""Importing wuzha's Kibana saved objects (data views, saved searches, dashboard).

The objects live as NDJSON in the repository's ``kibana/`` folder, exactly as Kibana exports
them, so they can be edited in Kibana, exported and committed again. ``wuzha kibana setup``
POSTs them to Kibana's saved-objects import API with ``overwrite=true``: object ids are fixed,
so a second import replaces the same objects instead of adding copies (idempotent).

The files name the default index prefix (``wuzha-pages`` …); when ``Settings.index_prefix``
differs, the data views' index patterns are rewritten on the way in.

HTTP goes through urllib3 (already installed as the Elasticsearch client's transport), which
also builds the multipart body. Kibana accepts the cluster's users, so the Elasticsearch
credentials and CA settings are reused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

from ground.settings import Settings
from indexer.errors import KibanaError, KibanaUnreachable, KibanaUrlMissing

DEFAULT_PREFIX = "wuzha"
KIBANA_DIR = Path(__file__).resolve().parent.parent / "kibana"
IMPORT_PATH = "/api/saved_objects/_import"
MAX_RESPONSE_ERRORS = 10


@dataclass
class ImportResult:
    success: bool
    success_count: int
    objects: int
    errors: list[dict[str, Any]] = field(default_factory=list)


def object_files(directory: Path = KIBANA_DIR) -> list[Path]:
    files = sorted(directory.glob("*.ndjson"))
    if not files:
        raise KibanaError(f"No Kibana saved objects (*.ndjson) found in {directory}.")
    return files


def load_objects(files: Iterable[Path]) -> list[dict[str, Any]]:
    """Every saved object in ``files``, in file order (data views first by naming)."""
    objects: list[dict[str, Any]] = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise KibanaError(f"{path}:{number} is not valid JSON ({err.msg}).") from err
    return objects


def with_prefix(objects: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The objects with data-view index patterns moved from ``wuzha-*`` to ``<prefix>-*``."""
    if prefix == DEFAULT_PREFIX:
        return objects
    rewritten = []
    for obj in objects:
        if obj.get("type") == "index-pattern":
            obj = json.loads(json.dumps(obj))
            title = obj["attributes"]["title"]
            if title.startswith(DEFAULT_PREFIX + "-"):
                obj["attributes"]["title"] = prefix + title[len(DEFAULT_PREFIX) :]
        rewritten.append(obj)
    return rewritten


def to_ndjson(objects: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def _headers(settings: Settings) -> dict[str, str]:
    headers = {"kbn-xsrf": "wuzha", "Accept": "application/json"}
    if settings.elasticsearch_api_key:
        headers["Authorization"] = f"ApiKey {settings.elasticsearch_api_key}"
    elif settings.elasticsearch_username:
        headers.update(
            urllib3.make_headers(
                basic_auth=f"{settings.elasticsearch_username}:"
                f"{settings.elasticsearch_password or ''}"
            )
        )
    return headers


def _pool(settings: Settings) -> urllib3.PoolManager:
    kwargs: dict[str, Any] = {"timeout": urllib3.Timeout(total=settings.elasticsearch_timeout)}
    if not settings.elasticsearch_verify_certs:
        kwargs["cert_reqs"] = "CERT_NONE"
    elif settings.elasticsearch_ca_file:
        kwargs["ca_certs"] = str(settings.elasticsearch_ca_file)
    return urllib3.PoolManager(retries=False, **kwargs)


def import_objects(
    settings: Settings, url: str | None = None, directory: Path = KIBANA_DIR
) -> ImportResult:
    """POST the saved objects to Kibana (overwrite=true); raise KibanaError on any failure."""
    base = (url or settings.kibana_url or "").rstrip("/")
    if not base:
        raise KibanaUrlMissing()
    if not base.startswith(("http://", "https://")):
        raise KibanaError(f"Kibana URL {base!r} must start with http:// or https://.")
    objects = with_prefix(load_objects(object_files(directory)), settings.index_prefix)
    body, content_type = urllib3.encode_multipart_formdata(
        {"file": ("wuzha.ndjson", to_ndjson(objects), "application/ndjson")}
    )
    headers = _headers(settings) | {"Content-Type": content_type}
    try:
        response = _pool(settings).request(
            "POST", f"{base}{IMPORT_PATH}?overwrite=true", body=body, headers=headers
        )
    except urllib3.exceptions.SSLError as err:
        raise KibanaError(
            f"TLS to Kibana at {base} failed ({err}): set ELASTICSEARCH_CA_FILE to the CA "
            "that signed Kibana's certificate."
        ) from err
    except urllib3.exceptions.HTTPError as err:
        raise KibanaUnreachable(base, type(err).__name__) from err
    if response.status in (401, 403):
        raise KibanaError(
            f"Kibana at {base} refused the credentials (HTTP {response.status}): set "
            "ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD to a user that may "
            "manage saved objects."
        )
    try:
        payload = json.loads(response.data or b"{}")
    except json.JSONDecodeError:
        payload = {}
    if response.status != 200:
        message = payload.get("message") or response.data[:300].decode("utf-8", "replace")
        raise KibanaError(
            f"Kibana at {base} rejected the import (HTTP {response.status}): {message}. "
            "Is this a Kibana 8.x or 9.x URL?"
        )
    errors = payload.get("errors") or []
    result = ImportResult(
        success=bool(payload.get("success")) and not errors,
        success_count=int(payload.get("successCount", 0)),
        objects=len(objects),
        errors=errors,
    )
    if not result.success:
        shown = "; ".join(
            f"{e.get('type')} {e.get('id')}: {(e.get('error') or {}).get('type', 'error')}"
            for e in errors[:MAX_RESPONSE_ERRORS]
        )
        raise KibanaError(
            f"Kibana imported {result.success_count} of {result.objects} objects; failed: "
            f"{shown or 'unknown reason'}."
        )
    return result
