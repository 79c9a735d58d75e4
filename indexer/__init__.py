"""Elasticsearch side of wuzha: mappings as JSON data, set-up, documents, bulk writer, spool.

Light to import (the crawler imports :mod:`ground.urls` on its hot path); the modules that need
the Elasticsearch client import it themselves:

- ``ids``        canonical URLs and document ids (shared with the crawler)
- ``documents``  crawled item / site / crawl run → document bodies
- ``templates``  the JSON mappings in ``mappings/`` made concrete for an index prefix
- ``setup``      idempotent templates, indices and write aliases (`wuzha es setup`)
- ``client``     a configured, checked client; ``errors`` turns failures into sentences
- ``bulk``       streaming_bulk with results sorted into written / retry later / refused
- ``writer``     ``BulkWriter``: what pipelines write through
- ``spool``      durable spool and its replay (`wuzha es replay`)
"""
