"""Render one page outside a sweep (`wuzha rules scan URL --render`) the way the sweep renders it.

Same browser (Debian's Chromium with crawler.chromium's arguments, every connection through a
guard proxy of its own: crawler.guardproxy), same headers, same request filter
(crawler.playwright.abort_request: the address policy, no images/media/fonts), same waits
(``load``, then the network idle for up to 5 s: crawler.render.render_meta), and the server's
HTML kept so that text scripts wrote becomes ``scripted`` blocks; a page that ends on Chromium's
error page is not read (crawler.render.NavigationFailed).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from crawler.chromium import CHROMIUM_ARGS, proxy_args
from crawler.errors import CrawlError
from crawler.fetch import request_headers
from crawler.guardproxy import GuardProxy
from crawler.playwright import abort_request
from crawler.render import NavigationFailed, ServedDocuments, close_popup, settle
from ground.addresses import AddressPolicy, set_active_policy


@dataclass(frozen=True)
class Rendered:
    url: str  # where the browser ended up
    html: str  # the rendered DOM
    served: tuple[bytes, str | None] | None  # the server's HTML and its content type


def render(url: str, *, policy: AddressPolicy, chromium: Path, timeout: float = 15.0) -> Rendered:
    """Render ``url`` in headless Chromium; browser errors become a CrawlError sentence."""
    try:
        return asyncio.run(_render(url, policy, chromium, timeout))
    except CrawlError:
        raise
    except NavigationFailed as err:
        raise CrawlError(f"cannot read {url}: {err}") from None
    except Exception as err:  # noqa: BLE001 - Playwright's errors, said once, plainly
        raise CrawlError(f"cannot render {url} in Chromium ({chromium}): {err}") from None


async def _render(url: str, policy: AddressPolicy, chromium: Path, timeout: float) -> Rendered:
    from playwright.async_api import async_playwright

    if not chromium.exists():
        raise CrawlError(f"Chromium is not at {chromium}: install it (apt-get install chromium)")
    set_active_policy(policy)  # the request filter asks the process's policy, as in the sweep
    headers = request_headers()
    served = ServedDocuments()
    proxy = GuardProxy()
    try:
        args = [*CHROMIUM_ARGS, *proxy_args(await proxy.start())]
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), headless=True, args=args
            )
            try:
                context = await browser.new_context(
                    user_agent=headers.pop("User-Agent"), extra_http_headers=headers
                )
                page = await context.new_page()

                async def route(route, request) -> None:
                    if await abort_request(request):
                        await route.abort()
                    else:
                        await route.continue_()

                await page.route("**", route)
                page.on("response", served.keep)
                page.on("popup", close_popup)
                await page.goto(url, wait_until="load", timeout=timeout * 1000)
                await settle(page)
                html = await page.content()
                final = page.url
            finally:
                await browser.close()
    finally:  # also when Chromium does not start
        await proxy.close()
    return Rendered(final, html, served.take(final))
