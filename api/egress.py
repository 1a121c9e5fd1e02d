"""Where Folio's own outbound requests (webhook deliveries) may go.

A webhook URL names a host; the host is turned into addresses once, every address is checked,
and the request is then sent to the checked address itself, with the name kept in the Host
header and in TLS (SNI and certificate verification). So a name whose DNS answer changes between
the check and the connection (rebinding) cannot reach an address that was never checked.

Refused unless an operator allows the network (``FOLIO_WEBHOOK_ALLOW``): loopback, unspecified,
private (RFC 1918, unique-local fc00::/7), carrier-grade NAT (100.64.0.0/10), link-local
(169.254.0.0/16 with the cloud metadata service, fe80::/10), multicast, reserved and every other
address that is not globally reachable, and IPv6 forms that embed an IPv4 address (IPv4-mapped,
IPv4-compatible, 6to4, NAT64) whatever they embed. Numeric hosts are read the way ``inet_aton``
reads them (``2130706433``, ``0x7f000001``, ``017700000001``, ``127.1`` and ``0`` are all IPv4).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Host name -> the addresses it resolves to (as strings); injectable for tests.
Resolver = Callable[[str, int], Awaitable[list[str]]]

# What inet_aton accepts: one to four parts, each decimal, octal (leading 0) or hex (0x).
_INET_ATON = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)
# Names that stand for this machine or the cloud metadata service, refused without asking DNS.
_LOCAL_NAMES = ("localhost", "metadata.google.internal", "metadata", "instance-data")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_EMBEDDING = ipaddress.ip_network("::/96")  # IPv4-compatible (deprecated) and :: itself


class Refused(Exception):
    """The URL may not be delivered to; ``reason`` says why, in words an admin can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: the address to connect to, and the name to present there."""

    url: httpx.URL  # the URL as registered
    address: Address

    @property
    def pinned_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address (what the socket connects to)."""
        return self.url.copy_with(host=str(self.address))

    @property
    def host_header(self) -> str:
        host = self.url.host if ":" not in self.url.host else f"[{self.url.host}]"
        return host if self.url.port is None else f"{host}:{self.url.port}"


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """CIDRs such as ``10.20.0.0/16``; raises ValueError naming a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=True))
        except ValueError as exc:
            raise ValueError(f"FOLIO_WEBHOOK_ALLOW: {value!r} is not a network ({exc})") from None
    return tuple(networks)


def numeric_host(host: str) -> Address | None:
    """The address a numeric host stands for, in any spelling inet_aton or IPv6 accepts; else None."""
    if _INET_ATON.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None  # "08", "1.2.3.256": not an address; left to DNS, which checks nothing in
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.replace("%25", "%"))
        except ValueError:
            return None
    return None


def refusal(address: Address) -> str | None:
    """Why this address is not a place webhooks go, or None if it is globally reachable."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"{address} is an IPv4-mapped IPv6 address"
        if address.sixtofour is not None or address in _NAT64 or (address in _EMBEDDING and int(address) > 1):
            return f"{address} is an IPv6 address embedding an IPv4 address"
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata lives here)"
    if address in _CGNAT:
        return f"{address} is a carrier-grade NAT address (100.64.0.0/10)"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return f"{address} is a site-local address"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return f"{address} is a unique-local address (fc00::/7)"
    if address.is_private and not address.is_reserved:
        return f"{address} is a private address"
    if address.is_reserved or not address.is_global:
        return f"{address} is a reserved address"
    return None


async def resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for a name (TCP), IPv4 and IPv6 alike."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class EgressPolicy:
    """Checks webhook URLs: at registration, and again before every delivery."""

    def __init__(
        self,
        allow: Sequence[Network] = (),
        *,
        resolver: Resolver = resolve,
        resolve_timeout: float = 5.0,
    ) -> None:
        self.allow = tuple(allow)
        self.resolver = resolver
        self.resolve_timeout = resolve_timeout

    def allowed(self, address: Address) -> bool:
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        return any(address in net or (plain is not None and plain in net) for net in self.allow)

    def check_address(self, address: Address) -> None:
        if self.allowed(address):
            return
        if (reason := refusal(address)) is not None:
            raise Refused(reason + " (FOLIO_WEBHOOK_ALLOW can allow a network)")

    @staticmethod
    def parse(url: str) -> httpx.URL:
        """The URL if its form may be delivered to: http(s), a host, no credentials."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise Refused(f"not a valid URL ({exc})") from None
        if parsed.scheme not in ("http", "https"):
            raise Refused("only http and https URLs are delivered to")
        authority = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
        if parsed.userinfo or "@" in authority:
            raise Refused("credentials in the URL are refused; receivers verify the signature instead")
        if not parsed.host:
            raise Refused("the URL has no host")
        return parsed

    async def check(self, url: str) -> Target:
        """The checked address to deliver to, before a delivery; raises Refused."""
        target = await self._check(url, must_resolve=True)
        assert target is not None
        return target

    async def admit(self, url: str) -> None:
        """Raises Refused for a URL that may not be registered.

        A name that does not resolve yet is admitted: it is checked again, and refused or
        delivered to, at every delivery.
        """
        await self._check(url, must_resolve=False)

    async def _check(self, url: str, *, must_resolve: bool) -> Target | None:
        parsed = self.parse(url)
        host = parsed.host.lower().rstrip(".")
        address = numeric_host(host)
        if address is None:
            if host in _LOCAL_NAMES or host.endswith(".localhost"):
                raise Refused(f"{host} names this machine or the cloud metadata service")
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            try:
                async with asyncio.timeout(self.resolve_timeout):
                    found = await self.resolver(host, port)
            except (OSError, TimeoutError, UnicodeError) as exc:
                if not must_resolve:
                    return None
                raise Refused(f"{host} does not resolve ({type(exc).__name__})") from None
            addresses = [_address(a) for a in found]
            if not addresses:
                if not must_resolve:
                    return None
                raise Refused(f"{host} does not resolve")
            # Every answer is checked, not only the one used: a name with one inside address is refused.
            for each in addresses:
                try:
                    self.check_address(each)
                except Refused as exc:
                    raise Refused(f"{host} resolves to {exc.reason}") from None
            address = addresses[0]
        else:
            self.check_address(address)
        return Target(parsed, address)


def _address(text: str) -> Address:
    return ipaddress.ip_address(text.split("%", 1)[0])
