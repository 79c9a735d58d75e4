"""The browser's only way out: a SOCKS5 proxy on loopback that applies the address guard.

Chromium is launched with this proxy for every protocol (crawler.chromium.proxy_args) and with
its own DNS switched off, so each connection any page, frame, popup, worker or WebSocket wants
arrives here as a host name (or IP literal) and a port. The proxy resolves the name itself, asks
the crawl's :class:`~ground.addresses.AddressPolicy` about every address it got (one refused
answer is enough, as for Scrapy's downloads), and connects to the checked address only when all
pass: a refused address never sees a connection attempt, and a name cannot answer differently
to the check and to the connection (DNS rebinding). Each refusal is logged with its reason.

CONNECT only (no BIND, no UDP ASSOCIATE: Chromium uses neither), no authentication; it listens
on 127.0.0.1 for the one browser of this process. Chromium's own services (updates, sign-in,
safe browsing, DNS-over-HTTPS: crawler/data/browser_services.txt) are refused too: no page
needs them, and the browser should not talk to anyone on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import socket
import struct
from asyncio.staggered import staggered_race
from collections.abc import Callable
from functools import cache
from pathlib import Path

from ground.addresses import (
    AddressPolicy,
    active_policy,
    embedded_ipv4,
    parse_ip,
    refusal_for_host,
)

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 15.0  # seconds to reach the site (DNS + TCP, every address tried)
MAX_ADDRESSES = 4  # of a name's checked addresses, the first this many are tried
STAGGER = 0.25  # seconds before the next address is tried alongside (happy eyeballs)
HANDSHAKE_TIMEOUT = 10.0
_CHUNK = 64 * 1024

# RFC 1928 reply codes
_OK, _FAILURE, _NOT_ALLOWED, _HOST_UNREACHABLE, _REFUSED = 0, 1, 2, 4, 5
_COMMAND_NOT_SUPPORTED, _ADDRESS_NOT_SUPPORTED = 7, 8


SERVICES_FILE = Path(__file__).with_name("data") / "browser_services.txt"


@cache
def browser_services() -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact host names, domain suffixes) of Chromium's own services."""
    exact, suffixes = set(), []
    for line in SERVICES_FILE.read_text("utf-8").splitlines():
        name = line.split("#", 1)[0].strip().lower()
        if name.startswith("*."):
            suffixes.append(name[1:])
        elif name:
            exact.add(name)
    return frozenset(exact), tuple(suffixes)


def is_browser_service(host: str) -> bool:
    exact, suffixes = browser_services()
    name = host.rstrip(".").lower()
    return name in exact or name.endswith(suffixes)


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class GuardProxy:
    """A running proxy: ``await start()``, then ``port``; ``await close()`` when done."""

    def __init__(self, policy: Callable[[], AddressPolicy] = active_policy) -> None:
        self._policy = policy
        self._server: asyncio.Server | None = None
        self.port = 0
        self._bound: frozenset[str] = frozenset()
        self._logged: set[str] = set()  # "host:port" refusals logged above DEBUG
        self.asked: list[str] = []  # "host:port" of each destination the browser asked for
        self.connected: list[str] = []  # "host:port" of each connection made (tests read these)
        self.refused: list[str] = []  # "host:port (reason)" of each refusal

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._bound = frozenset(str(s.getsockname()[0]) for s in self._server.sockets)
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            host, port = await asyncio.wait_for(_handshake(reader, writer), HANDSHAKE_TIMEOUT)
            upstream = await self._connect_in_time(host, port)
        except _Refused as refusal:
            await _reply(writer, refusal.code)
            writer.close()
            return
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            writer.close()
            return
        await _reply(writer, _OK)
        await _relay(reader, writer, *upstream)

    async def _connect_in_time(self, host: str, port: int):
        """:meth:`_connect` within one deadline for the lookup and every address tried."""
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                return await self._connect(host, port)
        except TimeoutError:
            raise _Refused(_HOST_UNREACHABLE, f"no answer in {CONNECT_TIMEOUT:g} s") from None

    async def _connect(self, host: str, port: int):
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if len(self.asked) < 10_000:
            self.asked.append(where)
        reason, addresses = await self._check(host, port)
        if reason is None and self._reaches_itself(addresses, port):
            reason = "the guard proxy itself"
        if reason is not None:
            if len(self.refused) < 10_000:
                self.refused.append(f"{where} ({reason})")
            # the browser's own background requests are expected; a page's are news, once
            level = logging.INFO if is_browser_service(host) else logging.WARNING
            if where in self._logged:
                level = logging.DEBUG
            elif len(self._logged) < 10_000:
                self._logged.add(where)
            logger.log(level, "browser connection refused: %s (%s)", where, reason)
            raise _Refused(_NOT_ALLOWED, reason)
        upstream = await _open(addresses, port)
        if len(self.connected) < 10_000:
            self.connected.append(where)
        return upstream

    def _reaches_itself(self, addresses: list[str], port: int) -> bool:
        """Whether any of `addresses` on `port` may be this proxy: a loopback or unspecified
        address (also inside IPv6: mapped, NAT64, 6to4) or one it listens on."""
        if port != self.port:
            return False
        for text in addresses:
            address = parse_ip(text)
            for form in (address, embedded_ipv4(address) if address else None):
                if form is not None and (
                    form.is_loopback or form.is_unspecified or str(form) in self._bound
                ):
                    return True
        return False

    async def _check(self, host: str, port: int) -> tuple[str | None, list[str]]:
        """(reason to refuse, the checked addresses to connect to, in order)."""
        if is_browser_service(host):
            return "Chromium's own service, not a page's", [host]
        policy = self._policy()
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            return policy.refusal(literal), [str(literal)]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as err:
            raise _Refused(_HOST_UNREACHABLE, f"cannot resolve {host}: {err}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        return refusal_for_host(host, addresses, policy), addresses


async def _open(addresses: list[str], port: int):
    """A connection to the first of `addresses` (all checked) that answers; the next address
    is tried alongside after STAGGER seconds, or at once when one fails."""
    attempts = [
        functools.partial(asyncio.open_connection, address, port)
        for address in addresses[:MAX_ADDRESSES]
    ]
    upstream, _index, errors = await staggered_race(attempts, STAGGER)
    if upstream is None:
        raise _Refused(_REFUSED, "; ".join(str(e) for e in errors if e is not None))
    return upstream


async def _handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """RFC 1928 greeting and request; returns the (host, port) asked for."""
    version, count = await reader.readexactly(2)
    methods = await reader.readexactly(count)
    if version != 5 or 0 not in methods:
        writer.write(b"\x05\xff")
        raise ValueError("not a SOCKS5 client without authentication")
    writer.write(b"\x05\x00")
    await writer.drain()
    version, command, _reserved, kind = await reader.readexactly(4)
    if kind == 1:
        host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
    elif kind == 4:
        host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
    elif kind == 3:
        length = (await reader.readexactly(1))[0]
        name = await reader.readexactly(length)
        try:  # Chromium sends names as punycode, looked up as they are (IDNA2008 too)
            host = name.decode("ascii")
        except UnicodeDecodeError:
            raise _Refused(_ADDRESS_NOT_SUPPORTED, f"host name not ASCII: {name!r}") from None
    else:
        raise _Refused(_ADDRESS_NOT_SUPPORTED, f"address type {kind}")
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    if version != 5 or command != 1:
        raise _Refused(_COMMAND_NOT_SUPPORTED, f"SOCKS command {command}")
    return host, port


async def _reply(writer: asyncio.StreamWriter, code: int) -> None:
    writer.write(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
    with contextlib.suppress(OSError):
        await writer.drain()


async def _relay(reader, writer, upstream_reader, upstream_writer) -> None:
    """Copy both ways; an end of data on one side is passed on (half-close), both
    connections close when both directions are done or one fails."""

    async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(_CHUNK):
                sink.write(data)
                await sink.drain()
            if sink.can_write_eof():
                sink.write_eof()
                return
        except OSError:
            pass
        for each in (writer, upstream_writer):  # broken, or cannot half-close: end both
            each.close()

    try:
        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))
    finally:
        for each in (writer, upstream_writer):
            each.close()
