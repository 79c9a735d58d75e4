"""Connecting operator commands (review, export, rescan, entities) to Elasticsearch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import Elasticsearch

from ground.settings import Settings


@contextmanager
def elasticsearch(settings: Settings) -> Iterator[Elasticsearch]:
    """A checked client with wuzha's indices in place; Elasticsearch errors become sentences."""
    from indexer.client import connect, resolve_url
    from indexer.errors import translated
    from indexer.setup import ensure_ready

    client = connect(settings)
    try:
        with translated(resolve_url(settings)):
            ensure_ready(settings, client)  # a fresh cluster gets its indices, not a 404
            yield client
    finally:
        client.close()
