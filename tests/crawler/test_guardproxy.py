"""The guard proxy (crawler.guardproxy) as a SOCKS5 client sees it: every address form the
guard refuses gets "not allowed" with no connection made, allowed ones are relayed."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import struct
import threading
import time

import pytest

from crawler import guardproxy
from crawler.guardproxy import GuardProxy
from ground.addresses import AddressPolicy
from tests.crawler.browsertraps import ALLOW_SITE, SITE_HOST, hostile_site, tripwire

POLICY = AddressPolicy.from_cidrs([ALLOW_SITE])


async def _socks_connect(port: int, host: str, target_port: int) -> tuple[int, bytes]:
    """Ask the proxy on `port` for host:target_port; (reply code, first bytes of a GET)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x05\x01\x00")
    assert await reader.readexactly(2) == b"\x05\x00"
    try:
        address = ipaddress.ip_address(host)
        kind = 1 if address.version == 4 else 4
        encoded = address.packed
    except ValueError:
        kind, encoded = 3, bytes([len(host)]) + host.encode()
    writer.write(bytes([5, 1, 0, kind]) + encoded + struct.pack("!H", target_port))
    reply = await reader.readexactly(10)
    body = b""
    if reply[1] == 0:
        writer.write(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        body = await reader.read(200)
    writer.close()
    return reply[1], body


def _run(host_for):
    async def main():
        proxy = GuardProxy(lambda: POLICY)
        port = await proxy.start()
        try:
            return [await _socks_connect(port, h, p) for h, p in host_for], proxy
        finally:
            await proxy.close()

    return asyncio.run(main())


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "::1",
        "localhost",  # a name: resolved by the proxy, then refused
        "::ffff:127.0.0.1",  # v4-mapped
        "64:ff9b::7f00:1",  # NAT64
        "2002:7f00:1::",  # 6to4
        "169.254.169.254",  # cloud metadata
        "10.0.0.1",
    ],
)
def test_refused_addresses_get_not_allowed_and_no_connection(host, caplog):
    caplog.set_level(logging.WARNING)
    with tripwire() as wire:
        [(code, _body)], proxy = _run([(host, wire.port)])
        assert wire.accepted == []
    assert code == 2
    assert proxy.connected == [] and len(proxy.refused) == 1
    assert "browser connection refused" in caplog.text and str(wire.port) in caplog.text


def _fake_names(monkeypatch, names: dict[str, list[str]]) -> None:
    """Let each of `names` resolve to its addresses, in that order (other names as usual)."""
    real = socket.getaddrinfo

    def getaddrinfo(name, port, *args, **kwargs):
        if name in names:
            return [info for a in names[name] for info in real(a, port, *args, **kwargs)]
        return real(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


SELF_NAME = "self.wuzha.test"  # resolves to 127.0.0.2 (nobody listens) first, then 127.0.0.1
LOOPBACK = AddressPolicy.from_cidrs(["127.0.0.0/8"])


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "::ffff:127.0.0.1", "0.0.0.0", "::", "2002:7f00:1::", SELF_NAME]
)
def test_the_proxy_does_not_connect_to_itself(host, monkeypatch):
    _fake_names(monkeypatch, {SELF_NAME: ["127.0.0.2", "127.0.0.1"]})

    async def main():
        proxy = GuardProxy(lambda: AddressPolicy.from_cidrs(["127.0.0.0/8", "0.0.0.0/8", "::/0"]))
        port = await proxy.start()
        try:
            return await _socks_connect(port, host, port), proxy
        finally:
            await proxy.close()

    (code, _), proxy = asyncio.run(main())
    assert code == 2 and proxy.connected == []
    assert "the guard proxy itself" in proxy.refused[0]


def test_chromiums_own_services_are_refused_before_any_lookup():
    [(code, _), (code2, _)], proxy = _run([("update.googleapis.com", 443), ("r3.gvt1.com", 80)])
    assert (code, code2) == (2, 2)
    assert proxy.connected == [] and all("own service" in r for r in proxy.refused)


def test_an_allowed_address_is_relayed():
    with hostile_site({"/": "<p>hello</p>"}) as site:
        port = int(site.rsplit(":", 1)[1])
        [(code, body)], proxy = _run([(SITE_HOST, port)])
    assert code == 0 and body.startswith(b"HTTP/1.0 200")
    assert proxy.connected == [f"{SITE_HOST}:{port}"]


def _ask_once(policy: AddressPolicy, host: str, port: int) -> tuple[int, float]:
    """(reply code, seconds until the reply) for one CONNECT through a fresh proxy."""

    async def main():
        proxy = GuardProxy(lambda: policy)
        proxy_port = await proxy.start()
        try:
            started = time.monotonic()
            code, _ = await asyncio.wait_for(_socks_connect(proxy_port, host, port), 10)
            return code, time.monotonic() - started
        finally:
            await proxy.close()

    return asyncio.run(main())


@contextlib.contextmanager
def _blackhole():
    """A port on every loopback address whose accept queue is full: a SYN gets no answer."""
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))
    try:
        yield port
    finally:
        filler.close()
        listener.close()


def test_one_deadline_covers_every_address_of_a_name(monkeypatch):
    monkeypatch.setattr(guardproxy, "CONNECT_TIMEOUT", 1.0)
    _fake_names(monkeypatch, {"slow.wuzha.test": [f"127.0.0.{n}" for n in range(2, 10)]})
    with _blackhole() as port:
        code, seconds = _ask_once(LOOPBACK, "slow.wuzha.test", port)
    assert code == 4 and seconds < 2


def test_only_the_first_addresses_of_a_name_are_tried(monkeypatch):
    listener = socket.create_server(("127.0.0.6", 0))
    port = listener.getsockname()[1]
    _fake_names(monkeypatch, {"many.wuzha.test": [f"127.0.0.{n}" for n in range(2, 7)]})
    with listener:
        code, _ = _ask_once(LOOPBACK, "many.wuzha.test", port)
    assert code == 5  # 127.0.0.2-5 refuse; 127.0.0.6, the fifth, is not asked


def test_an_idna2008_name_is_looked_up_as_sent(monkeypatch):
    _fake_names(monkeypatch, {"xn--fa-hia.de": [SITE_HOST]})  # fa\u00df.de
    with hostile_site({"/": "<p>hello</p>"}) as site:
        port = int(site.rsplit(":", 1)[1])
        [(code, body)], _proxy = _run([("xn--fa-hia.de", port)])
    assert code == 0 and body.startswith(b"HTTP/1.0 200")


async def _request(port: int, address: bytes, target_port: int):
    """(reader, writer) after a CONNECT for `address` (type byte and address) is sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x05\x01\x00")
    await reader.readexactly(2)
    writer.write(b"\x05\x01\x00" + address + struct.pack("!H", target_port))
    return reader, writer


def test_a_name_that_is_not_ascii_gets_an_error_reply():
    async def main():
        proxy = GuardProxy(lambda: POLICY)
        port = await proxy.start()
        try:
            name = "fa\u00df.de".encode()
            reader, writer = await _request(port, bytes([3, len(name)]) + name, 80)
            reply = await asyncio.wait_for(reader.read(10), 5)
            writer.close()
            return reply
        finally:
            await proxy.close()

    reply = asyncio.run(main())
    assert reply[:2] == bytes([5, 8])


def test_a_half_closed_connection_still_gets_the_reply():
    """The client shuts its sending side; the server answers after it saw the end."""
    server = socket.create_server((SITE_HOST, 0))

    def serve():
        conn, _ = server.accept()
        with conn:
            received = b""
            while data := conn.recv(1024):
                received += data
            conn.sendall(b"got %d bytes" % len(received))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    async def main():
        proxy = GuardProxy(lambda: POLICY)
        port = await proxy.start()
        try:
            target = b"\x01" + ipaddress.ip_address(SITE_HOST).packed
            reader, writer = await _request(port, target, server.getsockname()[1])
            assert (await reader.readexactly(10))[1] == 0
            writer.write(b"hello")
            writer.write_eof()
            reply = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            return reply
        finally:
            await proxy.close()

    with server:
        assert asyncio.run(main()) == b"got 5 bytes"


def test_a_refusal_is_logged_once_then_quietly(caplog):
    caplog.set_level(logging.DEBUG, logger="crawler.guardproxy")
    with tripwire() as wire:
        codes, proxy = _run([("127.0.0.1", wire.port)] * 3)
    assert [code for code, _ in codes] == [2, 2, 2] and len(proxy.refused) == 3
    levels = [r.levelno for r in caplog.records if "refused" in r.getMessage()]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG]
