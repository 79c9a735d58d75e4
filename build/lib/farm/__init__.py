"""The local site farm: many virtual Chinese websites on loopback, with their ground truth.

Tests, the demo and the benchmarks crawl it::

    import farm
    f = farm.build_farm(n_sites=40, seed=7, base_port=farm.free_base_port(40))
    with farm.running(f) as served:           # background thread, own event loop
        crawl(f.sites[0].url)                  # http://127.0.0.1:<port>/
        served.requests()                      # what was fetched: site, path, status
    f.truth()                                  # kinds, hostility, fraud and benign pages
    f.write_registry("sites.xlsx", bad_rows=True)

    with farm.serve_subprocess(4300) as proc:  # a separate process, for benchmarks
        ...
"""

from __future__ import annotations

from farm.generator import DEFAULT_BASE_PORT, DEFAULT_SEED, Farm, build_farm
from farm.kinds import CYCLE, HOSTILE_KIND_NAMES, KINDS, NORMAL_KINDS
from farm.model import FarmOptions, PageSpec, SiteSpec
from farm.registry import COLUMNS as REGISTRY_COLUMNS
from farm.runner import FarmProcess, RunningFarm, free_base_port, running, serve_subprocess
from farm.server import FarmPortError, FarmServer

__all__ = [
    "CYCLE",
    "DEFAULT_BASE_PORT",
    "DEFAULT_SEED",
    "HOSTILE_KIND_NAMES",
    "KINDS",
    "NORMAL_KINDS",
    "REGISTRY_COLUMNS",
    "Farm",
    "FarmOptions",
    "FarmPortError",
    "FarmProcess",
    "FarmServer",
    "PageSpec",
    "RunningFarm",
    "SiteSpec",
    "build_farm",
    "free_base_port",
    "running",
    "serve_subprocess",
]
