"""The browser side of the crawl: what Chromium may load while it renders a page.

scrapy-playwright calls :func:`abort_request` (setting ``PLAYWRIGHT_ABORT_REQUEST``) for every
request the page makes – the document itself, scripts, XHR/fetch, frames. Images, media and
fonts are never needed to read a page's text, so they are aborted (faster, less memory); a
request to an address the SSRF policy refuses is aborted early and logged with its URL.

This filter is not the guard: it never sees WebSockets, popups or service workers, and Chromium
may open a connection before a request reaches it. The guard is the proxy every browser
connection goes through (crawler.guardproxy, launched by crawler.browserprovider), which
resolves names itself and refuses before connecting.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from ground.addresses import active_policy, refusal_for_host, refusal_for_url

logger = logging.getLogger(__name__)

BLOCKED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
_LOCAL_SCHEMES = ("data:", "blob:", "about:")

# How many browser requests were aborted for safety (read by tests and the progress display).
aborted_for_safety: list[str] = []


async def refusal_for_browser_url(url: str) -> str | None:
    """Why the browser must not load `url`, or None."""
    if url.startswith(_LOCAL_SCHEMES):
        return None
    policy = active_policy()
    reason, host = refusal_for_url(url, policy)
    if reason is not None or host is None:
        return reason
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None  # the browser's own lookup fails the same way
    return refusal_for_host(host, (str(info[4][0]) for info in infos), policy)


async def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: True to abort `request` (a playwright.async_api.Request)."""
    # Safety first, so a refused address is logged even when its resource type is blocked too.
    reason = await refusal_for_browser_url(request.url)
    if reason:
        if len(aborted_for_safety) < 10_000:
            aborted_for_safety.append(request.url)
        logger.warning("browser request refused: %s (%s)", request.url[:200], reason)
        return True
    return request.resource_type in BLOCKED_RESOURCE_TYPES
