"""Which addresses journal may connect to: public ones, unless the settings say otherwise.

An address is public when it is globally reachable, and so is the IPv4 address it may
carry (IPv4-mapped, NAT64, 6to4, Teredo): `64:ff9b::7f00:1` is loopback by another name.
A host spelled as a number (`2130706433`, `0177.0.0.1`, `127.1`) is the address the
resolver would make of it, and is refused in any spelling but the usual one, which
the HTTP client would read differently.
"""

from __future__ import annotations

import ipaddress
import re
import socket


class BlockedAddress(Exception):
    """A connection to an address that the settings do not allow."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: reaches the IPv4 internet
# Other blocks that carry an IPv4 address in their last 32 bits and are never public:
# IPv4-translated (RFC 2765), IPv4-compatible (::a.b.c.d, deprecated), local NAT64.
_EMBEDDING = tuple(ipaddress.IPv6Network(n) for n in ("::ffff:0:0:0/96", "::/96", "64:ff9b:1::/48"))


def is_public(address: str) -> bool:
    """Whether an address is globally reachable: itself, and the IPv4 address that it
    carries (mapped, NAT64, 6to4, Teredo), since a connection to it may end there."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _global(ip)
    if ip.ipv4_mapped is not None:
        return _global(ip.ipv4_mapped)
    if any(ip in net for net in _EMBEDDING):
        return False
    inside = list(ip.teredo or ())
    if ip.sixtofour is not None:
        inside.append(ip.sixtofour)
    if ip in _NAT64:
        inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return _global(ip) and all(_global(v4) for v4 in inside)


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def numeric_host(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names when it is one, in any spelling a resolver accepts:
    `[::1]`, `127.0.0.1`, and the older forms `2130706433`, `0177.0.0.1`, `127.1`, `0x7f.1`."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        pass
    if not _NUMERIC.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        return None


_NUMERIC = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?", re.I)


class Guard:
    """Which addresses may be connected to: public ones, or any with `allow_private`,
    or those in the allowed networks."""

    def __init__(self, allow_private: bool, networks: tuple[str, ...] = ()):
        self.allow_private = allow_private
        self.networks = [ipaddress.ip_network(n, strict=False) for n in networks]
        self._names: set[str] = set()  # hosts known to be names, not addresses

    def allowed(self, address: str) -> bool:
        if self.allow_private or is_public(address):
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip in net for net in self.networks)

    def check_literal(self, host: str) -> None:
        """A URL whose host is an IP address is never resolved: check it here. An address
        spelled as a number other than dotted quad is refused whatever the settings:
        the HTTP client would not read it as the resolver does."""
        if host in self._names:
            return
        ip = numeric_host(host)
        if ip is None:
            self._names.add(host)
            return
        if not self.allowed(str(ip)):
            raise BlockedAddress(private_message(host, str(ip)))
        if isinstance(ip, ipaddress.IPv4Address) and host.rstrip(".") != str(ip):
            raise BlockedAddress(f"{host} is the address {ip} spelled as a number; use {ip} in the URL")


def private_message(host: str, address: str) -> str:
    return f"{host} is a private or loopback address ({address}); set allow_private = true in [fetch] to allow it"
