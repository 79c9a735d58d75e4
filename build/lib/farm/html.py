"""HTML assembly and byte encoding for the farm's pages.

Pages are built as ``str`` from the templates in ``farm/templates`` (``string.Template``), then
encoded according to an :class:`EncodingPlan` that also says what the HTTP header and the
``<meta>`` tag declare, since several kinds declare something else than the bytes hold.
"""

from __future__ import annotations

import html
import random
import struct
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from string import Template

from farm import phrases
from farm.model import Reply


@cache
def template(name: str) -> Template:
    text = resources.files("farm").joinpath("templates", name).read_text(encoding="utf-8")
    return Template(text)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def link(href: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_")}="{esc(v)}"' for k, v in attrs.items())
    return f'<a href="{esc(href)}"{extra}>{esc(text)}</a>'


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{esc(line)}</p>" for line in lines)


@dataclass(frozen=True, slots=True)
class EncodingPlan:
    """How a page's bytes are encoded, and what the header, ``<meta>`` and BOM claim."""

    encoding: str  # codec of the bytes: utf-8, gbk, big5
    header_charset: str | None  # charset in Content-Type (None: "text/html" alone)
    meta_charset: str | None  # charset in <meta> (None: no meta tag)
    bom: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "encoding": self.encoding,
            "header_charset": self.header_charset,
            "meta_charset": self.meta_charset,
            "bom": self.bom,
        }


UTF8 = EncodingPlan("utf-8", "utf-8", "utf-8")
GBK = EncodingPlan("gbk", "gbk", "gbk")
BIG5 = EncodingPlan("big5", "big5", "big5")


def meta_tag(plan: EncodingPlan, xhtml: bool = False) -> str:
    if not plan.meta_charset:
        return ""
    close = " /" if xhtml else ""
    return (
        f'<meta http-equiv="Content-Type" content="text/html; charset={plan.meta_charset}"{close}>'
    )


@lru_cache(maxsize=1)
def _traditional_table() -> dict[int, str]:
    # Character-level simplified→traditional table from OpenCC's dictionary (first reading).
    # Phrase-level conversion is 100x slower and buys nothing for generated text.
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "STCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        simplified, _, traditional = line.partition("\t")
        if len(simplified) == 1 and traditional:
            table[ord(simplified)] = traditional.split()[0]
    return table


def to_traditional(text: str) -> str:
    return text.translate(_traditional_table())


def encode_page(markup: str, plan: EncodingPlan) -> Reply:
    """Encode ``markup`` per ``plan`` into a 200 reply with the planned Content-Type."""
    # Characters the legacy codec lacks become numeric references, as CMSs emit them.
    body = markup.encode(plan.encoding, errors="xmlcharrefreplace")
    if plan.bom:
        body = "\ufeff".encode(plan.encoding) + body
    content_type = "text/html"
    if plan.header_charset:
        content_type += f"; charset={plan.header_charset}"
    return Reply(200, {"Content-Type": content_type}, body)


def friend_links(site, farm_sites) -> str:
    items = []
    for index in site.external:
        other = farm_sites[index]
        items.append(f"<li>{link(other.url, other.name, target='_blank')}</li>")
    return "".join(items)


def footer_html(site) -> str:
    lines = phrases.site()["footer"]
    return "\n".join(f"<p>{esc(line)}</p>" for line in lines)


def today(site) -> str:
    rng = site.rng("today")
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def date_for(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12)}-{rng.randint(1, 28)} {rng.randint(7, 23):02d}:{rng.randint(0, 59):02d}"


# --- small binary assets -------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=256)
def qr_png(token: str, size: int = 29, scale: int = 4) -> bytes:
    """A small black-and-white PNG that looks like a QR code (random modules, fixed finders)."""
    rng = random.Random(token)
    modules = [[rng.random() < 0.5 for _ in range(size)] for _ in range(size)]
    for ox, oy in ((0, 0), (size - 7, 0), (0, size - 7)):
        for y in range(7):
            for x in range(7):
                edge = x in (0, 6) or y in (0, 6)
                core = 2 <= x <= 4 and 2 <= y <= 4
                modules[oy + y][ox + x] = edge or core
    rows = []
    for y in range(size * scale):
        row = bytearray([0])  # filter type 0
        for x in range(size * scale):
            row.append(0 if modules[y // scale][x // scale] else 255)
        rows.append(bytes(row))
    width = size * scale
    header = struct.pack(">IIBBBBB", width, width, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


def fake_apk(name: str) -> bytes:
    """A few bytes starting like a ZIP (an APK is one); not a working app."""
    return (
        b"PK\x03\x04"
        + b"\x14\x00\x00\x00\x08\x00"
        + name.encode("ascii", "replace")[:64]
        + b"\x00" * 64
    )


def inline_bulk(site) -> str:
    """The inline ad/analytics configuration real portals carry (tens of KB of script)."""

    def make() -> str:
        rng = site.rng("bulk")
        slots = []
        for n in range(rng.randint(80, 160)):
            width, height = rng.choice((300, 728, 960)), rng.choice((90, 250, 60))
            slots.append(
                f'{{"id":"slot_{n}","w":{width},"h":{height},"src":"/static/ad/{rng.getrandbits(32):08x}.js",'
                f'"rotate":{rng.randint(1, 9)},"track":"/c?s={n}&r={rng.getrandbits(24)}"}}'
            )
        return '<script>window.__AD_CONFIG__={"slots":[' + ",".join(slots) + "]};</script>"

    return site.memo("inline_bulk", make)
