"""Elasticsearch side of wuzha: everything after the crawl, one job per module.

Importing the package costs nothing: the modules that need the Elasticsearch client import it
themselves.

Storing what the crawl found:

- ``documents``  crawled item / site / crawl run → document bodies
- ``templates``  the JSON mappings in ``mappings/`` made concrete for an index prefix
- ``setup``      idempotent templates, indices and write aliases (`wuzha es setup`)
- ``client``     a configured, checked client; ``localstate`` the local server's state file
- ``errors``     the indexer's exceptions, and Elasticsearch failures turned into sentences
- ``bulk``       streaming_bulk with results sorted into written / retry later / refused
- ``writer``     ``BulkWriter``: what pipelines write through
- ``spool``      durable spool and its replay (`wuzha es replay`)
- ``paging``     the one way to page through documents (point in time) and buckets
- ``site_registry`` the registry's life cycle: stored sites, what an import adds, changes and
  retires

Reviewing it:

- ``review_states``  the review lifecycle as data (statuses, allowed changes)
- ``review_targets`` the site or hit a decision applies to, read with its concurrency token
- ``review``         reviewers' decisions: one site, one hit, or the hits a query selects
- ``kql``            the KQL-like query language of those selections
- ``review_log``     the append-only history of decisions, and a site's status at a moment
- ``recurrence``     the one automatic change: taken_down → recurred

Reporting and re-scanning:

- ``weeks``                ISO weeks in the office's time zone
- ``findings``             a site's findings over a span of time, and its best evidence
- ``takedown_candidates``  the weekly takedown-candidate list and its rows
- ``export``               those rows written to XLSX/CSV, safe to open in a spreadsheet
- ``entity_queries``       contact and money identifiers seen on several sites
- ``site_risk``            what a crawl tells the index at its end: each site's risk, the run
- ``rescan``               the current rules run again over stored pages (retro-scan)
- ``kibana``               the saved objects imported into Kibana
"""
