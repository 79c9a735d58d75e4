"""Serve a farm: one asyncio process, one listening socket per site on 127.0.0.1.

The handler finds the site by the local port of the connection. Every request is recorded
(site, path, status) in memory and exposed on a control port (``GET /__farm/requests``) and
in-process (``FarmServer.requests()``), so tests can check what a crawler fetched.
"""

from __future__ import annotations

import asyncio
import errno
import json
import resource
import socket
import threading
import time
from collections import Counter
from typing import Any

from aiohttp import web

from farm.generator import Farm
from farm.kinds.base import FarmRequest
from farm.model import key_of
from ground.errors import WuzhaError

HOST = "127.0.0.1"
# Long enough for the long-URL trap's 70 KB links, so the crawler (not the server) must refuse them.
MAX_LINE = 128 * 1024


class FarmPortError(WuzhaError):
    """A port the farm needs is taken, or too many ports for the open-files limit."""


class RequestLog:
    """Requests in arrival order, capped; thread-safe for readers in other threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._rows: list[tuple] = []
        self._dropped = 0
        self._seq = 0
        self._lock = threading.Lock()

    def record(self, site: int, port: int, method: str, path: str, status: int) -> None:
        with self._lock:
            self._seq += 1
            if len(self._rows) >= self.limit:
                self._dropped += 1
                return
            self._rows.append((self._seq, round(time.time(), 3), site, port, method, path, status))

    def rows(self, since: int = 0, site: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._rows)
        return [
            {"seq": seq, "t": t, "site": s, "port": p, "method": m, "path": path, "status": st}
            for seq, t, s, p, m, path, st in rows
            if seq > since and (site is None or s == site)
        ]

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._dropped = 0

    @property
    def dropped(self) -> int:
        return self._dropped

    def __len__(self) -> int:
        return len(self._rows)


def raise_open_files_limit(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; fail clearly if that is not enough."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    elif hard == resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        soft = needed
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise FarmPortError(
            f"the farm needs about {needed} open files but the limit is {soft}: serve fewer sites "
            f"(--sites) or raise the hard limit (ulimit -Hn)"
        )
    return soft


def bind_sockets(ports: list[int]) -> list[socket.socket]:
    """Bind and listen on every port, or close them all and say which port is taken."""
    socks: list[socket.socket] = []
    try:
        for port in ports:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError as err:
                if err.errno == errno.EADDRINUSE:
                    raise FarmPortError(
                        f"port {port} on {HOST} is already in use: stop what uses it or choose "
                        f"another --base-port (the farm needs ports {ports[0]}..{ports[-1]})"
                    ) from None
                raise FarmPortError(f"cannot listen on {HOST}:{port}: {err.strerror}") from None
            sock.listen(256)
            sock.setblocking(False)
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks


def ports_free(ports: list[int]) -> bool:
    try:
        for sock in bind_sockets(ports):
            sock.close()
    except FarmPortError:
        return False
    return True


class FarmServer:
    """The farm's HTTP server. ``await start()``, then ``await stop()`` (or use farm.running)."""

    def __init__(self, farm: Farm, *, control: bool = True) -> None:
        self.farm = farm
        self.control = control
        self.log = RequestLog(farm.options.request_log_limit)
        self._attempts: Counter[tuple[int, str]] = Counter()
        self._runners: list[web.AppRunner] = []
        self.started = False

    # --- in-process API ------------------------------------------------------------------
    def requests(self, since: int = 0, site: int | None = None) -> list[dict[str, Any]]:
        return self.log.rows(since, site)

    def clear_requests(self) -> None:
        self.log.clear()
        self._attempts.clear()

    @property
    def control_url(self) -> str:
        return f"http://{HOST}:{self.farm.control_port}/__farm/"

    # --- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        ports = [site.port for site in self.farm.sites]
        if self.control:
            ports.insert(0, self.farm.control_port)
        raise_open_files_limit(len(ports) * 2 + 256)  # listeners + connections + headroom
        socks = bind_sockets(ports)
        try:
            control_sock = socks.pop(0) if self.control else None
            app = web.Application(
                handler_args={"max_line_size": MAX_LINE, "max_field_size": MAX_LINE}
            )
            app.router.add_route("*", "/{tail:.*}", self.handle)
            runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
            await runner.setup()
            self._runners.append(runner)
            for sock in socks:
                await web.SockSite(runner, sock).start()
            if control_sock is not None:
                control = web.Application()
                control.router.add_get("/__farm/health", self.health)
                control.router.add_get("/__farm/requests", self.get_requests)
                control.router.add_delete("/__farm/requests", self.delete_requests)
                control.router.add_get("/__farm/truth", self.get_truth)
                control_runner = web.AppRunner(
                    control, access_log=None, handle_signals=False, shutdown_timeout=1.0
                )
                await control_runner.setup()
                self._runners.append(control_runner)
                await web.SockSite(control_runner, control_sock).start()
        except BaseException:
            for sock in socks:
                sock.close()
            await self.stop()
            raise
        self.started = True

    async def stop(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        self.started = False

    # --- handlers ---------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        port = sockname[1] if sockname else 0
        site = self.farm.site_for_port(port)
        raw_path = request.rel_url.raw_path
        query = request.rel_url.raw_query_string
        target = raw_path + ("?" + query if query else "")
        if site is None:
            return web.Response(status=421, text="no farm site on this port")
        attempt = 1
        if site.kind_obj.counts_attempts:  # only flaky pages need it; traps would grow the counter
            key = (site.index, key_of(target))
            self._attempts[key] += 1
            attempt = self._attempts[key]
        freq = FarmRequest(
            raw_path,
            query,
            request.method,
            attempt,
            user_agent=request.headers.get("User-Agent", ""),
            referer=request.headers.get("Referer", ""),
        )
        reply = site.kind_obj.respond(site, self.farm, freq)
        self.log.record(site.index, port, request.method, target, reply.status)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.stream is None:
            return web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        response = web.StreamResponse(status=reply.status, headers=reply.headers)
        await response.prepare(request)
        if request.method != "HEAD":
            try:
                async for chunk in reply.stream():
                    await response.write(chunk)
            except (ConnectionResetError, asyncio.CancelledError):
                return response  # the client gave up: exactly what a careful crawler does
        await response.write_eof()
        return response

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "sites": len(self.farm.sites),
                "ports": self.farm.port_range,
                "requests": len(self.log),
                "dropped": self.log.dropped,
            }
        )

    async def get_requests(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        site = request.query.get("site")
        rows = self.log.rows(since, int(site) if site is not None else None)
        return web.json_response({"requests": rows, "dropped": self.log.dropped})

    async def delete_requests(self, request: web.Request) -> web.Response:
        self.clear_requests()
        return web.json_response({"ok": True})

    async def get_truth(self, request: web.Request) -> web.Response:
        truth = await asyncio.to_thread(self.farm.truth)
        return web.Response(
            text=json.dumps(truth, ensure_ascii=False), content_type="application/json"
        )
