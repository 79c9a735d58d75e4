"""load_registry over CSV/XLSX files written here: headers, encodings, bad rows, duplicates."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from crawler.registry import load_registry, normalise_site_url, parse_flag
from ground.addresses import AddressPolicy, refusal_for_url
from ground.errors import WuzhaError
from ground.urls import site_id

CHINESE_HEADER = [
    "序号",
    "网站名称",
    "网址",
    "ICP备案号",
    "所属区县",
    "网站类型",
    "主办单位",
    "渲染",
]
ROOT = Path(__file__).resolve().parents[2]
ENGLISH_HEADER = ["name", "url", "icp", "district", "type", "owner", "render_js"]

GOOD_ROWS = [
    [
        "1",
        "滨江区人民政府",
        "www.binjiang.gov.cn",
        "浙ICP备05012345号-1",
        "滨江区",
        "政府",
        "滨江区政府办",
        "否",
    ],
    [
        "2",
        "滨江社区论坛",
        "http://BBS.Binjiang.test:8001/",
        "浙ICP备17012345号-2",
        "滨江区",
        "论坛",
        "某公司",
        "是",
    ],
    ["3", "中文域名网站", "中国政府.中国", "", "西湖区", "门户", "", ""],
]


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue()
    path.write_bytes(
        codecs.BOM_UTF8 + data.encode() if encoding == "utf-8-sig" else data.encode(encoding)
    )
    return path


def write_xlsx(path, rows, title_row=None, cover_sheet=False):
    workbook = Workbook()
    sheet = workbook.active
    if cover_sheet:
        sheet.title = "说明"
        sheet.append(["本表由网信办维护"])
        sheet = workbook.create_sheet("网站清单")
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_in_each_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "registry.csv", [CHINESE_HEADER, *GOOD_ROWS], encoding)
    result = load_registry(path)
    assert result.errors == [] and result.duplicates == []
    assert [s["name"] for s in result.sites] == ["滨江区人民政府", "滨江社区论坛", "中文域名网站"]
    gov, bbs, idn = result.sites
    assert gov == {
        "id": site_id("http://www.binjiang.gov.cn/"),
        "name": "滨江区人民政府",
        "url": "http://www.binjiang.gov.cn/",
        "domain": "binjiang.gov.cn",
        "icp": "浙ICP备05012345号-1",
        "district": "滨江区",
        "type": "政府",
        "owner": "滨江区政府办",
        "render_js": False,
    }
    assert bbs["url"] == "http://bbs.binjiang.test:8001/" and bbs["render_js"] is True
    assert bbs["domain"] == "bbs.binjiang.test"
    assert idn["url"] == "http://xn--fiqs8sirgfmh.xn--fiqs8s/" and idn["icp"] is None
    assert (
        result.encoding
        == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030"}[encoding]
    )


def test_english_headers_tab_separated(tmp_path):
    rows = [
        ENGLISH_HEADER,
        [
            "City portal",
            "https://city.example.cn/index/",
            "京ICP备12345678号",
            "Downtown",
            "portal",
            "City hall",
            "yes",
        ],
    ]
    result = load_registry(write_csv(tmp_path / "sites.tsv", rows, delimiter="\t"))
    (site,) = result.sites
    assert site["url"] == "https://city.example.cn/index/"
    assert site["render_js"] is True and site["owner"] == "City hall"


def test_domain_column_only_and_title_row_above_header(tmp_path):
    rows = [
        ["XX市网站备案登记表（2024年）"],
        ["网站名称", "域名", "主办单位"],
        ["教育网", "edu.city.cn", "教育局"],
    ]
    result = load_registry(write_csv(tmp_path / "r.csv", rows))
    assert [s["url"] for s in result.sites] == ["http://edu.city.cn/"]


def test_bad_rows_reported_by_line_and_import_keeps_going(tmp_path):
    rows = [
        CHINESE_HEADER,
        GOOD_ROWS[0],
        ["2", "空网址", "", "", "", "", "", ""],  # line 3
        ["3", "FTP站", "ftp://files.city.cn", "", "", "", "", ""],  # line 4
        ["4", "乱码", "not a url", "", "", "", "", ""],  # line 5
        [],  # blank: ignored, not an error
        ["5", "好站", "https://ok.city.cn", "", "", "", "", "也许"],  # line 7: kept, with a warning
    ]
    result = load_registry(write_csv(tmp_path / "r.csv", rows))
    assert [s["name"] for s in result.sites] == ["滨江区人民政府", "好站"]
    assert [(e.line, e.reason.split(" ")[0]) for e in result.errors] == [
        (3, "no"),
        (4, "'ftp://files.city.cn'"),
        (5, "'not"),
    ]
    assert (
        str(result.errors[1])
        == "line 4: 'ftp://files.city.cn' is not a web address (scheme ftp://)"
    )
    assert [w.line for w in result.warnings] == [7]
    assert result.rows == 5


def test_duplicates_by_normalised_url(tmp_path):
    rows = [
        ["网站名称", "网址"],
        ["A", "www.dup.cn"],
        ["A again", "https://dup.cn/"],  # same site: scheme, www. and slash do not matter
        ["A port", "dup.cn:8080"],  # another port is another site
        ["A path", "dup.cn/bbs"],  # so is another path
        ["A upper", "HTTP://WWW.DUP.CN"],
    ]
    result = load_registry(write_csv(tmp_path / "r.csv", rows))
    assert [s["name"] for s in result.sites] == ["A", "A port", "A path"]
    assert [(d.line, d.first_line) for d in result.duplicates] == [(3, 2), (6, 2)]


def test_xlsx_with_cover_sheet_title_row_and_numbers(tmp_path):
    rows = [
        CHINESE_HEADER,
        [
            1,
            "滨江区人民政府",
            "www.binjiang.gov.cn",
            "浙ICP备05012345号-1",
            "滨江区",
            "政府",
            "办公室",
            "否",
        ],
        [2, "坏行", None, None, None, None, None, None],
        [3, "数字名", "n.cn", None, 330108, None, None, True],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, title_row="网站备案登记表", cover_sheet=True)
    result = load_registry(path)
    assert [s["name"] for s in result.sites] == ["滨江区人民政府", "数字名"]
    assert result.sites[1]["district"] == "330108" and result.sites[1]["render_js"] is True
    assert [str(e) for e in result.errors] == ["line 4: no URL (网址/域名 is empty)"]  # sheet row 4


def test_4300_rows(tmp_path):
    rows = [CHINESE_HEADER] + [
        [str(i), f"站点{i}", f"site{i}.city{i % 50}.cn", "", "区", "", "", ""] for i in range(4300)
    ]
    result = load_registry(write_csv(tmp_path / "big.csv", rows))
    assert len(result.sites) == 4300 and not result.errors


def test_unpacks_as_sites_and_errors(tmp_path):
    sites, errors = load_registry(write_csv(tmp_path / "r.csv", [CHINESE_HEADER, *GOOD_ROWS]))
    assert len(sites) == 3 and errors == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "no 网址/域名"),
        ("名称,备注\n甲,乙\n".encode(), "no 网址/域名"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_unusable_files_raise_user_error(tmp_path, content, message):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(WuzhaError, match=message):
        load_registry(path)


def test_missing_file_and_old_xls(tmp_path):
    with pytest.raises(WuzhaError, match="does not exist"):
        load_registry(tmp_path / "nope.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(WuzhaError, match="save it as .xlsx"):
        load_registry(tmp_path / "old.xls")


@pytest.mark.parametrize(
    "raw, url",
    [
        ("www.Example.gov.cn", "http://www.example.gov.cn/"),
        ("ｗｗｗ．ａｂｃ．ｃｎ", "http://www.abc.cn/"),
        ("www.a.gov.cn（已关停）", "http://www.a.gov.cn/"),
        ("https://b.cn:8443/bbs/", "https://b.cn:8443/bbs/"),
        ("b.cn/index.html。", "http://b.cn/index.html"),
        ("127.0.0.1:8001", "http://127.0.0.1:8001/"),
        ("http://中国政府.中国", "http://xn--fiqs8sirgfmh.xn--fiqs8s/"),
    ],
)
def test_normalise_site_url(raw, url):
    assert normalise_site_url(raw) == url


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ftp://x.cn",
        "a..b.cn",
        "http://a.com:99999",
        "1.2.3",
        "-a.cn",
        "javascript:alert(1)",
        "mailto:a@b.cn",
    ],
)
def test_normalise_site_url_rejects(raw):
    with pytest.raises(ValueError):
        normalise_site_url(raw)


@pytest.mark.parametrize(
    "raw, url",
    [
        ("http://[2001:db8::1]:8080/", "http://[2001:db8::1]:8080/"),
        ("[2001:DB8::1]", "http://[2001:db8::1]/"),
        ("https://[::1]/admin", "https://[::1]/admin"),
        ("http://[2001:db8::1]（测试）", "http://[2001:db8::1]/"),
        ("http://[2001:db8::1]", "http://[2001:db8::1]/"),
    ],
)
def test_an_ipv6_literal_is_a_valid_site_url(raw, url):
    assert normalise_site_url(raw) == url


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("http://[2001:db8::zz]/", "'2001:db8::zz' in brackets is not an IPv6 address"),
        ("http://[1.2.3.4]/", "'1.2.3.4' in brackets is not an IPv6 address"),
        ("http://[2001:db8::1/", "the IPv6 address has no closing ]"),
        ("2001:db8::1", "an IPv6 address goes in brackets: http://[2001:db8::1]/"),
        ("http://[2001:db8::1]:99999/", "invalid port"),
    ],
)
def test_a_bad_ipv6_literal_is_refused_with_its_reason(raw, reason):
    with pytest.raises(ValueError, match=re.escape(reason)) as err:
        normalise_site_url(raw)
    assert "has no host" not in str(err.value)


def test_ipv6_rows_in_a_csv_registry_and_the_guard_still_refuses_loopback(tmp_path):
    rows = [
        ["网站名称", "网址"],
        ["六号站", "http://[2606:4700::1111]:8080/"],
        ["本机", "http://[::1]/"],
        ["坏地址", "http://[2001:db8::zz]/"],
    ]
    result = load_registry(write_csv(tmp_path / "r.csv", rows))
    assert [s["url"] for s in result.sites] == ["http://[2606:4700::1111]:8080/", "http://[::1]/"]
    assert [s["domain"] for s in result.sites] == ["2606:4700::1111", "::1"]
    assert [str(e) for e in result.errors] == [
        (
            "line 4: 'http://[2001:db8::zz]/' is not a valid web address "
            "('2001:db8::zz' in brackets is not an IPv6 address)"
        )
    ]
    # Accepted into the registry is not fetched: loopback is still refused at crawl time.
    policy = AddressPolicy()
    assert refusal_for_url(result.sites[0]["url"], policy) == (None, None)
    assert refusal_for_url(result.sites[1]["url"], policy)[0] is not None


@pytest.mark.parametrize(
    "value, flag",
    [
        ("是", True),
        ("否", False),
        ("YES", True),
        ("no", False),
        ("true", True),
        ("0", False),
        ("", False),
        ("也许", None),
    ],
)
def test_parse_flag(value, flag):
    assert parse_flag(value) is flag


@pytest.mark.elasticsearch
def test_cli_dry_run_prints_counts_and_bad_rows(tmp_path, es_isolated_settings, monkeypatch):
    import wuzha.cli.sites as sites_cli
    from wuzha.cli.sites import sites

    monkeypatch.setattr(sites_cli, "get_settings", lambda: es_isolated_settings)  # reads it
    rows = [CHINESE_HEADER, GOOD_ROWS[0], ["2", "坏", "ftp://x.cn", "", "", "", "", ""]]
    path = write_csv(tmp_path / "r.csv", rows)
    outcome = CliRunner().invoke(sites, ["import", str(path), "--dry-run"])
    assert outcome.exit_code == 0, outcome.output
    assert "2 row(s), utf-8 → 1 site(s), 0 duplicate(s), 1 bad row(s)" in outcome.output
    assert "line 3: 'ftp://x.cn' is not a web address" in outcome.output
    assert "nothing written" in outcome.output


def test_cli_without_valid_rows_fails(tmp_path):
    from wuzha.cli.sites import sites

    path = write_csv(
        tmp_path / "r.csv", [CHINESE_HEADER, ["1", "坏", "ftp://x.cn", "", "", "", "", ""]]
    )
    outcome = CliRunner().invoke(sites, ["import", str(path), "--dry-run"])
    assert outcome.exit_code != 0
    assert isinstance(outcome.exception, WuzhaError)


@pytest.mark.elasticsearch
def test_cli_import_stores_sites_and_keeps_review_on_reimport(
    tmp_path, es_isolated_settings, es_url, monkeypatch
):
    es_settings = es_isolated_settings
    from elasticsearch import Elasticsearch

    import wuzha.cli.sites as sites_cli

    monkeypatch.setattr(sites_cli, "get_settings", lambda: es_settings)
    path = write_csv(tmp_path / "r.csv", [CHINESE_HEADER, *GOOD_ROWS, GOOD_ROWS[0]])
    outcome = CliRunner().invoke(sites_cli.sites, ["import", str(path)])
    assert outcome.exit_code == 0, outcome.output
    assert "1 duplicate(s)" in outcome.output and "Imported 3 site(s)" in outcome.output

    client = Elasticsearch(es_url)
    alias = f"{es_settings.index_prefix}-sites"
    client.indices.refresh(index=alias)
    gov_id = site_id("http://www.binjiang.gov.cn/")
    doc = client.get(index=alias, id=gov_id)["_source"]
    assert doc["site"]["name"] == "滨江区人民政府" and doc["review"]["status"] == "new"
    assert client.count(index=alias)["count"] == 3

    # a reviewer decides; the office renames the site and imports again
    client.update(
        index=alias, id=gov_id, doc={"review": {"status": "confirmed", "by": "张三"}}, refresh=True
    )
    renamed = [CHINESE_HEADER, ["1", "滨江区政府门户", *GOOD_ROWS[0][2:]]]
    outcome = CliRunner().invoke(
        sites_cli.sites, ["import", str(write_csv(tmp_path / "r2.csv", renamed))]
    )
    assert outcome.exit_code == 0, outcome.output
    client.indices.refresh(index=alias)
    doc = client.get(index=alias, id=gov_id)["_source"]
    assert doc["site"]["name"] == "滨江区政府门户"
    assert doc["review"] == {"status": "confirmed", "by": "张三"}
    client.close()


def test_a_registry_url_longer_than_the_crawl_cap_is_refused_with_its_row(tmp_path):
    from ground.settings import MAX_URL_CHARS

    huge = "http://long.city.cn/" + "a" * 9980  # 10,000 characters
    rows = [CHINESE_HEADER, GOOD_ROWS[0], ["2", "超长网址", huge, "", "", "", "", ""]]
    result = load_registry(write_csv(tmp_path / "r.csv", rows))
    assert [s["name"] for s in result.sites] == ["滨江区人民政府"]
    assert [str(e) for e in result.errors] == [
        f"line 3: URL longer than {MAX_URL_CHARS} characters (10000)"
    ]


def test_a_site_list_url_longer_than_the_crawl_cap_is_refused(tmp_path):
    from crawler.sitelist import load_sites
    from ground.settings import MAX_URL_CHARS

    path = tmp_path / "sites.jsonl"
    path.write_text(
        '{"url": "http://ok.test/"}\n{"url": "http://long.test/' + "a" * 9983 + '"}\n', "utf-8"
    )
    sites, problems = load_sites(path)
    assert [s["url"] for s in sites] == ["http://ok.test/"]
    assert problems == [f"entry 2: URL longer than {MAX_URL_CHARS} characters (10000)"]


def test_an_ipv6_site_in_a_site_list_gets_its_address_as_domain_and_name(tmp_path):
    from crawler.sitelist import load_sites

    path = tmp_path / "sites.jsonl"
    path.write_text('{"url": "http://[2606:4700::1111]:8080/"}\n', "utf-8")
    (site,), problems = load_sites(path)
    assert problems == []
    assert (site["domain"], site["name"]) == ("2606:4700::1111", "[2606:4700::1111]:8080")


def test_the_url_cap_is_defined_once():
    from ground.settings import MAX_URL_CHARS, Settings

    assert Settings.model_fields["crawl_max_url_length"].default == MAX_URL_CHARS == 2048
    for module in ("crawler/registry.py", "crawler/sitelist.py", "pagemodel/links.py"):
        assert "2048" not in (ROOT / module).read_text("utf-8"), module
