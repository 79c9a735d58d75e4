"""SSRF guard: refuse requests to addresses outside the public internet, before any connection.

Checked for every request that reaches the downloader – spider links, the start URL, robots.txt
and each redirect (the redirect middleware's new request comes back through this chain).
IP literals are checked directly; host names are resolved through the crawl's DNS resolver
(:class:`crawler.resolver.GuardedResolver`, which also refuses them at connection time and
caches the answer the connection then uses). ``WUZHA_ALLOW_PRIVATE`` lists networks that are
allowed anyway (the local farm in tests and the demo).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.middlewares.errors import BlockedRequest
from crawler.resolver import BlockedAddressError
from ground.addresses import AddressPolicy, refusal_for_url, set_active_policy

logger = logging.getLogger(__name__)


class SSRFGuardMiddleware:
    def __init__(self, policy: AddressPolicy, stats: Any = None):
        self.policy = policy
        self.stats = stats
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SSRFGuardMiddleware:
        policy = AddressPolicy.from_cidrs(crawler.settings.getlist("WUZHA_ALLOW_PRIVATE"))
        set_active_policy(policy)
        return cls(policy, crawler.stats)

    async def process_request(self, request: Request) -> None:
        reason, host = refusal_for_url(request.url, self.policy)
        if reason is None and host is not None:
            reason = await self._resolve_and_check(host)
        if reason is not None:
            self._refuse(request, reason)

    async def _resolve_and_check(self, host: str) -> str | None:
        from twisted.internet import reactor

        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))
        except BlockedAddressError as err:
            return str(err)
        except DNSLookupError:
            return None  # the download fails with its own, clearer error
        return self.policy.refusal_for_text(address)  # when another resolver is installed

    def _refuse(self, request: Request, reason: str) -> None:
        if self.stats is not None:
            self.stats.inc_value("ssrf/blocked")
            self.stats.inc_value(f"ssrf/blocked/{reason.split(':')[-1].strip().split(' (')[0]}")
        host = urlsplit(request.url).netloc
        if host not in self._warned:
            self._warned.add(host)
            logger.warning("refused %s: %s", request.url[:200], reason)
        raise BlockedRequest(reason)
