"""Golden outputs: extraction is the same, byte for byte, as when the golden file was written.

Speed work on the page model must not change what it extracts. ``golden_extract.json`` holds,
for every page of tests/pagemodel/sample_data (with a URL that selects its path: thread, board,
article), the blocks (kind, text, start, end), main text and title, and a digest of everything
else ``extract_page`` returns (links, posts, forum, meta, ICP, QR images, block metas). For the
real pages of ``../shared/data/real-pages.jsonl.gz`` (never copied into the repository) it holds
only a digest of each page's whole output; that part is skipped where the file is absent.
``main_text`` (the main text alone, for the benchmark) must give ``extract_page``'s text.

A deliberate change of output: regenerate with ``python tests/pagemodel/test_golden.py`` and
say why in the commit.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest

from pagemodel import extract_page, main_text
from pagemodel.encoding import NotHtml, decode_html

HERE = Path(__file__).parent
SAMPLES = HERE / "sample_data"
GOLDEN = HERE / "golden_extract.json"
REAL_PAGES = HERE.parents[2] / "shared" / "data" / "real-pages.jsonl.gz"
NEUTRAL_URL = "http://www.example.test/a/1.html"
# Pages whose path depends on the URL (a board, a thread known by its URL, a site's own links).
URLS = {
    "portal.html": "http://www.binjiang.test:8000/news/2024/0308/1238.html",
    "discuz_thread_gbk.html": "http://bbs.binjiang.test:8001/thread-3456-1-1.html",
    "discuz_board.html": "http://bbs.binjiang.test:8001/forum-12-1.html",
    "phpbb_topic.html": "http://games.test:8002/viewtopic.php?t=815&start=10",
    "phpwind_read.html": "http://bbs.laojie.test:8003/read.php?tid=889&page=1",
    "ads_icp_apk_qr.html": "http://tongcheng.test:8080/jz/1.html",
}


def _canonical(result: dict) -> dict:
    out = dict(result)
    out["blocks"] = [[str(b.kind), b.text, b.start, b.end, b.meta] for b in result["blocks"]]
    return out


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_cases() -> list[tuple[str, str, str | None]]:
    """``(name, url, original_html marker)`` for every sample page, each with its own URL and the
    neutral one; one rendered case (``original_html``: the page without its first paragraph)."""
    cases = []
    for path in sorted(SAMPLES.glob("*.html")):
        cases.append((path.name, NEUTRAL_URL, None))
        if path.name in URLS:
            cases.append((path.name, URLS[path.name], None))
    cases.append(("portal.html", URLS["portal.html"], "rendered"))
    return cases


def sample_record(name: str, url: str, rendered: str | None) -> dict:
    html, _, _ = decode_html((SAMPLES / name).read_bytes(), None)
    original = None
    if rendered:
        start = html.index("<p>")
        original = html[:start] + html[html.index("</p>", start) + 4 :]
    result = _canonical(extract_page(html, url, original_html=original))
    return {
        "title": result["title"],
        "text": result["text"],
        "blocks": [block[:4] for block in result["blocks"]],
        "digest": _digest(result),
    }


def _case_key(name: str, url: str, rendered: str | None) -> str:
    return f"{name} {url}" + (f" {rendered}" if rendered else "")


def real_pages() -> list[tuple[str, str, str]]:
    pages = []
    with gzip.open(REAL_PAGES, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            try:
                html, _, _ = decode_html(base64.b64decode(row["body_b64"]), None)
            except NotHtml:
                continue
            pages.append((row["id"], row.get("url") or NEUTRAL_URL, html))
    return pages


def real_digest(url: str, html: str) -> str:
    return _digest(_canonical(extract_page(html, url)))


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text("utf-8"))


@pytest.mark.parametrize(("name", "url", "rendered"), sample_cases())
def test_sample_page_output_is_unchanged(golden, name, url, rendered):
    want = golden["samples"][_case_key(name, url, rendered)]
    got = sample_record(name, url, rendered)
    assert got["title"] == want["title"]
    assert got["text"] == want["text"]
    assert got["blocks"] == want["blocks"]
    assert got["digest"] == want["digest"]  # links, posts, forum, meta, block metas
    if rendered is None:
        html, _, _ = decode_html((SAMPLES / name).read_bytes(), None)
        assert main_text(html, url) == want["text"]


@pytest.mark.skipif(not REAL_PAGES.exists(), reason="real pages not available here")
def test_real_page_outputs_are_unchanged(golden):
    want = golden["real"]
    changed, text_differs = [], []
    for pid, url, html in real_pages():
        if real_digest(url, html) != want.get(pid):
            changed.append(pid)
        if main_text(html, url) != extract_page(html, url)["text"]:
            text_differs.append(pid)
    assert not changed, f"{len(changed)} real pages extract differently: {changed[:10]}"
    assert not text_differs, f"main_text differs from extract_page's text: {text_differs[:10]}"


def write() -> None:
    samples = {_case_key(*case): sample_record(*case) for case in sample_cases()}
    real = {pid: real_digest(url, html) for pid, url, html in real_pages()}
    GOLDEN.write_text(
        json.dumps({"samples": samples, "real": real}, ensure_ascii=False, indent=1) + "\n",
        "utf-8",
    )
    print(f"wrote {GOLDEN}: {len(samples)} sample cases, {len(real)} real pages", file=sys.stderr)


if __name__ == "__main__":
    write()
