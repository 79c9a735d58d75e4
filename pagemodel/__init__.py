"""Extraction: from decoded HTML to the fields of a crawled page item.

``extract_page(html, url)`` is the entry point (see :mod:`pagemodel.page`); ``main_text(html,
url)`` is its main text alone, without the work only the other fields need;
``forum_url_info(url)`` tells the spider which forum board/thread a URL is.

Cost: the page is parsed once with selectolax (lexbor, ~0.4 ms for 50 KB); meta, links, ICP and
main text work on that tree, mostly in C. BeautifulSoup (lxml parser) only sees the message
fragments of forum posts, in one parse per page. ``bench/bench_extract.py`` prints ms/page.
"""

from __future__ import annotations

from pagemodel.forum_urls import forum_url_info
from pagemodel.page import extract_page, main_text

__all__ = ["extract_page", "forum_url_info", "main_text"]
