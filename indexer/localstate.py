"""Where the single-node Elasticsearch that `wuzha es up` runs lives, and whether it runs.

Only paths and the state file: starting and stopping the server (a JVM, a system user) is the
command line's job (``wuzha/localsearch.py``). The client reads the state file to find the
server when no ``ELASTICSEARCH_URL`` is set.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ground.settings import Settings


@dataclass(frozen=True)
class LocalServer:
    """Where one local server lives on disk and listens."""

    home: Path  # <state_dir>/elasticsearch
    version: str
    port: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalServer:
        return cls(settings.state_dir / "elasticsearch", settings.es_version, settings.es_port)

    @property
    def dist_dir(self) -> Path:
        return self.home / f"elasticsearch-{self.version}"

    @property
    def data_dir(self) -> Path:
        return self.home / f"data-{self.port}"

    @property
    def logs_dir(self) -> Path:
        return self.home / f"logs-{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / f"es-{self.port}.pid"

    @property
    def state_file(self) -> Path:
        return self.home / "running.json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def local_url(settings: Settings) -> str | None:
    """URL of the server `wuzha es up` started, if its state file says one runs."""
    server = LocalServer.from_settings(settings)
    try:
        state = json.loads(server.state_file.read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid")
    if not pid or not process_alive(int(pid)):
        return None
    return state.get("url")


def health(url: str, timeout: float = 2.0) -> dict | None:
    """The cluster health document, or None when nothing answers at `url`."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
