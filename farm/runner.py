"""Run a farm for tests and benchmarks: in a background thread, or in a separate process."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from farm.generator import DEFAULT_SEED, Farm
from farm.server import HOST, FarmServer, ports_free


def free_base_port(n_sites: int, *, low: int = 20000, high: int = 60000, tries: int = 50) -> int:
    """A base port such that ``base-1`` (control) … ``base+n_sites-1`` are all free now."""
    rng = random.Random()
    for _ in range(tries):
        base = rng.randrange(low + 1, high - n_sites)
        if ports_free(list(range(base - 1, base + n_sites))):
            return base
    raise RuntimeError(f"found no {n_sites + 1} free consecutive ports between {low} and {high}")


class RunningFarm:
    """A farm being served by :func:`running`: URLs, and the server's request log."""

    def __init__(self, farm: Farm, server: FarmServer) -> None:
        self.farm = farm
        self.server = server

    def url(self, index: int) -> str:
        return self.farm.url(index)

    def requests(self, since: int = 0, site: int | None = None) -> list[dict[str, Any]]:
        return self.server.requests(since, site)

    def clear_requests(self) -> None:
        self.server.clear_requests()

    @property
    def control_url(self) -> str:
        return self.server.control_url


@contextmanager
def running(
    farm: Farm, *, control: bool = True, start_timeout: float = 60.0
) -> Iterator[RunningFarm]:
    """Serve ``farm`` from a background thread with its own event loop; stop it on exit."""
    server = FarmServer(farm, control=control)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []
    stop: asyncio.Event | None = None

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        try:
            await server.start()
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(err)
            ready.set()
            return
        ready.set()
        await stop.wait()
        await server.stop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()

    thread = threading.Thread(target=run, name=f"farm-{farm.port_range}", daemon=True)
    thread.start()
    if not ready.wait(start_timeout):
        raise RuntimeError(f"the farm did not start within {start_timeout} s")
    if failure:
        thread.join(5)
        raise failure[0]
    try:
        yield RunningFarm(farm, server)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


class FarmProcess:
    """A farm served by a child process (`python -m wuzha farm serve …`), for clean benchmarks."""

    def __init__(
        self,
        process: subprocess.Popen,
        base_port: int,
        n_sites: int,
        control_port: int,
        log_path: Path,
    ) -> None:
        self.process = process
        self.base_port = base_port
        self.n_sites = n_sites
        self.control_port = control_port
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, index: int) -> str:
        return f"http://{HOST}:{self.base_port + index}/"

    def _control(self, path: str, method: str = "GET", timeout: float = 30.0) -> Any:
        request = urllib.request.Request(
            f"http://{HOST}:{self.control_port}/__farm/{path}", method=method
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def health(self) -> dict[str, Any]:
        return self._control("health", timeout=2)

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        return self._control(f"requests?since={since}")["requests"]

    def clear_requests(self) -> None:
        self._control("requests", method="DELETE")

    def truth(self) -> dict[str, Any]:
        return self._control("truth", timeout=300)

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_subprocess(
    n_sites: int,
    *,
    seed: int = DEFAULT_SEED,
    base_port: int | None = None,
    registry_out: str | Path | None = None,
    truth_out: str | Path | None = None,
    extra_args: list[str] | None = None,
    start_timeout: float = 120.0,
) -> FarmProcess:
    """Start ``python -m wuzha farm serve`` in a child process and wait until it answers.

    The child is the operator's own command (the farm has no command line of its own, so its
    options are parsed in one place).

    Use as a context manager (``with serve_subprocess(4300) as farm: …``); the child's output
    goes to a log file (``FarmProcess.log_path``), named in the error if it fails to start.
    """
    if base_port is None:
        base_port = free_base_port(n_sites)
    args = [
        sys.executable,
        "-m",
        "wuzha",
        "farm",
        "serve",
        "--sites",
        str(n_sites),
        "--seed",
        str(seed),
        "--base-port",
        str(base_port),
        "--quiet",
    ]
    if registry_out:
        args += ["--registry-out", str(registry_out)]
    if truth_out:
        args += ["--truth-out", str(truth_out)]
    args += extra_args or []
    with tempfile.NamedTemporaryFile(prefix="wuzha-farm-", suffix=".log", delete=False) as log_file:
        process = subprocess.Popen(
            args,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    handle = FarmProcess(process, base_port, n_sites, base_port - 1, Path(log_file.name))
    deadline = time.monotonic() + start_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = handle.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the farm process exited with {process.returncode}: {output}")
        try:
            handle.health()
            return handle
        except OSError:
            time.sleep(0.2)
    handle.stop()
    raise RuntimeError(
        f"the farm process did not answer within {start_timeout} s (log: {handle.log_path})"
    )


def serve_forever(farm: Farm, *, on_ready=None) -> None:
    """Serve ``farm`` in this process until SIGINT or SIGTERM (the `wuzha farm serve` loop)."""

    async def main() -> None:
        server = FarmServer(farm)
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if on_ready is not None:
            on_ready(server)
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
