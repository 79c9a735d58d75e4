"""scrapy-playwright's browser, launched behind the crawl's guard proxy.

``PLAYWRIGHT_BROWSER_PROVIDER`` points here: when the download handler starts, this provider
starts a :class:`~crawler.guardproxy.GuardProxy` on loopback for this crawl and launches
Chromium with every connection sent through it (crawler.chromium.proxy_args); the proxy stops
with the handler. The proxy asks the process's address policy, set by the SSRF middleware from
``WUZHA_ALLOW_PRIVATE`` when the crawl starts.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotSupported
from scrapy_playwright.provider import PlaywrightBrowserProvider

from crawler.chromium import proxy_args
from crawler.guardproxy import GuardProxy


class GuardedBrowserProvider(PlaywrightBrowserProvider):
    def __init__(self, config: Any) -> None:
        if config.cdp_url or config.connect_url:
            raise NotSupported(
                "PLAYWRIGHT_CDP_URL / PLAYWRIGHT_CONNECT_URL: a browser started elsewhere "
                "does not go through the guard proxy; unset them to render pages"
            )
        super().__init__(config)
        self.proxy = GuardProxy()

    async def start(self) -> None:
        port = await self.proxy.start()
        options = self.config.launch_options
        options["args"] = [*options.get("args", ()), *proxy_args(port)]
        await super().start()

    async def launch_persistent_context(self, context_kwargs: dict) -> Any:
        raise NotSupported("persistent browser contexts would bypass the guard proxy")

    async def close(self) -> None:
        await super().close()
        await self.proxy.close()
