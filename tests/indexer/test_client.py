"""Bad configuration gives a sentence that says what to do, never a traceback."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from ground.errors import WuzhaError
from ground.settings import settings_with
from indexer.client import connect
from indexer.errors import IndexerError


@contextmanager
def answering(status: int):
    """A plain HTTP server on loopback that is not Elasticsearch and answers `status`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>not elasticsearch</html>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _connect(url: str, **extra):
    return connect(settings_with(elasticsearch_url=url, elasticsearch_timeout=5, **extra))


def test_no_elasticsearch_configured(tmp_path):
    settings = settings_with(elasticsearch_url=None, state_dir=tmp_path)
    with pytest.raises(
        WuzhaError, match=r"No Elasticsearch configured: set ELASTICSEARCH_URL or run `wuzha es up`"
    ):
        connect(settings)


def test_connection_refused():
    with pytest.raises(
        IndexerError, match=r"Nothing is listening at http://127.0.0.1:9 .*ELASTICSEARCH_URL"
    ):
        _connect("http://127.0.0.1:9")


@pytest.mark.elasticsearch
def test_https_against_plain_http(es_url):
    port = urlsplit(es_url).port
    with pytest.raises(IndexerError, match=r"does not speak HTTPS.*Use an http:// URL"):
        _connect(f"https://127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (404, r"answered 404 Not Found: it does not look like Elasticsearch"),
        (401, r"rejected the credentials \(HTTP 401\)\. Check ELASTICSEARCH_API_KEY"),
        (403, r"not allowed to do this .*\(HTTP 403\)"),
        (200, r"is not Elasticsearch\. Check ELASTICSEARCH_URL"),
    ],
)
def test_servers_that_are_not_a_usable_elasticsearch(status, sentence):
    with answering(status) as url, pytest.raises(IndexerError, match=sentence):
        _connect(url, elasticsearch_api_key="aWQ6a2V5")


def test_missing_ca_file(tmp_path):
    with pytest.raises(IndexerError, match=r"ELASTICSEARCH_CA_FILE .* does not exist"):
        _connect("https://127.0.0.1:9", elasticsearch_ca_file=tmp_path / "nope.pem")


def test_cli_prints_the_sentence_without_traceback():
    env = dict(os.environ, ELASTICSEARCH_URL="http://127.0.0.1:9")
    proc = subprocess.run(
        [sys.executable, "-c", "from wuzha.cli import main; main()", "es", "setup"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Nothing is listening at http://127.0.0.1:9")
    assert "Traceback" not in proc.stderr + proc.stdout
