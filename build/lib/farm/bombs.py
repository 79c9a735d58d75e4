"""Compressed bombs and oversized bodies for the hostile sites, built without holding them.

The gzip bomb is one valid gzip member: after a full flush, deflate encodes every further
1 MiB block of spaces to the same bytes, so the body is ``head + block * n + end + trailer``
and only the CRC needs a pass over the (virtual) content. Built once per process, in a thread.
"""

from __future__ import annotations

import asyncio
import struct
import threading
import zlib
from collections.abc import AsyncIterator

BLOCK = 1 << 20
HEAD = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>\xe6\x95\xb0\xe6\x8d\xae\xe4\xb8\xad\xe5\xbf\x83'
    b"</title></head><body><p>loading</p>\n"
)
_cache: dict[tuple[str, int], bytes] = {}
_lock = threading.Lock()


def gzip_bomb(total: int) -> bytes:
    """A gzip body that inflates to about ``total`` bytes of HTML whitespace."""
    key = ("gzip", total)
    with _lock:
        if key in _cache:
            return _cache[key]
        block = b" " * BLOCK
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        first = compressor.compress(HEAD) + compressor.flush(zlib.Z_FULL_FLUSH)
        repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        n = max(1, (total - len(HEAD)) // BLOCK)
        crc = zlib.crc32(HEAD)
        for _ in range(n):
            crc = zlib.crc32(block, crc)
        size = len(HEAD) + n * BLOCK
        # 0x03 0x00: a final, empty fixed-Huffman block (we are byte-aligned after a full flush).
        body = first + repeat * n + b"\x03\x00" + struct.pack("<II", crc, size & 0xFFFFFFFF)
        _cache[key] = body
        return body


def brotli_bomb(total: int) -> bytes:
    """A brotli body that inflates to about ``total`` bytes (quality 1: fast to build)."""
    import brotli

    key = ("br", total)
    with _lock:
        if key in _cache:
            return _cache[key]
        compressor = brotli.Compressor(quality=1)
        block = b" " * BLOCK
        parts = [compressor.process(HEAD)]
        for _ in range(max(1, total // BLOCK)):
            parts.append(compressor.process(block))
        parts.append(compressor.finish())
        body = b"".join(parts)
        _cache[key] = body
        return body


async def built(make, total: int) -> bytes:
    return await asyncio.to_thread(make, total)


async def stream_bytes(body_coro, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    body = await body_coro
    for start in range(0, len(body), chunk):
        yield body[start : start + chunk]


def huge_chunk() -> bytes:
    line = "<p>这是一个体积异常庞大的页面，用来检验爬虫对响应大小的限制。</p>\n".encode()
    return line * (64 * 1024 // len(line))


async def huge_stream(total: int) -> AsyncIterator[bytes]:
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>big</title></head><body>\n'
    yield head
    sent = len(head)
    chunk = huge_chunk()
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece
        await asyncio.sleep(0)


def huge_total(total: int) -> int:
    return total


async def drip(seconds: float, step: float = 1.0) -> AsyncIterator[bytes]:
    """A page that trickles a few bytes per second: defeats read timeouts, not total ones."""
    yield b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>drip</title></head><body>'
    waited = 0.0
    while waited < seconds:
        await asyncio.sleep(step)
        waited += step
        yield b"<span> </span>"
    yield b"</body></html>"
