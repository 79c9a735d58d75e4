"""`wuzha kibana setup` sends a well-formed saved-objects import to Kibana.

A tiny HTTP server on 127.0.0.1 stands in for Kibana: it records the request and answers the
way Kibana's import API does.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from ground.errors import WuzhaError
from ground.settings import settings_with
from indexer.errors import KibanaUnreachable, KibanaUrlMissing
from indexer.kibana import import_objects, load_objects, object_files


class FakeKibana:
    def __init__(self, status: int = 200, answer: dict | None = None):
        self.requests: list[dict] = []
        self.status = status
        self.answer = answer
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                objects = parts_of(self.headers["Content-Type"], body)["file"][1]
                n = sum(1 for line in objects.splitlines() if line.strip())
                reply = fake.answer or {"success": True, "successCount": n, "successResults": []}
                data = json.dumps(reply).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def parts_of(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """name -> (filename, payload) of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert message.is_multipart()
    out = {}
    for part in message.iter_parts():
        out[part.get_param("name", header="content-disposition")] = (
            part.get_filename(),
            part.get_payload(decode=True),
        )
    return out


@pytest.fixture
def settings():
    return settings_with(
        index_prefix="wuzha",
        elasticsearch_api_key=None,
        elasticsearch_username=None,
        kibana_url=None,
    )


def test_import_request_is_what_kibana_expects(settings):
    with FakeKibana() as kibana:
        result = import_objects(settings, url=kibana.url + "/")
    (req,) = kibana.requests
    split = urlsplit(req["path"])
    assert req["method"] == "POST"
    assert split.path == "/api/saved_objects/_import"
    assert parse_qs(split.query) == {"overwrite": ["true"]}
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["kbn-xsrf"]
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    filename, payload = parts_of(headers["content-type"], req["body"])["file"]
    assert filename.endswith(".ndjson")
    sent = [json.loads(line) for line in payload.decode("utf-8").splitlines()]
    assert sent == load_objects(object_files())
    assert result.success and result.success_count == len(sent) == result.objects


def test_reimport_sends_the_same_objects_with_overwrite(settings):
    with FakeKibana() as kibana:
        import_objects(settings, url=kibana.url)
        import_objects(settings, url=kibana.url)
    first, second = kibana.requests
    ids = lambda r: [
        json.loads(line)["id"]
        for line in parts_of(r["headers"]["Content-Type"], r["body"])["file"][1].splitlines()
    ]
    assert ids(first) == ids(second)
    assert "overwrite=true" in second["path"]


def test_credentials_are_sent(settings):
    with FakeKibana() as kibana:
        import_objects(
            settings.model_copy(update={"elasticsearch_api_key": "a2V5"}), url=kibana.url
        )
        import_objects(
            settings.model_copy(
                update={"elasticsearch_username": "elastic", "elasticsearch_password": "pw"}
            ),
            url=kibana.url,
        )
    auth = [
        {k.lower(): v for k, v in r["headers"].items()}["authorization"] for r in kibana.requests
    ]
    assert auth == ["ApiKey a2V5", "Basic ZWxhc3RpYzpwdw=="]


def test_other_index_prefix_rewrites_data_view_patterns(settings):
    with FakeKibana() as kibana:
        import_objects(settings.model_copy(update={"index_prefix": "city7"}), url=kibana.url)
    req = kibana.requests[0]
    sent = [
        json.loads(x)
        for x in parts_of(req["headers"]["Content-Type"], req["body"])["file"][1].splitlines()
    ]
    titles = sorted(o["attributes"]["title"] for o in sent if o["type"] == "index-pattern")
    assert titles == ["city7-crawls", "city7-hits", "city7-pages", "city7-sites"]


def test_partial_failure_is_reported(settings):
    answer = {
        "success": False,
        "successCount": 12,
        "errors": [
            {"id": "wuzha-dashboard", "type": "dashboard", "error": {"type": "missing_references"}}
        ],
    }
    with FakeKibana(answer=answer) as kibana, pytest.raises(WuzhaError, match="missing_references"):
        import_objects(settings, url=kibana.url)


@pytest.mark.parametrize("status,words", [(401, "credentials"), (404, "Kibana 8.x")])
def test_http_errors_become_sentences(settings, status, words):
    with (
        FakeKibana(status=status, answer={"message": "nope"}) as kibana,
        pytest.raises(WuzhaError, match=words),
    ):
        import_objects(settings, url=kibana.url)


def test_unreachable_kibana_and_missing_url(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(KibanaUnreachable, match="not reachable") as unreachable:
        import_objects(settings, url=f"http://127.0.0.1:{port}")
    assert unreachable.value.url == f"http://127.0.0.1:{port}"
    with pytest.raises(KibanaUrlMissing, match="set KIBANA_URL"):
        import_objects(settings)


def test_cli_setup_prints_a_summary(monkeypatch):
    from ground.settings import get_settings
    from wuzha.cli import cli

    with FakeKibana() as kibana:
        monkeypatch.setenv("KIBANA_URL", kibana.url)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli, ["kibana", "setup"])
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Imported 14 saved objects" in result.output
