"""Imported by the process the page workers are forked from (the fork server, whose preload
``crawler.extensions.pageworkers`` names it), so that every worker starts with the modules
imported and the rule engine loaded instead of loading it itself (seconds of CPU), again after
each restart."""

from __future__ import annotations

from ground.settings import get_settings
from pagemodel.worker import die_with_parent, warm

# Killed with the crawler (even by SIGKILL), and its workers with it (they die with their parent,
# this process): a worker must not go on reading a slow page for a crawler that is gone.
die_with_parent()
try:
    warm(get_settings().rules_model)
except Exception:  # noqa: BLE001, S110 - a worker then loads on first use and reports it
    pass
