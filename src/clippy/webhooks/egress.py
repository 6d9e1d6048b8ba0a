"""Egress policy for URLs users give us (webhooks): only public addresses, pinned per request.

A webhook URL is the one place a user makes the server open a connection of their choosing,
so it is checked twice: its form when it is saved (``check_url``: http(s), no user name or
password, no internal host name, no literal private address in any spelling that
``inet_aton`` accepts, such as ``2130706433`` or ``127.1``) and its resolved addresses at
every delivery (``resolve``): every address the name has must be public, and the request
then goes to that very address (``pinned_request``), so a name that resolves to a public
address for the check and to a private one a moment later (DNS rebinding) reaches nothing.
An operator allows named hosts or networks (a receiver on the LAN, tests' loopback
receivers) with ``CLIPPY_EGRESS_ALLOW_HOSTS``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from clippy.errors import InvalidInput

__all__ = ["EgressPolicy", "EgressRefused", "PinnedTarget", "check_url", "pinned_request"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]

# Names that reach a machine's own services or the cloud's instance metadata whatever the
# DNS says; refused by name so a resolver that maps them elsewhere cannot be relied upon.
_INTERNAL_NAMES = ("localhost", "metadata", "metadata.google.internal", "instance-data")
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
# NAT64 maps IPv4 into this prefix: 64:ff9b::7f00:1 is 127.0.0.1 on a NAT64 network.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class EgressRefused(InvalidInput):
    """The URL may not be called; the message says why and what to do."""


@dataclass(frozen=True)
class EgressPolicy:
    """Which non-public destinations an operator allows (none by default).

    ``hosts`` are lower-case host names or IP literals allowed as written in the URL;
    ``networks`` allow any resolved address inside them.
    """

    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(default=())

    @classmethod
    def from_setting(cls, value: str) -> EgressPolicy:
        """Parse ``CLIPPY_EGRESS_ALLOW_HOSTS``: comma-separated host names, IPs or CIDRs."""
        hosts: set[str] = set()
        networks = []
        for raw in value.split(","):
            item = raw.strip().lower().strip("[]")
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item)
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        """Whether the operator allowed this host name (or IP literal) as written."""
        return host.lower() in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        """Whether the address is public, or inside a network the operator allowed."""
        if any(address in net for net in self.networks):
            return True
        return _is_public(address)


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour or _nat64(address)
        if mapped is not None:
            return _is_public(mapped)
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in any spelling the resolver
    accepts (``127.1``, ``0x7f.1``, ``2130706433``), or ``None`` for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


_REFUSED = (
    "{what} is not allowed: webhooks may only call public internet addresses, not loopback,"
    " private, link-local or reserved ones (an operator can allow a host with"
    " CLIPPY_EGRESS_ALLOW_HOSTS)"
)


@dataclass(frozen=True)
class PinnedTarget:
    """Where one request goes: the URL's host name for Host and TLS, an address to dial."""

    url: str
    host: str
    address: str


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise EgressRefused(f"{url!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EgressRefused(f"{url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise EgressRefused("a webhook URL cannot contain a user name or password")
    # A trailing dot names the same host ("localhost." is localhost).
    host = parts.hostname.lower().rstrip(".")
    if not host:
        raise EgressRefused(f"{url!r} is not an http(s) URL")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def check_url(url: str, policy: EgressPolicy) -> None:
    """Refuse (``EgressRefused``) a URL that can never be called under ``policy``; the
    addresses a name resolves to are checked at each request (``pinned_request``)."""
    _scheme, host, _port = _split(url)
    if policy.allows_host(host):
        return
    if host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES):
        raise EgressRefused(_REFUSED.format(what=f"the host {host!r}"))
    literal = _literal_address(host)
    if literal is not None and not policy.allows_address(literal):
        raise EgressRefused(_REFUSED.format(what=f"the address {host}"))


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve(url: str, policy: EgressPolicy, resolver: Resolver = _system_resolver) -> PinnedTarget:
    """Check ``url`` and resolve its host once; every address it has must be allowed.

    Raises ``EgressRefused`` when the URL or any of its addresses is refused, or the name
    does not resolve.
    """
    check_url(url, policy)
    _scheme, host, port = _split(url)
    try:
        found = list(dict.fromkeys(resolver(host, port)))
    except (OSError, UnicodeError):
        raise EgressRefused(f"the host {host!r} does not resolve") from None
    if not found:
        raise EgressRefused(f"the host {host!r} does not resolve")
    allowed_name = policy.allows_host(host)
    for raw in found:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
        if not allowed_name and not policy.allows_address(address):
            raise EgressRefused(_REFUSED.format(what=f"the host {host!r}"))
    return PinnedTarget(url=url, host=host, address=found[0].split("%", 1)[0])


def pinned_request(
    client: httpx.Client,
    target: PinnedTarget,
    method: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
) -> httpx.Response:
    """Send one request to the address resolved for ``target`` (never resolving again),
    with the URL's host name in ``Host`` and as the TLS server name; redirects are not
    followed (a 3xx is the receiver's answer)."""
    url = httpx.URL(target.url)
    dial = url.copy_with(host=target.address)
    name = f"[{url.host}]" if ":" in url.host else url.host
    host_header = name if url.port is None else f"{name}:{url.port}"
    return client.request(
        method,
        dial,
        content=content,
        headers={**headers, "Host": host_header},
        timeout=timeout,
        follow_redirects=False,
        extensions={"sni_hostname": target.host},
    )
