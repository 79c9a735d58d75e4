"""Extraction cost per page: extract_page vs a bare selectolax parse, measured in the same run.

    python bench/bench_extract.py [--repeat N]

Pages: a ~50 KB portal page (navigation, news lists, article, footer) and a ~50 KB Discuz!
thread page (GBK, 15 posts), both built from tests/pagemodel/sample_data. Also shown for scale:
lxml and BeautifulSoup(lxml) parses of the same HTML. Figures are the best of N runs
(as timeit recommends: other processes on a shared machine only ever add time).
"""

from __future__ import annotations

import argparse
import re
import time
from functools import partial
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser

from pagemodel import extract_page
from pagemodel.encoding import decode_html

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "pagemodel" / "sample_data"
TARGET_CHARS = 50_000


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
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
        base = best_ms(partial(LexborHTMLParser, html), args.repeat)
        ours = best_ms(partial(extract_page, html, url), args.repeat)
        lx = best_ms(partial(lxml.html.fromstring, html), max(20, args.repeat // 4))
        soup = best_ms(partial(BeautifulSoup, html, "lxml"), max(10, args.repeat // 10))
        result = extract_page(html, url)
        size = len(html.encode("utf-8")) / 1024
        print(
            f"{name:<14} {size:4.0f} {base:8.2f}ms {ours:10.2f}ms {ours / base:5.1f}x "
            f"{1000 / ours:8.0f} {lx:5.2f}ms {soup:7.2f}ms {len(result['posts']):5d} "
            f"{len(result['links']):5d}"
        )
    print("ms per page, best of N; ratio = extract_page / bare selectolax parse of the same page;")
    print("pages/s = one core doing nothing but extract_page; lxml and bs4+lxml: parse only")


if __name__ == "__main__":
    main()
