"""Extraction: main-text quality and cost on real pages against peer extractors, and the cost of
extract_page on two synthetic pages, measured in the same run.

    python bench/bench_extract.py [--pages FILE] [--truth FILE] [--repeat N] [--synthetic-only]

Real pages (``--pages``, default ``../shared/data/real-pages.jsonl.gz``, read in place): each body
is decoded once with the project's own ``decode_html`` and the same decoded HTML is given to
every tool. Quality is the mean F1 over character bigrams (multiset) of the whitespace-squashed
main text against the hand-made truth: set ``ia`` carries its own (``main_text``); for set
``gne`` a truth file (``--truth``, JSON lines ``{"id", "part", "main_text"}``, kept outside the
repository) gives some pages theirs, ``part`` naming the half they belong to (``dev`` or
``check``). "short" = truth under 300 characters. Time is ms/page (mean over the set of the best
of ``--real-repeat`` runs per page), each tool from the decoded HTML to its text.

``wuzha`` is ``pagemodel.main_text`` (the main text alone, as the peers give theirs);
``wuzha-page`` is ``extract_page``, the whole page model the sweep keeps (the same text, plus
blocks, links, ICP, QR images, posts), for the cost of the rest.

Peers (``pip install -e .[bench]``): trafilatura, readability-lxml, resiliparse; magic-html when
importable. A peer that fails to import is listed as such, not fatal.

Synthetic pages: a ~50 KB portal page (navigation, news lists, article, footer) and a ~50 KB
Discuz! thread page (GBK, 15 posts), both built from tests/pagemodel/sample_data. Also shown for
scale: lxml and BeautifulSoup(lxml) parses of the same HTML. Figures are the best of N runs
(as timeit recommends: other processes on a shared machine only ever add time).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser

from pagemodel import extract_page, main_text
from pagemodel.encoding import NotHtml, decode_html

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "pagemodel" / "sample_data"
REAL_PAGES = ROOT.parent / "shared" / "data" / "real-pages.jsonl.gz"
TARGET_CHARS = 50_000
SHORT_CHARS = 300
NO_URL = "http://example.invalid/"


# --- quality -----------------------------------------------------------------------------------


def bigrams(text: str) -> Counter[str]:
    squashed = " ".join(text.split())
    return Counter(squashed[i : i + 2] for i in range(len(squashed) - 1))


def f1(predicted: str, truth: str) -> tuple[float, float, float]:
    """(precision, recall, F1) over character bigrams (multiset) of whitespace-squashed text."""
    got, want = bigrams(predicted), bigrams(truth)
    common = sum((got & want).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


# --- the tools ---------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "br",
        "pre",
        "blockquote",
        "section",
        "article",
        "dd",
        "dt",
    ]
)


def _lxml_text(fragment: str) -> str:
    """Text of an HTML fragment with a line break at each block boundary."""
    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    parts: list[str] = []
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            parts.append("\n")
        if element.text and isinstance(element.tag, str):
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
    return "".join(parts)


def _wuzha() -> Callable[[str, str], str]:
    return main_text


def _wuzha_page() -> Callable[[str, str], str]:
    return lambda html, url: extract_page(html, url)["text"]


def _trafilatura() -> Callable[[str, str], str]:
    import trafilatura

    return lambda html, url: trafilatura.extract(html, url=url) or ""


def _readability() -> Callable[[str, str], str]:
    from readability import Document

    return lambda html, url: _lxml_text(Document(html, url=url).summary(html_partial=True))


def _resiliparse() -> Callable[[str, str], str]:
    from resiliparse.extract.html2text import extract_plain_text

    return lambda html, url: extract_plain_text(html, main_content=True)


def _magic_html() -> Callable[[str, str], str]:
    from magic_html import GeneralExtractor

    extractor = GeneralExtractor()
    return lambda html, url: _lxml_text(extractor.extract(html, base_url=url)["html"])


TOOLS: dict[str, Callable[[], Callable[[str, str], str]]] = {
    "wuzha": _wuzha,
    "wuzha-page": _wuzha_page,
    "magic-html": _magic_html,
    "trafilatura": _trafilatura,
    "readability-lxml": _readability,
    "resiliparse": _resiliparse,
}


# --- real pages --------------------------------------------------------------------------------


@dataclass
class RealPage:
    id: str
    set: str
    url: str
    html: str
    truth: str | None
    part: str = ""  # "" for ia; "dev"/"check" for gne pages with hand-made truth


@dataclass
class Score:
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)

    def add(self, scores: tuple[float, float, float]) -> None:
        self.precision.append(scores[0])
        self.recall.append(scores[1])
        self.f1.append(scores[2])

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")


def load_pages(path: Path, truth_path: Path | None) -> list[RealPage]:
    truths: dict[str, tuple[str, str]] = {}
    if truth_path is not None and truth_path.exists():
        for line in truth_path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                truths[row["id"]] = (row["main_text"], row.get("part") or "dev")
    pages = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            try:
                html, _, _ = decode_html(base64.b64decode(row["body_b64"]), None)
            except NotHtml:
                continue
            truth, part = row.get("main_text") or None, ""
            if row["id"] in truths:
                truth, part = truths[row["id"]]
            pages.append(
                RealPage(row["id"], row["set"], row.get("url") or NO_URL, html, truth, part)
            )
    return pages


def time_tool(tool: Callable[[str, str], str], page: RealPage, repeat: int) -> tuple[str, float]:
    best = float("inf")
    text = ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = tool(page.html, page.url)
        best = min(best, time.perf_counter() - start)
    return text, best * 1000


def run_real(pages: list[RealPage], repeat: int, names: list[str], dump: Path | None) -> None:
    groups = {
        "ia": lambda p: p.set == "ia",
        "ia short": lambda p: p.set == "ia" and len(p.truth or "") < SHORT_CHARS,
        "gne dev": lambda p: p.set == "gne" and p.part == "dev",
        "gne dev short": lambda p: (
            p.set == "gne" and p.part == "dev" and len(p.truth or "") < SHORT_CHARS
        ),
        "gne check": lambda p: p.set == "gne" and p.part == "check",
    }
    sizes = {name: sum(1 for p in pages if test(p)) for name, test in groups.items()}
    print(
        f"real pages: {len(pages)} ("
        + ", ".join(f"{name} {size}" for name, size in sizes.items())
        + f", gne without truth {sum(1 for p in pages if p.set == 'gne' and not p.part)})"
    )
    header = f"{'tool':<17}" + "".join(f"{name:>15}" for name in groups if sizes[name])
    header += f"{'ia ms/page':>12}{'gne ms/page':>12}{'P ia':>7}{'R ia':>7}"
    print(header)
    outputs: dict[str, dict[str, str]] = {}
    for name in names:
        try:
            tool = TOOLS[name]()
            tool("<html><body><p>warm up</p></body></html>", NO_URL)
        except Exception as err:  # noqa: BLE001 - a peer that cannot run is reported, not fatal
            print(f"{name:<17} not available: {type(err).__name__}: {err}"[:120])
            continue
        scores = {group: Score() for group in groups}
        ms = {"ia": [], "gne": []}
        outputs[name] = {}
        for page in pages:
            try:
                text, elapsed = time_tool(tool, page, repeat)
            except Exception:  # noqa: BLE001 - a peer crashing on a page scores 0 there
                text, elapsed = "", float("nan")
            outputs[name][page.id] = text
            ms[page.set].append(elapsed)
            if page.truth is None:
                continue
            result = f1(text, page.truth)
            for group, test in groups.items():
                if test(page):
                    scores[group].add(result)
        line = f"{name:<17}" + "".join(
            f"{Score.mean(scores[group].f1):>15.3f}" for group in groups if sizes[group]
        )
        line += f"{Score.mean(ms['ia']):>12.1f}{Score.mean(ms['gne']):>12.1f}"
        line += f"{Score.mean(scores['ia'].precision):>7.3f}{Score.mean(scores['ia'].recall):>7.3f}"
        print(line)
    print("F1: mean over pages of character-bigram F1 (whitespace squashed); short: truth <")
    print(f"{SHORT_CHARS} chars; ms/page: mean of each page's best of {repeat}; P/R: ia precision,")
    print("recall. Every tool is given the same decoded HTML. wuzha: main_text (the main text")
    print("alone); wuzha-page: extract_page (the whole page model, the same text).")
    if dump is not None:
        dump.write_text(json.dumps(outputs, ensure_ascii=False), "utf-8")


# --- synthetic pages ---------------------------------------------------------------------------


def portal_page() -> str:
    """The sample portal page grown to ~50 KB with extra news lists and paragraphs, as real
    government portals are (many link lists around one article)."""
    html = (SAMPLES / "portal.html").read_text("utf-8")
    news = "".join(
        f'<li><a href="/news/2024/03{i % 28:02d}/{1000 + i}.html">滨江区召开第{i}次专题工作会议'
        f"部署重点任务</a><span>2024-03-{i % 28 + 1:02d}</span></li>"
        for i in range(40)
    )
    block = (
        f'<div class="column"><div class="title">滨江要闻</div><ul class="list">{news}</ul></div>'
    )
    paragraph = (
        "<p>区委常委会召开会议，研究部署安全生产、民生实事和基层治理等工作，"
        "会议强调要压实责任、狠抓落实，确保各项任务按期完成。</p>"
    )
    while len(html.encode()) < TARGET_CHARS:
        html = html.replace('<div class="related">', block + '<div class="related">', 1)
        article_end = '</div>\n      <div class="share">'
        html = html.replace(article_end, paragraph + article_end, 1)
    return html


def thread_page() -> str:
    """The sample Discuz! thread (GBK bytes) with its posts repeated to ~50 KB, decoded."""
    body = (SAMPLES / "discuz_thread_gbk.html").read_bytes()
    html, _, _ = decode_html(body, "text/html; charset=gbk")
    posts = re.search(r'(<div id="post_10001">.*?)(</div>\n<div class="pgs)', html, re.DOTALL)
    assert posts, "sample thread page lost its post list"
    grown = posts.group(1)
    while len((html + grown).encode("gb18030")) < TARGET_CHARS:
        grown += posts.group(1)
    return html.replace(posts.group(1), grown, 1)


def best_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def run_synthetic(repeat: int) -> None:
    pages = {
        "portal": (portal_page(), "http://www.binjiang.test:8000/news/2024/0308/1238.html"),
        "discuz thread": (thread_page(), "http://bbs.binjiang.test:8001/thread-3456-1-1.html"),
    }
    print(
        f"{'page':<14} {'KB':>4} {'selectolax':>10} {'extract_page':>12} {'ratio':>6} "
        f"{'pages/s':>8} {'lxml':>7} {'bs4+lxml':>9} {'posts':>5} {'links':>5}"
    )
    for name, (html, url) in pages.items():
        extract_page(html, url)  # warm caches (CSS selector compilation)
        base = best_ms(partial(LexborHTMLParser, html), repeat)
        ours = best_ms(partial(extract_page, html, url), repeat)
        lx = best_ms(partial(lxml.html.fromstring, html), max(20, repeat // 4))
        soup = best_ms(partial(BeautifulSoup, html, "lxml"), max(10, repeat // 10))
        result = extract_page(html, url)
        size = len(html.encode("utf-8")) / 1024
        print(
            f"{name:<14} {size:4.0f} {base:8.2f}ms {ours:10.2f}ms {ours / base:5.1f}x "
            f"{1000 / ours:8.0f} {lx:5.2f}ms {soup:7.2f}ms {len(result['posts']):5d} "
            f"{len(result['links']):5d}"
        )
    print("ms per page, best of N; ratio = extract_page / bare selectolax parse of the same page;")
    print("pages/s = one core doing nothing but extract_page; lxml and bs4+lxml: parse only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="runs per synthetic page")
    parser.add_argument("--pages", type=Path, default=REAL_PAGES, help="real pages (JSON lines)")
    parser.add_argument("--truth", type=Path, help="hand-made truth for gne pages (JSON lines)")
    parser.add_argument("--real-repeat", type=int, default=3, help="runs per real page and tool")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tool names")
    parser.add_argument("--dump", type=Path, help="write every tool's text per page (JSON)")
    parser.add_argument("--synthetic-only", action="store_true")
    parser.add_argument("--real-only", action="store_true")
    args = parser.parse_args()
    if not args.synthetic_only:
        if args.pages.exists():
            pages = load_pages(args.pages, args.truth)
            run_real(pages, args.real_repeat, args.tools.split(","), args.dump)
        else:
            print(f"real pages not found at {args.pages}: skipped")
        print()
    if not args.real_only:
        run_synthetic(args.repeat)


if __name__ == "__main__":
    main()
