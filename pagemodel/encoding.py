"""Turn a response body into text, choosing the charset the way browsers do — but checking it.

Contract (the spider codes against it)::

    text, charset, source = decode_html(body, content_type)

* ``charset`` is the Python codec actually used, lower case (``"utf-8"``, ``"gb18030"``,
  ``"big5hkscs"``, ``"cp950"``, ``"cp1252"``, ``"utf-16-le"`` …). GBK and GB2312 labels decode
  as ``gb18030`` (a superset of both); Big5 labels decode as ``big5hkscs``, falling back to
  ``cp950`` for the Microsoft extensions (€, box drawing) HKSCS lacks.
* ``source`` says where it came from, tried in this order: ``"bom"`` → ``"header"`` (the HTTP
  ``Content-Type`` charset) → ``"meta"`` (``<meta charset>``, ``<meta http-equiv>`` or an XML
  declaration in the first 4 KB) → ``"detected"`` (charset-normalizer, restricted to the
  encodings Chinese sites use) → ``"default"`` (UTF-8 with replacement characters).
* A declared charset is *validated* before it is trusted: if the bytes do not decode strictly,
  or a legacy CJK/Western label is declared over bytes that are valid multi-byte UTF-8, the
  declaration is skipped and the next source is tried. So a page whose header says UTF-8 but
  whose bytes are GBK still comes out right (source ``"meta"`` or ``"detected"``).
* Broken bytes do not cost a page its charset. Old CMSs cut titles at a byte count, leaving
  half characters; when no declaration decodes strictly, a declared multi-byte charset (UTF-8,
  GBK, Big5) is still taken — with U+FFFD for the broken characters — if it breaks on few of
  the bytes and no other candidate reads them with fewer errors. Detection does the same when
  every candidate fails its strict reading.
* Garbage never raises anything but :class:`NotHtml`: a body that is not text at all raises
  ``NotHtml(reason)``, a ``ValueError``; the spider catches it and counts it by its ``reason``
  (``sweep/skipped/binary/<reason>``). "Not text" is decided as a browser would see it, never
  by one byte: a known file signature (image, archive, PDF, executable, media, font) with binary
  bytes behind it, or a share of control bytes no page has — either only when no page lies
  between the binary bytes (a page behind a GIF header, or control bytes padded into a
  comment, is still a page to a browser told "text/html"). NUL bytes do not count — browsers
  drop them from text, so one NUL (or many) does not make a page binary. Anything else
  decodes, with U+FFFD where bytes are broken.
"""

from __future__ import annotations

import codecs
import functools
import re

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

DEFAULT_CHARSET = "utf-8"

_META_CHARSET_RE = re.compile(
    rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{2,40})", re.IGNORECASE
)

# Detection only looks at this much: enough for statistics, cheap on 5 MB pages.
DETECT_SAMPLE_BYTES = 64 * 1024
# The sample ends after the last newline, ">" or space in its final stretch: none of these
# bytes is ever part of a multi-byte character in the candidate encodings (UTF-8 continuation
# bytes are ≥ 0x80, GBK/Big5 trail bytes ≥ 0x40, GB18030's four-byte forms use digits), so the
# cut never splits one — a split character makes every strict reading, and detection, fail.
_SAMPLE_BOUNDARIES = (b"\n", b">", b" ")
_BOUNDARY_SEARCH_BYTES = 4096

# A declared or detected multi-byte charset may break on at most this share of the non-ASCII
# bytes (the real pages with cut titles break on 0.04%; Western text read as GBK or Big5 on
# about a third).
MAX_BROKEN_SHARE = 0.02

# Binary sniffing looks at the start of the body, where signatures and headers live.
SNIFF_BYTES = 8 * 1024
# Share of control bytes (NUL aside) above which a body is not text. Compressed or encrypted
# data has ~10%; pages have next to none.
MAX_CONTROL_SHARE = 0.05
# A signature counts only with this many binary bytes (NUL included) in the sniffed head: real
# file headers are full of them, while a page that merely starts with the text "GIF89a" or
# "MZ" still renders in a browser.
SIGNATURE_MIN_BINARY_BYTES = 4
# Beside many control bytes, a page still shows this many "<" (tags) in its sniffed head.
_MIN_TAGS = 4

# Encodings charset-normalizer may choose between. Unrestricted it takes ~30 ms on a GBK page
# and calls short GBK snippets Big5; the sites we crawl are Chinese or Western.
DETECTION_CANDIDATES = ["utf_8", "gb18030", "big5hkscs", "cp950", "cp1252"]
# The multi-byte ones, whose errors on a body say how well they fit it. Single-byte codecs
# decode nearly anything, so their error counts say nothing.
_MULTI_BYTE_CANDIDATES = ("utf-8", "gb18030", "big5hkscs", "cp950")

# Labels seen on Chinese sites that the WHATWG table (via w3lib) does not know.
EXTRA_LABELS = {
    "x-gbk": "gb18030",
    "x_gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "x-x-big5": "big5hkscs",
    "big-5": "big5hkscs",
    "big5_tw": "big5hkscs",
    "unicode-1-1-utf-8": "utf-8",
    "utf-8-sig": "utf-8",
}

_LEGACY_CJK = {"gb18030", "big5hkscs", "cp950", "big5", "gbk", "gb2312"}
_SINGLE_BYTE_WESTERN = {"cp1252", "latin_1", "iso8859-1", "ascii", "iso8859-15"}

# (offset, magic, reason). Each only counts with binary bytes behind it (see above).
BINARY_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    # images
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"\x00\x00\x01\x00", "ico"),
    (0, b"\x00\x00\x02\x00", "ico"),
    (0, b"8BPS", "psd"),
    (4, b"jP  ", "jpeg2000"),
    # archives and compressed data
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"(\xb5/\xfd", "zstd"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"MSCF", "cab"),
    (0, b"!<arch>\n", "ar"),
    (257, b"ustar", "tar"),
    # documents
    (0, b"%PDF-", "pdf"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (0, b"SQLite format 3\x00", "sqlite"),
    # executables
    (0, b"\x7fELF", "elf"),
    (0, b"MZ", "exe"),
    (0, b"\xca\xfe\xba\xbe", "macho"),
    (0, b"\xcf\xfa\xed\xfe", "macho"),
    (0, b"\xce\xfa\xed\xfe", "macho"),
    (0, b"\xfe\xed\xfa\xce", "macho"),
    (0, b"\xfe\xed\xfa\xcf", "macho"),
    (0, b"\x00asm", "wasm"),
    (0, b"dex\n", "dex"),
    (0, b"FWS", "swf"),
    (0, b"CWS", "swf"),
    (0, b"ZWS", "swf"),
    # audio and video
    (0, b"RIFF", "riff"),
    (0, b"OggS", "ogg"),
    (0, b"ID3", "mp3"),
    (0, b"\xff\xfb", "mp3"),
    (0, b"\xff\xf3", "mp3"),
    (0, b"\xff\xf2", "mp3"),
    (0, b"fLaC", "flac"),
    (0, b"MThd", "midi"),
    (0, b"FORM", "aiff"),
    (4, b"ftyp", "mp4"),
    (0, b"\x1aE\xdf\xa3", "webm"),
    (0, b"0&\xb2u\x8ef\xcf\x11", "asf"),
    (0, b"\x00\x00\x01\xba", "mpeg"),
    (0, b"\x00\x00\x01\xb3", "mpeg"),
    # fonts
    (0, b"wOFF", "woff"),
    (0, b"wOF2", "woff2"),
    (0, b"\x00\x01\x00\x00", "ttf"),
    (0, b"OTTO", "otf"),
    (0, b"ttcf", "ttc"),
)

# WHATWG's "binary data bytes": C0 controls other than TAB, LF, FF, CR and ESC (ISO-2022).
_BINARY_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
_ASCII_BYTES = bytes(range(0x80))

# U+FFFD as each codec writes it, so a page that contains the character is not counted broken.
_ENCODED_REPLACEMENT = {"utf-8": "\ufffd".encode(), "gb18030": "\ufffd".encode("gb18030")}


# Enough non-ASCII characters to tell simplified from traditional text; more adds time only.
_READING_CHARS = 4096
_ASCII_RUNS_RE = re.compile(r"[\x00-\x7f]+")
# Punctuation, symbols, digits and spaces outside ASCII (Latin-1 signs, general punctuation to
# misc symbols, CJK punctuation, full-width forms) and U+FFFD: neither common nor other hanzi.
_SIGNS = dict.fromkeys(
    [*range(0x80, 0xC0), 0xD7, 0xF7, *range(0x2000, 0x2C00), *range(0x3000, 0x3040)]
    + [*range(0xFE30, 0xFE50), *range(0xFF00, 0xFFF0), 0xFFFD]
)
# At least this many common hanzi before a reading counts as Chinese at all.
_MIN_COMMON_HANZI = 2


class NotHtml(ValueError):
    """The body is not text (binary served as HTML). ``reason`` is a short stats-friendly word:
    ``control_chars`` or a signature name such as ``png``, ``zip``, ``pdf``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"body is not text: {reason}")
        self.reason = reason


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str, str]:
    """Decode an HTML body: ``(text, charset, source)``; see the module docstring."""
    if not body:
        return "", DEFAULT_CHARSET, "default"

    bom_charset, bom = read_bom(body)
    if bom_charset:
        # A BOM is unambiguous; UTF-16 bodies legitimately contain NUL bytes, so check after.
        return body[len(bom) :].decode(bom_charset, "replace"), _codec_name(bom_charset), "bom"

    _reject_binary(body)

    utf8_ok = _is_multibyte_utf8(body)
    declarations: list[tuple[str, str]] = []
    for source, charset in (
        ("header", _header_charset(content_type)),
        ("meta", _meta_charset(body)),
    ):
        if charset and all(charset != seen for _, seen in declarations):
            declarations.append((source, charset))

    for source, charset in declarations:
        decoded = _decode_declared(body, charset, utf8_ok)
        if decoded is not None:
            return decoded[0], decoded[1], source
    # No declaration fits every byte: one that fits all but a few broken characters still wins.
    for source, charset in declarations:
        decoded = _decode_declared_broken(body, charset, utf8_ok)
        if decoded is not None:
            return decoded[0], decoded[1], source

    detected = _detect(body, utf8_ok)
    if detected:
        text = _strict(body, detected)
        if text is not None:
            return text, detected, "detected"
        return body.decode(detected, "replace"), detected, "detected"

    return body.decode(DEFAULT_CHARSET, "replace"), DEFAULT_CHARSET, "default"


def resolve_charset(label: str | None) -> str | None:
    """A charset label (any case, any alias) → the codec name we decode with, or None."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    resolved = EXTRA_LABELS.get(label) or resolve_encoding(label)
    if resolved is None:
        return None
    return _codec_name(resolved)


def _codec_name(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name
    return {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(canonical, canonical)


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    label = http_content_type_encoding(content_type)
    if label is None:
        # w3lib drops labels it does not know (x-gbk …): look at the raw parameter too.
        lowered = content_type.lower()
        if "charset=" in lowered:
            raw = lowered.split("charset=", 1)[1].split(";", 1)[0]
            return resolve_charset(raw)
        return None
    return resolve_charset(label)


def _meta_charset(body: bytes) -> str | None:
    label = html_body_declared_encoding(body)
    if label is not None:
        return resolve_charset(label)
    # w3lib ignores labels outside the WHATWG table (x-gbk …) that Chinese sites still use.
    match = _META_CHARSET_RE.search(body[:4096])
    return resolve_charset(match.group(1).decode("ascii")) if match else None


def _decode_declared(body: bytes, charset: str, utf8_ok: bool) -> tuple[str, str] | None:
    """Decode with a declared charset if the bytes agree with it, else None."""
    # Valid multi-byte UTF-8 is almost never an accident; GB18030 and cp1252 would decode
    # those bytes "successfully" into mojibake. Servers often send a stale default label.
    if utf8_ok and (charset in _LEGACY_CJK or charset in _SINGLE_BYTE_WESTERN):
        return None
    if charset in _SINGLE_BYTE_WESTERN and not body.isascii():
        # cp1252 decodes anything: only trust it when detection does not see a CJK encoding.
        guess = _detect(body, utf8_ok)
        if guess and guess in _LEGACY_CJK:
            return None
    for candidate in _variants(charset):
        text = _strict(body, candidate)
        if text is not None:
            return text, candidate
    return None


def _decode_declared_broken(body: bytes, charset: str, utf8_ok: bool) -> tuple[str, str] | None:
    """Decode with a declared multi-byte charset and replacement characters when the bytes fit
    it but for a few broken characters and no other candidate fits them better, else None."""
    own = _variants(charset)
    if utf8_ok or not set(own) <= set(_MULTI_BYTE_CANDIDATES):
        return None
    readings = _readings(body)
    best = min(own, key=lambda candidate: readings[candidate][1])
    text, broken = readings[best]
    if broken > _broken_limit(body):
        return None
    if any(readings[other][1] < broken for other in readings if other not in own):
        return None
    return text, best


def _variants(charset: str) -> tuple[str, ...]:
    if charset in ("big5hkscs", "big5", "cp950"):
        return ("big5hkscs", "cp950")
    if charset in ("gbk", "gb2312"):
        return ("gb18030",)
    return (charset,)


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except LookupError:
        return None
    except UnicodeDecodeError as err:
        if _truncated_at_end(err, body):
            return body.decode(charset, "replace")
        return None


def _read_replacing(data: bytes, charset: str) -> tuple[str, int]:
    """``data`` decoded with replacement characters, and how many of them the codec put in."""
    text = data.decode(charset, "replace")
    present = data.count(_ENCODED_REPLACEMENT[charset]) if charset in _ENCODED_REPLACEMENT else 0
    return text, text.count("\ufffd") - present


def _broken_limit(data: bytes) -> int:
    non_ascii = len(data.translate(None, _ASCII_BYTES))
    return max(1, int(non_ascii * MAX_BROKEN_SHARE))


def _is_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as err:
        return _truncated_at_end(err, body)
    return True


def _truncated_at_end(err: UnicodeDecodeError, body: bytes) -> bool:
    # A page cut off by the size cap ends mid-character: still the right charset.
    return err.reason == "unexpected end of data" and err.end == len(body)


def _detect(body: bytes, utf8_ok: bool) -> str | None:
    if body.isascii():
        return None
    if utf8_ok:
        return "utf-8"
    sample = _sample(body)
    best = charset_normalizer.from_bytes(sample, cp_isolation=DETECTION_CANDIDATES).best()
    if best is None:
        # charset-normalizer drops every encoding that fails to decode the sample strictly, so
        # a few broken bytes leave it nothing: take the reading that breaks least instead.
        return _least_broken(sample)
    charset = _codec_name(best.encoding)
    if charset in _SINGLE_BYTE_WESTERN:
        # Among much ASCII, a few hanzi are too little for charset-normalizer's statistics and
        # it says cp1252. Western text read as GBK or Big5 breaks, or gives rare characters.
        return _cjk_reading(_readings(sample), max_broken=0) or charset
    if charset in ("big5hkscs", "cp950") and _reads_as_simplified(sample):
        # Short GBK snippets are valid Big5 too; GBK text decodes to common simplified
        # characters, Big5 text decoded as GBK does not.
        return "gb18030"
    if charset in ("big5hkscs", "cp950"):
        # Prefer the wider table that decodes this body without errors.
        for candidate in ("big5hkscs", "cp950"):
            if _strict(sample, candidate) is not None:
                return candidate
    return charset


def _sample(body: bytes) -> bytes:
    """The start of the body for detection, ended on a character boundary."""
    if len(body) <= DETECT_SAMPLE_BYTES:
        return body
    start = DETECT_SAMPLE_BYTES - _BOUNDARY_SEARCH_BYTES
    cut = max(body.rfind(byte, start, DETECT_SAMPLE_BYTES) for byte in _SAMPLE_BOUNDARIES)
    return body[: cut + 1] if cut >= 0 else body[:DETECT_SAMPLE_BYTES]


def _least_broken(sample: bytes) -> str | None:
    """The multi-byte candidate that reads ``sample`` with the fewest errors, if they are few."""
    readings = _readings(sample)
    broken = {candidate: errors for candidate, (_, errors) in readings.items()}
    fewest = min(broken.values())
    if fewest > _broken_limit(sample):
        return None
    if broken["utf-8"] == fewest:
        return "utf-8"
    # GB18030 reads nearly any byte pair, so it breaks no more than Big5 even on Big5 text:
    # which Chinese it reads as decides between them.
    return _cjk_reading(readings, _broken_limit(sample)) or min(broken, key=broken.__getitem__)


def _readings(data: bytes) -> dict[str, tuple[str, int]]:
    return {candidate: _read_replacing(data, candidate) for candidate in _MULTI_BYTE_CANDIDATES}


def _cjk_reading(readings: dict[str, tuple[str, int]], max_broken: int) -> str | None:
    """``gb18030``, ``big5hkscs`` or ``cp950`` when the bytes read, with at most ``max_broken``
    errors, as common Chinese characters in that encoding; else None."""
    if _mostly_common(readings["gb18030"], _common_hanzi("simplified"), max_broken):
        return "gb18030"
    for candidate in ("big5hkscs", "cp950"):
        if _mostly_common(readings[candidate], _common_hanzi("traditional"), max_broken):
            return candidate
    return None


def _reads_as_simplified(sample: bytes) -> bool:
    """True when the bytes, read as GB18030, are mostly common (GB2312 level-1) hanzi."""
    return _mostly_common(_read_replacing(sample, "gb18030"), _common_hanzi("simplified"), 0)


def _mostly_common(reading: tuple[str, int], common: dict[int, None], max_broken: int) -> bool:
    text, broken = reading
    if broken > max_broken:
        return False
    chars = _ASCII_RUNS_RE.sub("", text)[:_READING_CHARS]
    hanzi = len(chars) - len(chars.translate(common))
    letters = len(chars.translate(_SIGNS))
    return hanzi >= _MIN_COMMON_HANZI and hanzi >= 0.9 * letters


@functools.cache
def _common_hanzi(script: str) -> dict[int, None]:
    """The common hanzi each table puts first, as a deletion table for ``str.translate``:
    GB2312 level 1 (3,755 in rows 0xB0–0xD7) or Big5 level 1 (5,401, 0xA440–0xC67E). Text in
    the right encoding is almost all common hanzi; the same bytes read in the other encoding,
    or Western text read as either, are mostly not."""
    if script == "simplified":
        codec, leads, trails = "gb2312", range(0xB0, 0xD8), [*range(0xA1, 0xFF)]
    else:
        codec, leads, trails = "big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    table: dict[int, None] = {}
    for lead in leads:
        for trail in trails:
            try:
                table[ord(bytes((lead, trail)).decode(codec))] = None
            except UnicodeDecodeError:
                continue
    return table


def _reject_binary(body: bytes) -> None:
    head = body[:SNIFF_BYTES]
    binary = len(head) - len(head.translate(None, _BINARY_BYTES))
    if binary == 0:
        return
    if binary >= SIGNATURE_MIN_BINARY_BYTES:
        for offset, signature, name in BINARY_SIGNATURES:
            if head.startswith(signature, offset):
                if _text_between(head):
                    return  # a page behind a file header: a page to a browser too
                raise NotHtml(name)
    # NUL bytes are left out: browsers drop them from text (UTF-16 text is full of them).
    nul = head.count(0)
    controls = binary - nul
    if controls > MAX_CONTROL_SHARE * (len(head) - nul) and not _text_between(head):
        raise NotHtml("control_chars")


def _text_between(head: bytes) -> bool:
    """Whether the bytes around the control bytes read as a page: markup, and UTF-8 or Chinese
    text (mostly common hanzi in GB18030 or Big5) that breaks on few of them. Control bytes
    padded into a page's comment leave a page, which a browser told "text/html" shows;
    compressed or encrypted data leaves noise, whatever codec reads it."""
    rest = head.translate(None, _BINARY_BYTES)
    if rest.count(b"<") < _MIN_TAGS:
        return False
    if rest.isascii():
        return True
    limit = _broken_limit(rest)
    if _read_replacing(rest, "utf-8")[1] <= limit:
        return True
    return any(
        _mostly_common(_read_replacing(rest, codec), _common_hanzi(script), limit)
        for codec, script in (("gb18030", "simplified"), ("big5hkscs", "traditional"))
    )
