"""A DNS resolver that never hands the downloader a forbidden address.

The SSRF middleware refuses requests before they are queued; this resolver is the backstop at
the moment a connection is made: if a name resolves (or re-resolves, DNS rebinding) to a private,
loopback, link-local or metadata address outside the allow-list, the lookup fails and no
connection is opened. Installed through Scrapy's ``TWISTED_DNS_RESOLVER`` setting.
"""

from __future__ import annotations

from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from ground.addresses import AddressPolicy, set_active_policy


class BlockedAddressError(DNSLookupError):
    """The name resolved to an address the crawler must not connect to."""


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, filtered by the crawl's :class:`AddressPolicy`."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, policy: AddressPolicy):
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        policy = AddressPolicy.from_cidrs(settings.getlist("WUZHA_ALLOW_PRIVATE"))
        set_active_policy(policy)
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), policy)

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        reason = self.policy.refusal_for_text(address)
        if reason:
            raise BlockedAddressError(f"{name} resolves to {address}: {reason}")
        return address
