"""Running real crawls from tests: `wuzha crawl` in a subprocess (Twisted's reactor cannot be
restarted inside the test process), with every outgoing connection recorded by an audit hook
so a test can prove that no connection to a forbidden address was even attempted."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Runs in the crawler process: log each socket.connect / connect_ex destination to a file.
_BOOT = r"""
import sys, json
log = open(sys.argv[1], "a", buffering=1)
def hook(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple):
            log.write(json.dumps([str(address[0]), int(address[1])]) + "\n")
sys.addaudithook(hook)
sys.argv = ["wuzha", *sys.argv[2:]]
from wuzha.cli import main
main()
"""


def _command(args: list[str], connect_log: Path, env: dict[str, str] | None):
    environment = {**os.environ, **(env or {})}
    if "ELASTICSEARCH_URL" not in (env or {}):
        # a crawl indexes only when its test says where (with its own index prefix)
        environment.pop("ELASTICSEARCH_URL", None)
    environment.setdefault("WUZHA_STATE_DIR", str(connect_log.parent / "state"))
    return [sys.executable, "-c", _BOOT, str(connect_log), *args], environment


def run_wuzha(
    args: list[str], connect_log: Path, *, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess:
    command, environment = _command(args, connect_log, env)
    return subprocess.run(
        command,
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_wuzha(
    args: list[str],
    connect_log: Path,
    *,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen:
    command, environment = _command(args, connect_log, env)
    out = open(log or connect_log.with_suffix(".out"), "w")  # noqa: SIM115 - owned by the child
    return subprocess.Popen(
        command, cwd=REPO, env=environment, stdout=out, stderr=subprocess.STDOUT
    )


def connections(connect_log: Path) -> list[tuple[str, int]]:
    if not connect_log.exists():
        return []
    return [tuple(json.loads(line)) for line in connect_log.read_text().splitlines() if line]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_sites(path: Path, sites: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sites), "utf-8")
    return path


def explain_like_the_crawl(findings_path: Path, fraud_urls: set[str], *extra: str) -> list:
    """`wuzha rules scan URL --json` (in this process) of every finding among `fraud_urls`;
    the pages where it disagrees with what the crawl stored: (url, crawl's, scan's) as
    (level, score, rule ids)."""
    from click.testing import CliRunner

    from wuzha.cli import cli

    findings = [f for f in read_jsonl(findings_path) if f["url"] in fraud_urls]
    assert findings, "the crawl found none of the fraud pages"
    disagreements = []
    for finding in findings:
        args = ["rules", "scan", finding["url"], "--json", "--allow-private", "127.0.0.0/8"]
        result = CliRunner().invoke(cli, [*args, *extra])
        assert result.exit_code == 0, (finding["url"], result.output[-2000:])
        scanned = json.loads(result.output)
        crawl = (
            finding["level"],
            finding["score"],
            sorted({h["rule_id"] for h in finding["hits"]}),
        )
        scan = (scanned["level"], scanned["score"], sorted({h["rule_id"] for h in scanned["hits"]}))
        if crawl != scan:
            disagreements.append((finding["url"], crawl, scan))
    return disagreements


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1"):
    """A threaded HTTP server on a free port of `host` (IPv6 too), shut down afterwards; the
    paths it was asked for are in its ``hits``."""
    server_class = type(
        "Server",
        (ThreadingHTTPServer,),
        {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET},
    )
    server = server_class((host, 0), handler)
    server.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def send_html(handler: BaseHTTPRequestHandler, body: bytes, **headers: str) -> None:
    """Answer 200 with an HTML page (UTF-8) and any extra headers."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
