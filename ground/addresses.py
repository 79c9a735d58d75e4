"""Which IP addresses the crawler may connect to (the core of the SSRF guard).

A registered site's DNS name may point (by mistake or on purpose) at the office's own network,
at loopback, or at a cloud metadata service; a redirect may lead there too. Everything outside
the public internet is refused unless an operator explicitly allows a network (tests and the
demo allow ``127.0.0.0/8`` to reach the local site farm).

Pure functions and one small policy object: the DNS resolver, the downloader middleware and the
browser's request filter all ask the same :class:`AddressPolicy`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints get their own reason: the classic SSRF target.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, Alibaba (ECS), Tencent
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
}
# Carrier-grade NAT is not flagged `is_private` by the standard library.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# NAT64 well-known prefix: 64:ff9b::a.b.c.d reaches the IPv4 address a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_6TO4 = ipaddress.ip_network("2002::/16")


def parse_ip(text: str) -> IPAddress | None:
    """The IP address written in `text` (brackets and IPv6 zone ids allowed), else None."""
    value = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address really reaches (mapped, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def forbidden_reason(address: IPAddress) -> str | None:
    """Why `address` is not on the public internet (a short reason), or None when it is."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = forbidden_reason(inner)
        return f"{reason} (IPv6-embedded {inner})" if reason else None
    if address in _METADATA:
        return "cloud metadata address"
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_multicast:
        return "multicast address"
    if address.is_unspecified:
        return "unspecified address"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "carrier-grade NAT address"
    if address.is_reserved:
        return "reserved address"
    if address.is_private:  # RFC 1918, unique-local fc00::/7, and the special-purpose blocks
        return "private address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local address"
    if not address.is_global:
        return "non-global address"
    return None


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from CIDR strings ("127.0.0.0/8", "::1/128", a bare address); ValueError if bad."""
    networks = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as err:
            raise ValueError(f"not a network in CIDR form (like 127.0.0.0/8): {text!r}") from err
    return tuple(networks)


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses are allowed; anything else only inside an explicitly allowed network."""

    allowed: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> AddressPolicy:
        return cls(parse_networks(cidrs))

    def refusal(self, address: IPAddress) -> str | None:
        """Why a connection to `address` is refused, or None when it may go ahead."""
        reason = forbidden_reason(address)
        if reason is None:
            return None
        candidates = [address]
        inner = embedded_ipv4(address)
        if inner is not None:
            candidates.append(inner)
        for net in self.allowed:
            if any(c.version == net.version and c in net for c in candidates):
                return None
        return reason

    def refusal_for_text(self, text: str) -> str | None:
        """Like :meth:`refusal` for an address in text form; unparsable text is refused."""
        address = parse_ip(text)
        if address is None:
            return f"not an IP address: {text!r}"
        return self.refusal(address)


ALLOWED_SCHEMES = ("http", "https")


def refusal_for_url(url: str, policy: AddressPolicy) -> tuple[str | None, str | None]:
    """(reason to refuse, host to resolve): a decision for IP literals and bad schemes, else the
    host name that still needs a DNS lookup."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not fetched", None
    host = parts.hostname or ""
    if not host:
        return "URL has no host", None
    address = parse_ip(host)
    if address is not None:
        return policy.refusal(address), None
    return None, host.rstrip(".").lower()


def refusal_for_host(host: str, addresses: Iterable[str], policy: AddressPolicy) -> str | None:
    """Why `host` must not be fetched, given every address it resolves to (one refused answer
    is enough: the connection could go to any of them), or None."""
    for address in addresses:
        refused = policy.refusal_for_text(address)
        if refused:
            return f"{host} resolves to {address}: {refused}"
    return None


# The policy of this process. The DNS resolver is installed once per process (on the reactor),
# so the policy is process-wide too; the crawler sets it when it starts.
_active = AddressPolicy()


def set_active_policy(policy: AddressPolicy) -> None:
    global _active
    _active = policy


def active_policy() -> AddressPolicy:
    return _active
