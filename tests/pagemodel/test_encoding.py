"""decode_html: charset order BOM → header → meta → detection, validated, never raising on text."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import zipfile
import zlib

import pytest

from pagemodel.encoding import (
    DETECT_SAMPLE_BYTES,
    SNIFF_BYTES,
    NotHtml,
    _sample,
    decode_html,
    resolve_charset,
)

SIMPLIFIED = (
    "警方提醒：近期网上出现兼职刷单诈骗，自称客服的人员要求先垫付资金再返还佣金，请市民提高警惕。"
)
TRADITIONAL = (
    "警方提醒：近期網上出現兼職刷單詐騙，自稱客服的人員要求先墊付資金再返還佣金，請市民提高警惕。"
)
WESTERN = "Le café est fermé à cause de la grève. Über München nach Zürich, schön und groß."


def page(text: str, head: str = "", title: str = "Local news") -> str:
    return f"<html><head>{head}<title>{title}</title></head><body><p>{text}</p></body></html>"


META_GBK = '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
META_UTF8 = '<meta charset="utf-8">'
META_BIG5 = '<meta charset="big5">'

CASES = [
    # (case id, body, content-type header, expected charset, expected source, expected text)
    (
        "utf8-bom",
        codecs.BOM_UTF8 + page(SIMPLIFIED).encode(),
        "text/html; charset=gbk",
        "utf-8",
        "bom",
        SIMPLIFIED,
    ),
    (
        "utf16-bom",
        codecs.BOM_UTF16_LE + page(SIMPLIFIED).encode("utf-16-le"),
        None,
        "utf-16-le",
        "bom",
        SIMPLIFIED,
    ),
    (
        "header-utf8",
        page(SIMPLIFIED).encode(),
        "text/html; charset=UTF-8",
        "utf-8",
        "header",
        SIMPLIFIED,
    ),
    (
        "header-gb2312-as-gb18030",
        page(SIMPLIFIED + "𠀀").encode("gb18030"),
        'text/html; charset="GB2312"',
        "gb18030",
        "header",
        SIMPLIFIED + "𠀀",
    ),
    (
        "header-x-gbk",
        page(SIMPLIFIED).encode("gbk"),
        "text/html; charset=x-gbk",
        "gb18030",
        "header",
        SIMPLIFIED,
    ),
    (
        "meta-gbk",
        page(SIMPLIFIED, META_GBK).encode("gbk"),
        "text/html",
        "gb18030",
        "meta",
        SIMPLIFIED,
    ),
    (
        "meta-big5",
        page(TRADITIONAL, META_BIG5).encode("big5"),
        None,
        "big5hkscs",
        "meta",
        TRADITIONAL,
    ),
    (
        "big5-cp950-euro",
        page(TRADITIONAL + "€", META_BIG5).encode("cp950"),
        None,
        "cp950",
        "meta",
        TRADITIONAL + "€",
    ),
    (
        "header-utf8-bytes-gbk-meta-gbk",
        page(SIMPLIFIED, META_GBK).encode("gbk"),
        "text/html; charset=utf-8",
        "gb18030",
        "meta",
        SIMPLIFIED,
    ),
    (
        "header-utf8-bytes-gbk-no-meta",
        page(SIMPLIFIED).encode("gbk"),
        "text/html; charset=utf-8",
        "gb18030",
        "detected",
        SIMPLIFIED,
    ),
    (
        "meta-utf8-bytes-gbk",
        page(SIMPLIFIED, META_UTF8).encode("gbk"),
        None,
        "gb18030",
        "detected",
        SIMPLIFIED,
    ),
    (
        "header-gbk-bytes-utf8",
        page(SIMPLIFIED).encode(),
        "text/html; charset=gbk",
        "utf-8",
        "detected",
        SIMPLIFIED,
    ),
    (
        "latin1-default-header-on-gbk",
        page(SIMPLIFIED).encode("gbk"),
        "text/html; charset=ISO-8859-1",
        "gb18030",
        "detected",
        SIMPLIFIED,
    ),
    ("detected-utf8", page(SIMPLIFIED).encode(), None, "utf-8", "detected", SIMPLIFIED),
    ("detected-gbk", page(SIMPLIFIED).encode("gbk"), None, "gb18030", "detected", SIMPLIFIED),
    (
        "detected-short-gbk",
        "<title>新闻中心</title>".encode("gbk"),
        None,
        "gb18030",
        "detected",
        "新闻中心",
    ),
    ("detected-big5", page(TRADITIONAL).encode("big5"), None, "big5hkscs", "detected", TRADITIONAL),
    ("ascii-default", b"<html><body>hello</body></html>", None, "utf-8", "default", "hello"),
    (
        "unknown-label",
        page(SIMPLIFIED).encode(),
        "text/html; charset=klingon",
        "utf-8",
        "detected",
        SIMPLIFIED,
    ),
    (
        "truncated-utf8",
        page(SIMPLIFIED).encode()[: -len("</p></body></html>") - 1],
        "text/html; charset=utf-8",
        "utf-8",
        "header",
        SIMPLIFIED[:-1],
    ),
]


@pytest.mark.parametrize(
    "body, content_type, charset, source, expected",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decode_html(body, content_type, charset, source, expected):
    text, got_charset, got_source = decode_html(body, content_type)
    assert (got_charset, got_source) == (charset, source)
    assert expected in text
    assert "\ufffd" not in text[: text.index(expected) + len(expected)]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "png"),
        (b"PK\x03\x04" + b"\x00" * 200, "zip"),
        (b"%PDF-1.7\n" + bytes(range(256)), "pdf"),
        (b"<html>" + bytes(range(256)) * 8, "control_chars"),
        (bytes(range(1, 32)) * 40, "control_chars"),
    ],
)
def test_binary_served_as_html_raises_not_html(body, reason):
    with pytest.raises(NotHtml) as err:
        decode_html(body, "text/html; charset=utf-8")
    assert err.value.reason == reason


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff" * 100,
        b"<html>\xe4\xb8</html>" * 3,
        b"\x81\x30\x81",
        "中".encode() + b"\xfe\xfe",
    ],
)
def test_garbage_decodes_without_raising(body):
    text, charset, source = decode_html(body, "text/html")
    assert isinstance(text, str)
    assert charset and source in {"bom", "header", "meta", "detected", "default"}


@pytest.mark.parametrize(
    "label, codec",
    [
        ("GBK", "gb18030"),
        ("gb2312", "gb18030"),
        ("x-gbk", "gb18030"),
        ("Big5", "big5hkscs"),
        ("utf8", "utf-8"),
        ("'UTF-8'", "utf-8"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_resolve_charset(label, codec):
    assert resolve_charset(label) == codec


# --- Broken bytes: a charset that fits all but a few characters still wins (issue 10, 4a) ---

NEWS_TITLES = [
    "市公安局召开打击治理电信网络诈骗犯罪新闻发布会",
    "关于开展防范养老诈骗专项宣传活动的通知",
    "警惕冒充客服退款诈骗",
    "我市破获一起特大网络刷单诈骗案",
]
NEWS_TITLES_BIG5 = [
    "市警察局召開打擊電信網路詐騙犯罪記者會",
    "關於開展防範投資詐騙專項宣導活動的通知",
    "警惕假冒客服退款詐騙",
    "本市破獲一起網路刷單詐騙案",
]


def cut_titles_page(codec: str, head: str = "", titles=NEWS_TITLES, text=SIMPLIFIED) -> bytes:
    """A list page whose CMS cut long titles at a byte count, leaving half a character before
    the "...": the shape of the real broken pages (one error per cut title)."""
    cut = 20 if codec == "utf-8" else 21  # inside a character: hanzi take 3 or 2 bytes
    items = b"".join(
        b'<li><a href="/news/%d.html">' % number + title.encode(codec)[:cut] + b"...</a></li>"
        for number, title in enumerate(titles)
        if len(title.encode(codec)) > cut
    )
    article = f"<p>{text}</p>".encode(codec) * 40
    return (
        f"<html><head>{head}<title>{text[:4]}</title></head><body>".encode(codec)
        + article
        + b"<ul>"
        + items
        + b"</ul></body></html>"
    )


BROKEN_CASES = [
    # (case id, body, content-type header, expected charset, expected source, text, broken chars)
    ("gbk-meta", cut_titles_page("gbk", META_GBK), "text/html", "gb18030", "meta", SIMPLIFIED, 3),
    (
        "gbk-header",
        cut_titles_page("gbk"),
        "text/html; charset=GB2312",
        "gb18030",
        "header",
        SIMPLIFIED,
        3,
    ),
    (
        "gbk-meta-under-stale-utf8-header",
        cut_titles_page("gbk", META_GBK),
        "text/html; charset=utf-8",
        "gb18030",
        "meta",
        SIMPLIFIED,
        3,
    ),
    ("gbk-undeclared", cut_titles_page("gbk"), None, "gb18030", "detected", SIMPLIFIED, 3),
    (
        "big5-meta",
        cut_titles_page("big5", META_BIG5, NEWS_TITLES_BIG5, TRADITIONAL),
        None,
        "big5hkscs",
        "meta",
        TRADITIONAL,
        3,
    ),
    (
        "big5-undeclared",
        cut_titles_page("big5", "", NEWS_TITLES_BIG5, TRADITIONAL),
        None,
        "big5hkscs",
        "detected",
        TRADITIONAL,
        3,
    ),
    (
        "utf8-header",
        cut_titles_page("utf-8"),
        "text/html; charset=utf-8",
        "utf-8",
        "header",
        SIMPLIFIED,
        4,
    ),
    ("utf8-undeclared", cut_titles_page("utf-8"), None, "utf-8", "detected", SIMPLIFIED, 4),
]


@pytest.mark.parametrize(
    "body, content_type, charset, source, expected, broken",
    [case[1:] for case in BROKEN_CASES],
    ids=[case[0] for case in BROKEN_CASES],
)
def test_few_broken_bytes_keep_the_charset(body, content_type, charset, source, expected, broken):
    text, got_charset, got_source = decode_html(body, content_type)
    assert (got_charset, got_source) == (charset, source)
    assert expected in text
    assert text.count("\ufffd") == broken


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=gbk", "text/html; charset=big5", "text/html; charset=utf-8"],
)
def test_declaration_that_breaks_on_many_bytes_is_not_taken(content_type):
    # Western text read as GBK or Big5 breaks wherever an accented letter meets a space.
    body = page(WESTERN * 5).encode("cp1252")
    text, charset, source = decode_html(body, content_type)
    assert (charset, source) == ("cp1252", "detected")
    assert WESTERN in text


# --- The detection sample ends on a character boundary (issue 10, 4b) ---


def long_page_cut_inside_a_character(codec: str, text: str) -> bytes:
    """An undeclared page longer than the detection sample, shifted so the sample's last byte
    is the first half of a double-byte character."""
    paragraph = f"<p>{text}</p>\n"
    repeats = DETECT_SAMPLE_BYTES // len(paragraph.encode(codec)) + 20
    for shift in range(4):
        body = (f"<html><body>{'x' * shift}" + paragraph * repeats + "</body></html>").encode(codec)
        try:
            body[:DETECT_SAMPLE_BYTES].decode(codec)
        except UnicodeDecodeError:
            return body
    raise AssertionError("no shift puts the sample's end inside a character")


@pytest.mark.parametrize(
    "codec, text, charset",
    [("gbk", SIMPLIFIED, "gb18030"), ("big5", TRADITIONAL, "big5hkscs")],
    ids=["gbk", "big5"],
)
def test_detection_sample_is_not_cut_inside_a_character(codec, text, charset):
    body = long_page_cut_inside_a_character(codec, text)
    assert _sample(body).decode(codec)  # strict: the sample ends between characters
    assert len(_sample(body)) > DETECT_SAMPLE_BYTES - 100
    got_text, got_charset, got_source = decode_html(body, None)
    assert (got_charset, got_source) == (charset, "detected")
    assert text in got_text and "\ufffd" not in got_text


# --- A few hanzi among much ASCII are not cp1252 (issue 10, 4c) ---

ENGLISH = "<p>The quick brown fox jumps over the lazy dog. Opening hours 9:00-17:00.</p>"


@pytest.mark.parametrize(
    "codec, words, charset",
    [
        ("big5", "中文", "big5hkscs"),
        ("big5", "聯絡我們", "big5hkscs"),
        ("big5", "版權所有 聯絡我們 網站導覽", "big5hkscs"),
        ("big5", "關於我們 常見問題", "big5hkscs"),
        ("gbk", "中文", "gb18030"),
        ("gbk", "联系我们 网站地图", "gb18030"),
    ],
    ids=["big5-2", "big5-4", "big5-footer", "big5-8", "gbk-2", "gbk-footer"],
)
def test_mostly_ascii_chinese_page_is_not_read_as_cp1252(codec, words, charset):
    body = f"<html><head><title>Notes</title></head><body>{ENGLISH * 100}<p>{words}</p>"
    text, got_charset, got_source = decode_html(f"{body}</body></html>".encode(codec), None)
    assert (got_charset, got_source) == (charset, "detected")
    assert words in text


@pytest.mark.parametrize(
    "words",
    [
        WESTERN,
        "Prix: 12 € — «Bonjour» à tous",
        "Temperature 25°C, Ärzte im Süden",
        "Año nuevo, señor. ¿Qué tal?",
    ],
    ids=["french-german", "euro-guillemets", "degrees-umlauts", "spanish"],
)
def test_mostly_ascii_western_page_stays_cp1252(words):
    body = f"<html><body>{ENGLISH * 100}<p>{words}</p></body></html>".encode("cp1252")
    text, charset, source = decode_html(body, None)
    assert (charset, source) == ("cp1252", "detected")
    assert words in text


# --- "Binary" as a browser sees it, not by one byte (issue 14, item 5) ---

GBK_PAGE = page(SIMPLIFIED, META_GBK).encode("gbk")


def with_bytes(body: bytes, inserted: bytes) -> bytes:
    return body.replace(b"<body>", b"<body>" + inserted, 1)


UTF8_PAGE = page(SIMPLIFIED).encode()
WITH_TABS = SIMPLIFIED.replace("，", "\x0b")  # vertical tabs, as pasted from Word

TEXT_WITH_ODD_BYTES = [
    # (case id, body, content-type header, expected charset, expected text once NULs are gone)
    ("one-nul-gbk", with_bytes(GBK_PAGE, b"\x00"), None, "gb18030", SIMPLIFIED),
    ("one-nul-utf8", with_bytes(UTF8_PAGE, b"\x00"), None, "utf-8", SIMPLIFIED),
    ("nul-after-every-tag", UTF8_PAGE.replace(b">", b">\x00"), None, "utf-8", SIMPLIFIED),
    ("nul-padding", with_bytes(GBK_PAGE, b"\x00" * 4000), None, "gb18030", SIMPLIFIED),
    ("vertical-tabs", page(WITH_TABS, META_GBK).encode("gbk"), None, "gb18030", WITH_TABS),
    # A file signature and a few binary bytes put in front of a page: Chromium, told
    # "text/html", shows the page (with a little garbage at the top).
    ("gif-header-then-page", b"GIF89a\x01\x00\x01\x00" + GBK_PAGE, None, "gb18030", SIMPLIFIED),
    ("exe-header-then-page", b"MZ\x90\x00\x03\x00\x00\x00" + UTF8_PAGE, None, "utf-8", SIMPLIFIED),
    # Control bytes padded into a comment: a share no page has, but text around them, and a
    # browser told "text/html" shows the page.
    (
        "control-padding-gbk",
        with_bytes(GBK_PAGE, b"<!--" + b"\x01" * 1500 + b"-->"),
        "text/html",
        "gb18030",
        SIMPLIFIED,
    ),
    (
        "control-padding-utf8",
        with_bytes(UTF8_PAGE, b"<!--" + bytes(range(1, 9)) * 300 + b"-->"),
        "text/html",
        "utf-8",
        SIMPLIFIED,
    ),
    ("starts-like-gif", b"GIF89a" + UTF8_PAGE, None, "utf-8", SIMPLIFIED),
    ("starts-like-exe", b"MZ" + UTF8_PAGE, None, "utf-8", SIMPLIFIED),
    (
        "utf16-no-bom",
        page(SIMPLIFIED).encode("utf-16-le"),
        "text/html; charset=utf-16le",
        "utf-16-le",
        SIMPLIFIED,
    ),
]


@pytest.mark.parametrize(
    "body, content_type, charset, expected",
    [case[1:] for case in TEXT_WITH_ODD_BYTES],
    ids=[case[0] for case in TEXT_WITH_ODD_BYTES],
)
def test_text_with_nul_or_control_bytes_is_decoded(body, content_type, charset, expected):
    # Browsers drop NULs from text (so does the HTML parser that extraction uses).
    text, got_charset, _source = decode_html(body, content_type)
    assert got_charset == charset
    assert expected in text.replace("\x00", "")


def _random_bytes(size: int, seed: int = 14) -> bytes:
    return random.Random(seed).randbytes(size)


def _zip(html: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
    return buffer.getvalue()


def _pdf() -> bytes:
    stream = zlib.compress(page(SIMPLIFIED * 20).encode())
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length "
        + str(len(stream)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\n"
    )


GIF_1X1 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + _random_bytes(4000), "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "jpeg"),
        (GIF_1X1, "gif"),
        (_zip(page(SIMPLIFIED * 50).encode()), "zip"),
        (gzip.compress(page(SIMPLIFIED * 50).encode(), mtime=0), "gzip"),
        (_pdf(), "pdf"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00\x01\x00\x00\x00", "elf"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + bytes(40), "exe"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + _random_bytes(500), "mp4"),
        (b"wOF2\x00\x01\x00\x00\x00\x00\x12\x34\x00\x0a" + _random_bytes(500), "woff2"),
        (_random_bytes(SNIFF_BYTES), "control_chars"),
        (b"<html><body>" + _random_bytes(SNIFF_BYTES), "control_chars"),
    ],
    ids=[
        "png",
        "jpeg",
        "gif",
        "zip",
        "gzip",
        "pdf",
        "elf",
        "exe",
        "mp4",
        "woff2",
        "random",
        "random-after-html",
    ],
)
def test_real_binary_served_as_html_is_still_refused(body, reason):
    with pytest.raises(NotHtml) as err:
        decode_html(body, "text/html")
    assert err.value.reason == reason
