"""A single-node Elasticsearch on 127.0.0.1 for tests, the demo and an operator's laptop.

There is no Docker on the machines this runs on, so the server comes from Maven Central's
``org.elasticsearch.distribution.integ-test-zip:elasticsearch`` zip, fetched once with Maven
(``mvn dependency:get``; Maven's own repository cache makes the second time free), unpacked
under ``<state_dir>/elasticsearch`` and run on the machine's JDK. Elasticsearch refuses to run
as root, so as root it runs as a system user ``wuzha-es`` created on first use.

The integ-test distribution has no analysis-common, painless or rest-root modules: the
project's mappings and updates are written to work without them (and on a full cluster).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

from ground.errors import WuzhaError
from ground.settings import Settings
from indexer.client import configured_url
from indexer.localstate import LocalServer, health, local_url, process_alive

ES_GROUP = "org.elasticsearch.distribution.integ-test-zip"
ES_ARTIFACT = "elasticsearch"
SERVICE_USER = "wuzha-es"
DEFAULT_JDK = Path("/usr/lib/jvm/java-17-openjdk-amd64")


class LocalServerError(WuzhaError):
    """The local Elasticsearch could not be fetched, started or stopped."""


def up(settings: Settings, *, wait_seconds: float = 180.0, echo=print) -> str:
    """Start the local server (fetching it first if needed); returns its URL. Idempotent."""
    server = LocalServer.from_settings(settings)
    running = local_url(settings)
    if running and health(running):
        echo(f"Elasticsearch already running at {running}")
        return running
    if health(server.url):
        raise LocalServerError(
            f"Something else already answers on {server.url}. Stop it, or choose another "
            "port with WUZHA_ES_PORT."
        )
    _ensure_distribution(server, echo)
    java_home = _java_home(settings)
    user = _service_user()
    for d in (server.data_dir, server.logs_dir):
        d.mkdir(parents=True, exist_ok=True)
    if user:
        _give_to(user, server.home)
    server.pid_file.unlink(missing_ok=True)
    env = dict(
        os.environ,
        ES_JAVA_HOME=str(java_home),
        ES_JAVA_OPTS=f"-Xms{settings.es_heap} -Xmx{settings.es_heap}",
    )
    env.pop("JAVA_TOOL_OPTIONS", None)
    cmd = [
        str(server.dist_dir / "bin/elasticsearch"),
        "-d",
        "-p",
        str(server.pid_file),
        "-E",
        "discovery.type=single-node",
        "-E",
        "network.host=127.0.0.1",
        "-E",
        f"http.port={server.port}",
        "-E",
        "transport.port=0",
        "-E",
        "xpack.security.enabled=false",
        "-E",
        "xpack.ml.enabled=false",
        "-E",
        "cluster.routing.allocation.disk.threshold_enabled=false",
        "-E",
        "action.destructive_requires_name=false",
        "-E",
        f"path.data={server.data_dir}",
        "-E",
        f"path.logs={server.logs_dir}",
    ]
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    echo(
        f"Starting Elasticsearch {server.version} on {server.url} (JDK {java_home}, heap {settings.es_heap})…"
    )
    started = time.monotonic()
    proc = subprocess.run(
        cmd, env=env, cwd=server.dist_dir, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise LocalServerError(
            "Elasticsearch failed to start:\n"
            + _tail(proc.stdout + proc.stderr)
            + f"\nLogs: {server.logs_dir}"
        )
    pid = _read_pid(server, timeout=30)
    while time.monotonic() - started < wait_seconds:
        status = health(server.url)
        if status and status.get("status") in ("green", "yellow"):
            server.state_file.write_text(
                json.dumps({"url": server.url, "pid": pid, "version": server.version})
            )
            echo(
                f"Elasticsearch is up ({status['status']}) after {time.monotonic() - started:.1f}s: {server.url}"
            )
            return server.url
        if not process_alive(pid):
            break
        time.sleep(0.5)
    raise LocalServerError(
        f"Elasticsearch did not become healthy within {wait_seconds:.0f}s.\n"
        + _tail(_read(server.logs_dir / "elasticsearch.log"))
        + f"\nLogs: {server.logs_dir}"
    )


def down(settings: Settings, echo=print) -> bool:
    """Stop the local server; returns False when none was running."""
    server = LocalServer.from_settings(settings)
    pid = None
    try:
        pid = int(json.loads(server.state_file.read_text())["pid"])
    except (OSError, ValueError, KeyError):
        try:
            pid = int(server.pid_file.read_text().strip())
        except (OSError, ValueError):
            pass
    server.state_file.unlink(missing_ok=True)
    if not pid or not process_alive(pid):
        echo("No local Elasticsearch is running.")
        return False
    os.kill(pid, signal.SIGTERM)
    for _ in range(120):
        if not process_alive(pid):
            echo(f"Stopped Elasticsearch (pid {pid}).")
            return True
        time.sleep(0.25)
    os.kill(pid, signal.SIGKILL)
    echo(f"Killed Elasticsearch (pid {pid}) after it ignored SIGTERM for 30s.")
    return True


def status(settings: Settings) -> dict:
    """What `wuzha es status` shows: which URL is in use, and its health."""
    url = configured_url(settings)
    source = "ELASTICSEARCH_URL" if settings.elasticsearch_url else ("wuzha es up" if url else None)
    return {"url": url, "source": source, "health": health(url) if url else None}


# --- helpers -------------------------------------------------------------------------------


def _ensure_distribution(server: LocalServer, echo) -> None:
    if (server.dist_dir / "bin/elasticsearch").exists():
        return
    zip_path = _maven_zip(server.version)
    if not zip_path.exists():
        if not shutil.which("mvn"):
            raise LocalServerError(
                "Maven (`mvn`) is needed once to fetch Elasticsearch; install it "
                "(apt-get install maven), or set ELASTICSEARCH_URL to an existing cluster."
            )
        echo(f"Fetching Elasticsearch {server.version} with Maven (once; cached afterwards)…")
        artifact = f"{ES_GROUP}:{ES_ARTIFACT}:{server.version}:zip"
        proc = subprocess.run(
            ["mvn", "-q", "-B", "dependency:get", f"-Dartifact={artifact}", "-Dtransitive=false"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not zip_path.exists():
            raise LocalServerError(
                f"Could not fetch {artifact} with Maven:\n{_tail(proc.stdout + proc.stderr)}\n"
                "Check network access to Maven Central, or set ELASTICSEARCH_URL."
            )
    echo(f"Unpacking {zip_path.name}…")
    server.home.mkdir(parents=True, exist_ok=True)
    partial = server.home / f".unpack-{server.version}"
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, partial))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)
    shutil.rmtree(server.dist_dir, ignore_errors=True)
    (partial / server.dist_dir.name).rename(server.dist_dir)
    shutil.rmtree(partial, ignore_errors=True)


def _maven_zip(version: str) -> Path:
    repo = Path(os.environ.get("MAVEN_REPO", Path.home() / ".m2/repository"))
    return (
        repo / ES_GROUP.replace(".", "/") / ES_ARTIFACT / version / f"{ES_ARTIFACT}-{version}.zip"
    )


def _java_home(settings: Settings) -> Path:
    candidates = [settings.es_java_home, os.environ.get("JAVA_HOME"), DEFAULT_JDK]
    java = shutil.which("java")
    if java:
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    for c in candidates:
        if c and (Path(c) / "bin/java").exists():
            return Path(c)
    raise LocalServerError(
        "No JDK found for Elasticsearch: install Java 17 (apt-get install openjdk-17-jre-headless) or set WUZHA_ES_JAVA_HOME."
    )


def _service_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


def _give_to(user: str, path: Path) -> None:
    # The service user must traverse every parent directory of its home.
    for parent in reversed(path.parents):
        if parent.exists() and not os.stat(parent).st_mode & 0o001:
            parent.chmod(os.stat(parent).st_mode | 0o011)
    subprocess.run(["chown", "-R", f"{user}:", str(path)], check=True)


def _read_pid(server: LocalServer, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(server.pid_file.read_text().strip())
        except (OSError, ValueError):
            time.sleep(0.2)
    raise LocalServerError(
        f"Elasticsearch wrote no pid file in {timeout:.0f}s; see {server.logs_dir}."
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
