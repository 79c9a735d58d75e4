"""The office's site registry: CSV or XLSX, Chinese or English headers → clean site dicts.

    result = load_registry("网站备案登记表.xlsx")
    result.sites       # [{"id", "name", "url", "domain", "icp", "district", "type", "owner",
                       #   "render_js"}], in file order, one per site
    result.errors      # [RegistryError(line, reason)]: rows left out, and why
    result.duplicates  # [Duplicate(line, first_line, url)]: rows naming a site listed earlier
    result.warnings    # [RegistryError]: rows kept with a questionable cell
    sites, errors = result          # also unpacks like a pair, for callers that need only these

``line`` is the row number an operator sees: the line of a CSV file, the row of the sheet.
Bad rows never stop the import. A file that cannot be read at all raises
:class:`ground.errors.CrawlError` with what to do.

Normalisation: ``http://`` added when missing, host lower-cased and IDNA-encoded (中文域名 →
``xn--…``), full-width characters folded, notes and punctuation after the address dropped
("www.a.gov.cn（已关停）"). Site ids come from :func:`ground.urls.site_id`, so two rows that
differ only by scheme, ``www.``, a default port or a trailing slash are one site.
"""

from __future__ import annotations

import codecs
import csv
import io
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.errors import CrawlError
from ground.settings import MAX_URL_CHARS
from ground.urls import canonical_url, site_id
from pagemodel.icp import normalise_icp

MAX_CELL_CHARS = 1024  # other than the URL's (checked against MAX_URL_CHARS, never cut)
# A title row ("XX市网站备案登记表") may sit above the header; look this far for it.
HEADER_SEARCH_ROWS = 10

# Header spellings seen in registries, normalised (NFKC, lower case, no spaces/punctuation).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "网站名称",
        "名称",
        "网站名",
        "站点名称",
        "网站名字",
        "name",
        "sitename",
        "websitename",
        "site",
    ),
    "url": (
        "网址",
        "网站地址",
        "网站网址",
        "首页地址",
        "首页网址",
        "站点地址",
        "访问地址",
        "链接",
        "url",
        "website",
        "homepage",
        "address",
        "siteurl",
        "weburl",
    ),
    "domain": ("域名", "网站域名", "主域名", "domain", "domainname", "host"),
    "icp": (
        "icp备案号",
        "备案号",
        "icp备案",
        "icp备案编号",
        "备案编号",
        "icp许可证号",
        "icp证号",
        "icp",
        "icpnumber",
        "icpno",
        "icpfiling",
    ),
    "district": (
        "所属区县",
        "区县",
        "所属区域",
        "所属地区",
        "地区",
        "行政区",
        "行政区划",
        "区域",
        "district",
        "region",
        "area",
        "county",
    ),
    "type": ("网站类型", "类型", "网站类别", "类别", "站点类型", "type", "category", "sitetype"),
    "owner": (
        "主办单位",
        "主办者",
        "开办单位",
        "主办单位名称",
        "单位名称",
        "运营单位",
        "owner",
        "organisation",
        "organization",
        "operator",
        "sponsor",
        "publisher",
    ),
    "render_js": (
        "渲染",
        "需要渲染",
        "js渲染",
        "是否渲染",
        "动态渲染",
        "是否js渲染",
        "renderjs",
        "render",
        "js",
        "javascript",
    ),
}
_HEADER_LOOKUP = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
_HEADER_NOISE = re.compile(r"[\s_\-*:：()（）\[\]【】]+")

_TRUE = {"是", "y", "yes", "true", "1", "√", "需要", "要", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "不需要", "不", "f", ""}

# An address ends at whitespace, a note in brackets or Chinese punctuation.
_URL_END = re.compile(r"[\s（(【\[，,；;、。\"'“”‘’<>|]")
_TRAILING_JUNK = ".。,，;；:：'\"”’)）】]>#?&"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# An IPv6 literal opens the host with "[" ("http://[2001:db8::1]:8080/", "[::1]"): that "[" is
# not a note in brackets. Right after "://" it is always the host; with no scheme only a colon
# inside tells the two apart ("[已关停] www.a.cn" is a note).
_IPV6_OPEN = re.compile(r"^(?:(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//\[|\[(?=[^\]\s/]*:))")
# A bare IPv6 address as the host: "2001:db8::1" or "http://2001:db8::1/x".
_BARE_IPV6 = re.compile(
    r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|//)?([0-9a-fA-F]*:[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)(?:/|$)"
)
# "javascript:…", "mailto:…" – a scheme without "//" (unlike "host:8080", digits after ':')
_OTHER_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?!//)(?!\d)")


@dataclass(frozen=True)
class RegistryError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Duplicate:
    line: int
    first_line: int
    url: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.url} is already listed on line {self.first_line}"


@dataclass
class RegistryResult:
    sites: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RegistryError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    warnings: list[RegistryError] = field(default_factory=list)
    rows: int = 0  # data rows read (empty rows not counted)
    encoding: str | None = None  # CSV only: how the file was decoded

    def __iter__(self) -> Iterator[Any]:
        # `sites, errors = load_registry(path)` for callers that need only these two.
        yield self.sites
        yield self.errors


def load_registry(path: str | Path) -> RegistryResult:
    """Read a registry file (.csv/.tsv/.txt or .xlsx/.xlsm); see the module docstring."""
    file = Path(path)
    if not file.is_file():
        raise CrawlError(f"registry file {file} does not exist; give the path of the CSV or XLSX")
    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows, encoding = _xlsx_rows(file), None
    elif suffix == ".xls":
        raise CrawlError(
            f"{file.name} is an old Excel .xls file; open it in Excel/WPS and save it as .xlsx "
            "(or as CSV UTF-8), then import that"
        )
    else:
        rows, encoding = _csv_rows(file)
    result = parse_rows(rows)
    result.encoding = encoding
    return result


def parse_rows(rows: Iterable[tuple[int, list[Any]]]) -> RegistryResult:
    """Sites from ``(line, cells)`` rows, the header among the first rows."""
    result = RegistryResult()
    iterator = iter(rows)
    columns = _find_header(iterator)
    if "url" not in columns and "domain" not in columns:
        found = ", ".join(sorted(columns)) or "none"
        raise CrawlError(
            "the registry has no 网址/域名 (url/domain) column; the header row needs one of: "
            f"{', '.join(HEADER_ALIASES['url'][:3] + HEADER_ALIASES['domain'][:2])} "
            f"(columns recognised: {found})"
        )
    first_line_of: dict[str, int] = {}
    for line, cells in iterator:
        record = {
            key: _cell(cells, index, whole=key in ("url", "domain"))
            for key, index in columns.items()
        }
        if not any(record.values()) and not any(_text(c) for c in cells):
            continue  # blank row
        result.rows += 1
        try:
            site = _site_from_record(record, line, result.warnings)
        except ValueError as err:
            result.errors.append(RegistryError(line, str(err)))
            continue
        first = first_line_of.get(site["id"])
        if first is not None:
            result.duplicates.append(Duplicate(line, first, site["url"]))
            continue
        first_line_of[site["id"]] = line
        result.sites.append(site)
    return result


def normalise_site_url(raw: str) -> str:
    """A registry cell → the site's URL (``http://`` added, host lower-case and IDNA).

    Raises ValueError with a reason an operator understands.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().strip("\ufeff")
    if not text:
        raise ValueError("no URL (网址/域名 is empty)")
    if len(text) > MAX_URL_CHARS:
        raise ValueError(f"URL longer than {MAX_URL_CHARS} characters ({len(text)})")
    host_end = _ipv6_literal_end(text, raw)
    end = _URL_END.search(text, host_end)
    if end is not None:
        text = text[: end.start()]
    text = text[:host_end] + text[host_end:].rstrip(_TRAILING_JUNK)
    if not text:
        raise ValueError(f"no URL in {raw.strip()[:80]!r}")
    other_scheme = _OTHER_SCHEME_RE.match(text)
    if other_scheme and other_scheme.group(1).lower() not in ("http", "https"):
        raise ValueError(
            f"{raw.strip()[:80]!r} is not a web address (scheme {other_scheme.group(1)}:)"
        )
    if not _SCHEME_RE.match(text):
        text = text.removeprefix("//")
        text = "http://" + text
    scheme = text.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{raw.strip()[:80]!r} is not a web address (scheme {scheme}://)")
    try:
        url = canonical_url(text)
    except (ValueError, UnicodeError) as err:
        raise ValueError(f"{raw.strip()[:80]!r} is not a valid web address ({err})") from None
    host = urlsplit(url).hostname or ""
    _check_host(host, raw)
    return url


def _ipv6_literal_end(text: str, raw: str) -> int:
    """Where the bracketed IPv6 host at the start of `text` ends (0 when there is none); a bad
    literal raises ValueError with the reason."""
    bare = _BARE_IPV6.match(text)
    if bare and _is_ipv6(bare.group(1)):
        raise ValueError(
            f"{raw.strip()[:80]!r}: an IPv6 address goes in brackets: http://[{bare.group(1)}]/"
        )
    opening = _IPV6_OPEN.match(text)
    if opening is None:
        return 0
    close = text.find("]", opening.end())
    if close < 0:
        raise ValueError(f"{raw.strip()[:80]!r}: the IPv6 address has no closing ]")
    address = text[opening.end() : close]
    if not _is_ipv6(address):
        raise ValueError(
            f"{raw.strip()[:80]!r} is not a valid web address "
            f"({address[:60]!r} in brackets is not an IPv6 address)"
        )
    return close + 1


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def site_domain(url: str) -> str:
    """The site's domain: its host without port and without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def parse_flag(value: str) -> bool | None:
    """是/否, yes/no, true/false, 1/0 → bool; None when the cell says something else."""
    word = unicodedata.normalize("NFKC", value or "").strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


# --- rows -----------------------------------------------------------------------------------


def _site_from_record(
    record: dict[str, str], line: int, warnings: list[RegistryError]
) -> dict[str, Any]:
    raw_url = record.get("url") or record.get("domain") or ""
    url = normalise_site_url(raw_url)
    render = parse_flag(record.get("render_js", ""))
    if render is None:
        warnings.append(
            RegistryError(
                line,
                f"渲染/render_js {record['render_js']!r} is not 是/否 (yes/no); taken as 否 (no)",
            )
        )
        render = False
    icp_raw = record.get("icp") or ""
    icp = normalise_icp(icp_raw) if icp_raw else None
    if icp_raw and icp is None:
        warnings.append(
            RegistryError(
                line,
                f"ICP number {icp_raw!r} is not in the usual form "
                "(e.g. 京ICP备12345678号-1); kept as written",
            )
        )
        icp = icp_raw
    domain = site_domain(url)
    return {
        "id": site_id(url),
        "name": record.get("name") or domain,
        "url": url,
        "domain": domain,
        "icp": icp,
        "district": record.get("district") or None,
        "type": record.get("type") or None,
        "owner": record.get("owner") or None,
        "render_js": render,
    }


def _check_host(host: str, raw: str) -> None:
    if not host:
        raise ValueError(f"no host name in {raw.strip()[:80]!r}")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return
    except ValueError:
        pass
    if host == "localhost":
        return
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{raw.strip()[:80]!r} does not contain a valid domain name")
    if labels[-1].isdigit():
        raise ValueError(f"{raw.strip()[:80]!r} is not a valid IP address or domain name")


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> dict[str, int]:
    """Column index of each known field, from the first row that looks like a header."""
    best: dict[str, int] = {}
    for _, cells in _take(rows, HEADER_SEARCH_ROWS):
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = _HEADER_LOOKUP.get(_header_word(cell))
            if key and key not in columns:
                columns[key] = index
        if "url" in columns or "domain" in columns:
            return columns
        if len(columns) > len(best):
            best = columns
    return best


def _header_word(cell: Any) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", _text(cell)).lower())


def _take(rows: Iterator[tuple[int, list[Any]]], count: int) -> Iterator[tuple[int, list[Any]]]:
    for _ in range(count):
        try:
            yield next(rows)
        except StopIteration:
            return


def _cell(cells: list[Any], index: int, *, whole: bool = False) -> str:
    """A cell's text, cut to MAX_CELL_CHARS unless `whole` (the URL: a cut one would pass)."""
    return _text(cells[index], whole=whole) if index < len(cells) else ""


def _text(value: Any, *, whole: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel numbers: 3301080001.0 → "3301080001"
    text = " ".join(str(value).split())
    return text if whole else text[:MAX_CELL_CHARS]


# --- file formats ---------------------------------------------------------------------------


def _csv_rows(file: Path) -> tuple[Iterator[tuple[int, list[str]]], str]:
    data = file.read_bytes()
    text, encoding = _decode_csv(data, file)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                # line_num is the physical line where the record ended (quoted cells may span).
                yield reader.line_num, cells
        except csv.Error as err:
            raise CrawlError(
                f"{file.name} is not a readable CSV file near line {reader.line_num} ({err}); "
                "save it again from Excel/WPS as CSV UTF-8"
            ) from err

    return rows(), encoding


def _decode_csv(data: bytes, file: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), GB18030/GBK."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace"), codec
    if b"\x00" in data[:4096]:
        raise CrawlError(
            f"{file.name} is not a text CSV file (binary content); export the "
            "registry as CSV or XLSX"
        )
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:65536]).best()
    if best is None:
        raise CrawlError(f"could not tell the text encoding of {file.name}; save it as CSV UTF-8")
    return data.decode(best.encoding, "replace"), best.encoding


def _xlsx_rows(file: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as err:
        raise CrawlError(
            f"could not open {file.name} as an Excel workbook ({type(err).__name__}: {err}); "
            "check it opens in Excel/WPS and is saved as .xlsx"
        ) from err

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            sheet = _registry_sheet(workbook)
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, list(values)
        finally:
            workbook.close()

    return rows()


def _registry_sheet(workbook: Any) -> Any:
    """The first sheet with a 网址/域名 header (offices add cover or notes sheets)."""
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True):
            words = {_HEADER_LOOKUP.get(_header_word(cell)) for cell in values}
            if "url" in words or "domain" in words:
                return sheet
    return workbook.worksheets[0]
