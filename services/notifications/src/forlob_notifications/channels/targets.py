"""Where a webhook may connect: a partner's public address, never this network's own.

A URL is checked when it is registered, but a host name can be made to resolve to anything
afterwards (or between two lookups: DNS rebinding). So the name is resolved when the connection
is made, every address it resolves to is checked, and the connection goes to the checked
address itself: the network backend below is the only place httpx opens a TCP connection, so
there is no second lookup that could answer differently. TLS still verifies the certificate
against the host name of the URL (httpcore passes the name as SNI; only the TCP connect uses
the address).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses to connect to, in order of preference
Resolver = Callable[[str, int], Awaitable[list[str]]]

# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits: 64:ff9b::10.0.0.5 is 10.0.0.5.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class RefusedTarget(Exception):
    """A webhook's host resolves to an address it must not reach; no connection was made."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} resolves to {address}, a {kind} address: webhooks only go to public addresses")
        self.host = host
        self.address = address
        self.kind = kind


def _translated_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:a.b.c.d) and NAT64
    (64:ff9b::a.b.c.d) reach exactly that IPv4 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address) -> str | None:
    """Why a webhook must not go to this address (a word for the record), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        translated = _translated_ipv4(address)
        if translated is not None:
            return refusal(translated)
        # 6to4 (2002::/16) routes to the IPv4 address inside it; Teredo (2001::/32) is not
        # global and is refused below.
        if address.sixtofour is not None and (kind := refusal(address.sixtofour)) is not None:
            return kind
        if address in _NAT64_LOCAL:
            return "private"
    # The order matters only for the word: 127.0.0.1 is private too, but "loopback" says more.
    checks: tuple[tuple[str, bool], ...] = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        # What is left and not globally reachable (100.64.0.0/10 shared address space, ...).
        ("non-public", not address.is_global),
    )
    for kind, applies in checks:
        if applies:
            return kind
    return None


async def resolve(host: str, port: int) -> list[str]:
    """The system resolver, without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, resolved: Iterable[str], *, allow_private: bool) -> list[str]:
    """Every resolved address is checked: a name answering with one public and one private
    address would otherwise reach the private one on a retry or through the happy-eyeballs order."""
    addresses = []
    for text in resolved:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id is not part of the address
        kind = refusal(address)
        if kind is not None and not allow_private:
            raise RefusedTarget(host, text, kind)  # as resolved (Python shows ::ffff:7f00:1)
        addresses.append(text)
    if not addresses:
        raise httpcore.ConnectError(f"{host} resolves to no address")
    return addresses


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, and connects to the checked address (never to the name)."""

    def __init__(
        self, resolver: Resolver, *, allow_private: bool, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.resolver = resolver
        self.allow_private = allow_private
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            literal: Address | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            resolved = [str(literal)]
        else:
            try:
                resolved = await asyncio.wait_for(self.resolver(host, port), timeout)
            except (OSError, TimeoutError) as exc:
                raise httpcore.ConnectError(f"{host} could not be resolved: {exc!r}"[:300]) from exc
        last: Exception | None = None
        for address in checked_addresses(host, resolved, allow_private=self.allow_private):
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # the next address of the same name, as a browser would
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def checked_transport(
    resolver: Resolver = resolve, *, allow_private: bool, inner: httpcore.AsyncNetworkBackend | None = None
) -> httpx.AsyncHTTPTransport:
    """httpx's own transport on a connection pool whose every TCP connection goes through
    :class:`CheckedBackend`. httpx takes no network backend, so the pool is replaced after
    construction; the tests of the refused targets fail if this ever stops taking effect."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)  # no proxy from the environment
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)  # httpx's
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=CheckedBackend(resolver, allow_private=allow_private, inner=inner),
    )
    return transport
