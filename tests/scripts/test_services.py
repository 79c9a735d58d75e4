"""scripts/services.sh stops only what it started itself: a Redis or an Elasticsearch that was
already running when `up` ran is used and left running by `down`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _missing

REPO = Path(__file__).resolve().parents[2]

# Answers like a healthy Elasticsearch; that is all `wuzha es up` asks of a running server.
FAKE_ES = r"""
import http.server, json, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"status": "green", "cluster_name": "not-ours"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        _missing("redis-server", "apt-get install redis-server")
    return shutil.which("redis-server")


def _services(action: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "WUZHA_SERVICES_DIR": str(tmp_path / "services"),
        "WUZHA_STATE_DIR": str(tmp_path / "state"),
        **env,
    }
    proc = subprocess.run(
        ["bash", str(REPO / "scripts/services.sh"), action],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _start_redis(redis_server: str, port: int, where: Path) -> subprocess.Popen:
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(where)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert _wait(lambda: _answers(port)), "the test's own redis-server did not start"
    return proc


def test_down_leaves_a_redis_it_did_not_start(tmp_path, redis_server):
    port = _free_port()
    foreign = _start_redis(redis_server, port, tmp_path / "foreign")
    try:
        env = {"WUZHA_TEST_REDIS_PORT": str(port), "ELASTICSEARCH_URL": "http://127.0.0.1:9"}
        up = _services("up", tmp_path, **env)
        assert f"redis://127.0.0.1:{port}/0" in up.stdout
        down = _services("down", tmp_path, **env)
        time.sleep(0.5)
        assert foreign.poll() is None and _answers(port), down.stdout + down.stderr
        assert "not started by scripts/services.sh: left alone" in down.stdout
    finally:
        foreign.kill()
        foreign.wait(10)


def test_down_stops_the_redis_it_started(tmp_path, redis_server):
    port = _free_port()
    env = {"WUZHA_TEST_REDIS_PORT": str(port), "ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    try:
        _services("up", tmp_path, **env)
        assert _answers(port)
        _services("down", tmp_path, **env)
        assert _wait(lambda: not _answers(port)), "the Redis services.sh started still runs"
    finally:
        subprocess.run(
            ["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False, capture_output=True
        )


def test_down_leaves_an_elasticsearch_it_did_not_start(tmp_path, redis_server):
    es_port, redis_port = _free_port(), _free_port()
    fake = subprocess.Popen([sys.executable, "-c", FAKE_ES, str(es_port)])
    try:
        assert _wait(lambda: _answers(es_port))
        # The state file of a server someone else started with `wuzha es up`
        home = tmp_path / "state" / "elasticsearch"
        home.mkdir(parents=True)
        (home / "running.json").write_text(
            json.dumps({"url": f"http://127.0.0.1:{es_port}", "pid": fake.pid})
        )
        env = {"WUZHA_TEST_REDIS_PORT": str(redis_port), "ELASTICSEARCH_URL": ""}
        up = _services("up", tmp_path, **env)
        assert "already running" in up.stdout
        down = _services("down", tmp_path, **env)
        time.sleep(0.5)
        assert fake.poll() is None, down.stdout + down.stderr
        assert (home / "running.json").exists()
        assert "Elasticsearch" in down.stdout and "left alone" in down.stdout
    finally:
        fake.kill()
        fake.wait(10)
        subprocess.run(
            ["redis-cli", "-p", str(redis_port), "shutdown", "nosave"],
            check=False,
            capture_output=True,
        )
