"""A DNS resolver that never hands the downloader a forbidden address.

The SSRF middleware refuses requests before they are queued; this resolver is the backstop at
the moment a connection is made: if a name resolves (or re-resolves, DNS rebinding) to a private,
loopback, link-local or metadata address outside the allow-list, the lookup fails and no
connection is opened. Installed through Scrapy's ``TWISTED_DNS_RESOLVER`` setting.

Scrapy's resolver looks names up with ``gethostbyname`` (IPv4 only) and hands every answer back
as an IPv4 address, so a site registered as ``http://[::1]:8080/`` failed as "DNS lookup failed".
IP literals are answered here without a lookup, in their own family, after the same check.
"""

from __future__ import annotations

from typing import Any

from scrapy.resolver import CachingThreadedResolver, HostResolution
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer

from ground.addresses import AddressPolicy, parse_ip, set_active_policy


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

    def install_on_reactor(self) -> None:
        super().install_on_reactor()
        self.reactor.installNameResolver(LiteralResolver(self.reactor.nameResolver, self.policy))

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        reason = self.policy.refusal_for_text(address)
        if reason:
            raise BlockedAddressError(f"{name} resolves to {address}: {reason}")
        return address


@implementer(IHostnameResolver)
class LiteralResolver:
    """Answers IP literals itself, IPv6 ones as IPv6 (a refused one gets no address, so no
    connection); host names go on to `names`, the reactor's resolver around GuardedResolver."""

    def __init__(self, names: Any, policy: AddressPolicy):
        self.names = names
        self.policy = policy

    def resolveHostName(
        self,
        receiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        address = parse_ip(hostName)
        if address is None:
            return self.names.resolveHostName(
                receiver, hostName, portNumber, addressTypes, transportSemantics
            )
        resolution = HostResolution(hostName)
        receiver.resolutionBegan(resolution)
        if self.policy.refusal(address) is None:
            family = IPv6Address if address.version == 6 else IPv4Address
            receiver.addressResolved(family("TCP", str(address), portNumber))
        receiver.resolutionComplete()
        return resolution
