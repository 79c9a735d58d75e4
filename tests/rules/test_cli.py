"""`wuzha rules validate|test|scan`, run through click (no subprocess)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from ground.errors import WuzhaError
from tests.rules.conftest import rule, write_pack
from wuzha.cli.rules import rules

SCAM = "招聘刷单员，先垫付，返佣金，加微信 abc123"


@pytest.fixture
def packs(tmp_path):
    examples = {"match": ["刷单有佣金"] * 3, "no_match": ["刷单", "佣金", "无关"]}
    write_pack(tmp_path / "packs", [rule(match={"all": ["刷单", "佣金"]}, examples=examples)])
    return str(tmp_path / "packs")


def run(*args, input=None):
    return CliRunner().invoke(rules, list(args), input=input, catch_exceptions=False)


def test_validate_ok_and_failing(tmp_path, packs) -> None:
    result = run("validate", "--packs", packs)
    assert result.exit_code == 0 and "OK: 1 rules" in result.output
    bad = write_pack(tmp_path / "bad", [rule(match={"regex": "\\d+元"})])
    result = run("validate", "--packs", str(bad))
    assert result.exit_code == 1
    assert "no literal anchor" in result.output and "task_scam.test" in result.output


def test_test_lists_failures(tmp_path, packs) -> None:
    assert run("test", "--packs", packs, "--baseline", str(tmp_path / "none")).exit_code == 0
    failing = write_pack(
        tmp_path / "failing",
        [rule(examples={"match": ["刷单", "刷单", "完全无关"], "no_match": ["刷单", "b", "c"]})],
    )
    result = run("test", "--packs", str(failing), "--baseline", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "must match but did not" in result.output and "must not match but did" in result.output


def test_baseline_hits_fail_unless_accepted(tmp_path, packs) -> None:
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    (baseline / "pages.yaml").write_text(
        "- {id: shop, text: 本店不刷单，佣金透明}\n"
        "- id: accepted\n  text: 刷单有佣金\n"
        "  accepted: [{rule_id: task_scam.test, reason: quoted on purpose}]\n",
        encoding="utf-8",
    )
    result = run("test", "--packs", packs, "--baseline", str(baseline))
    assert result.exit_code == 1
    assert "page shop" in result.output and "accepted" not in result.output


def test_scan_file_and_stdin(tmp_path, packs) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        f"<html><head><title>兼职</title></head><body><p>{SCAM}</p>"
        "<script>刷单</script></body></html>",
        encoding="utf-8",
    )
    result = run("scan", str(page), "--packs", packs)
    assert result.exit_code == 0
    assert (
        "high" in result.output and "task_scam.test" in result.output and "abc123" in result.output
    )
    result = run("scan", "-", "--packs", packs, "--json", input=SCAM)
    data = json.loads(result.output)
    assert data["level"] == "high" and data["hits"][0]["matched"] == ["刷单", "佣金"]


def test_scan_batch(tmp_path, packs) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": 1, "text": SCAM}, ensure_ascii=False)
        + "\n"
        + "not json\n"
        + json.dumps({"id": "b", "text": "今天天气很好"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"text": "no id"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run("scan", "--jsonl", str(source), "--out", str(out), "--packs", packs)
    assert result.exit_code == 0
    assert "line 2 skipped" in result.output and "line 4 skipped" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, "b"]
    assert set(rows[0]) == {"id", "score", "level", "categories", "hits", "entities", "page"}
    assert rows[0]["level"] == "high" and rows[1]["level"] == "none"


def test_scan_refuses_private_addresses_before_connecting(packs) -> None:
    for url in (
        "http://10.0.0.1/",
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://169.254.169.254/",
    ):
        with pytest.raises(
            WuzhaError, match=r"refusing to fetch \S+: (private|loopback|cloud metadata) address"
        ):
            run("scan", url, "--packs", packs)


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        if self.path == "/refresh-header":  # followed by the sweep (Refresh header)
            self._moved(b"<html><body>loading</body></html>", refresh="0; url=/page")
            return
        if self.path == "/meta-refresh":  # and by <meta http-equiv=refresh>
            self._moved(
                b'<html><head><meta http-equiv="refresh" content="0;url=/page"></head></html>'
            )
            return
        if self.path == "/refresh-metadata":
            self._moved(b"", refresh="0; url=http://169.254.169.254/latest/")
            return
        body = f"<html><title>招聘</title><body>{SCAM}</body></html>".encode("gb18030")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=gb18030")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _moved(self, body, refresh=None):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if refresh:
            self.send_header("Refresh", refresh)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("path", ["/refresh-header", "/meta-refresh"])
def test_scan_url_follows_refreshes_as_the_sweep_does(packs, page_server, path) -> None:
    result = run(
        "scan", page_server + path, "--packs", packs, "--allow-private", "127.0.0.1/32", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["level"] == "high"


def test_scan_url_refuses_a_refresh_to_a_forbidden_address(packs, page_server) -> None:
    with pytest.raises(WuzhaError, match=r"refusing to fetch 169\.254\.169\.254"):
        run(
            "scan",
            page_server + "/refresh-metadata",
            "--packs",
            packs,
            "--allow-private",
            "127.0.0.1/32",
        )


def test_scan_url_on_an_allowed_loopback_server(packs) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/redirect"
        result = run("scan", url, "--packs", packs, "--allow-private", "127.0.0.1/32", "--json")
        assert result.exit_code == 0
        assert json.loads(result.output)["level"] == "high"
    finally:
        server.shutdown()


def test_scan_of_a_binary_file_says_so_and_scores_nothing(packs, tmp_path) -> None:
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    with pytest.raises(WuzhaError, match=r"logo\.png is a binary file .*nothing to scan"):
        run("scan", str(png), "--packs", packs)


def test_scan_of_a_file_over_the_size_cap_says_how_to_scan_it(packs, tmp_path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(SCAM * 200, encoding="utf-8")
    with pytest.raises(WuzhaError, match=r"big\.txt is 0\.0 MB, more than --max-bytes 1000.*raise"):
        run("scan", str(big), "--packs", packs, "--max-bytes", "1000")


def test_scan_says_when_only_the_start_of_a_long_text_was_scanned(packs, tmp_path) -> None:
    from rules import load_engine

    limit = load_engine([tmp_path / "packs"]).max_chars
    long = tmp_path / "long.txt"
    long.write_text(SCAM + "今天天气很好。" * (limit // 7 + 10), encoding="utf-8")
    result = run("scan", str(long), "--packs", packs, "--max-bytes", str(10 * limit))
    assert result.exit_code == 0
    assert f"只扫描了前 {limit} 个字符" in result.output
