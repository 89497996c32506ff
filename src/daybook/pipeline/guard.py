"""The SSRF guard: which addresses the fetcher may connect to, and a network
backend that connects only to the address it checked (no DNS rebinding)."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from daybook.errors import BlockedAddress, ConfigError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SHARED_V4 = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"(?=.{{1,254}}$){_LABEL}(\.{_LABEL})*\.?")
_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def _blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be reached, or None when it is a global unicast address.

    ``is_global`` alone is not enough: Python 3.11 calls multicast and some
    IPv6 transition ranges global, so every category is checked by name.
    """
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = _blocked_reason(embedded)
            if reason is not None:
                return f"{reason} (IPv4 {embedded} embedded in IPv6)"
            if ip.ipv4_mapped is not None or ip in _NAT64:
                return None  # these reach exactly the embedded address, which is fine
        if ip in _NAT64_LOCAL:
            return "local-use NAT64"
        if ip.is_site_local:
            return "site-local"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_V4:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or int(ip) >> 32 == 0:  # NAT64 well-known prefix; IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _parse_number(part: str) -> int | None:
    if part[:2].lower() == "0x":
        return int(part[2:], 16) if part[2:] else 0
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(c in "01234567" for c in part) else None
    return int(part)


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read a host the way ``inet_aton`` (and so the system resolver) does.

    Decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1) and short (127.1)
    forms all reach an IPv4 address. A host whose last label is a number is an
    address or nothing, as the WHATWG URL standard says.
    """
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not _NUMBER.fullmatch(labels[-1]):
        return None
    blocked = BlockedAddress(f"{host}: malformed numeric address")
    if len(labels) > 4 or not all(_NUMBER.fullmatch(label) for label in labels):
        raise blocked
    numbers = [_parse_number(label) for label in labels]
    value = 0
    for index, number in enumerate(numbers):
        if number is None:
            raise blocked
        last = index == len(numbers) - 1
        limit = 256 ** (4 - index) if last else 256
        if number >= limit:
            raise blocked
        value += number if last else number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _literal_address(host: str) -> IPAddress | None:
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise BlockedAddress(f"{host}: malformed IPv6 address") from None
    return _legacy_ipv4(host)


def parse_allowed(entry: str) -> tuple[str, int | None]:
    text = entry.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""
    if not host or "/" in host or "@" in host or (port and not port.isdigit()):
        raise ConfigError(f"allowed host {entry!r} is not 'host' or 'host:port'")
    return host.rstrip("."), int(port) if port else None


class AddressGuard:
    """Decides which host:port daybook may connect to, after DNS resolution."""

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self._allowed = frozenset(parse_allowed(entry) for entry in allowed_hosts)

    def is_allowed(self, host: str, port: int) -> bool:
        name = host.lower().rstrip(".")
        return (name, port) in self._allowed or (name, None) in self._allowed

    def check_url(self, url: str) -> httpx.URL:
        """Parse ``url`` and refuse it unless every address of its host may be reached.

        Raises ``BlockedAddress`` for a refused URL, ``FetchError`` for one that
        cannot be parsed, and ``OSError`` when the host does not resolve.
        """
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as exc:  # IDNA and encoding errors too
            # httpx rejects some numeric hosts (0177.0.0.1) that resolvers accept:
            # still say BlockedAddress when they name a refused address.
            self._refuse_numeric_host(url)
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        host = parsed.raw_host.decode("ascii")
        if parsed.scheme not in ("http", "https"):
            raise BlockedAddress(
                f"{host or url}: scheme {parsed.scheme!r} is not http or https", url=url
            )
        if parsed.userinfo:
            raise BlockedAddress(f"{host}: credentials in the URL are refused", url=url)
        if not host:
            raise BlockedAddress(f"{url}: no host", url=url)
        try:
            self.resolve(host, port_of(parsed))
        except BlockedAddress as exc:
            exc.url = url
            raise
        return parsed

    def _refuse_numeric_host(self, url: str) -> None:
        """Say BlockedAddress for a URL httpx cannot parse whose host is a refused address."""
        try:
            host = urlsplit(url).hostname
            literal = _literal_address(host) if host else None
        except ValueError:
            return
        except BlockedAddress as exc:
            exc.url = url
            raise
        reason = _blocked_reason(literal) if literal else None
        if reason is not None:
            raise BlockedAddress(f"{host}: {reason} address", url=url)

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to, each one checked; raise if any is refused.

        Raises ``OSError`` (``socket.gaierror``) when the name does not resolve.
        """
        literal = _literal_address(host.lower())
        if literal is not None:
            addresses = [literal]
        elif _HOSTNAME.fullmatch(host.lower()):
            # bytes: the name is ASCII already, and str would go through the idna codec
            infos = socket.getaddrinfo(host.encode("ascii"), port, type=socket.SOCK_STREAM)
            addresses = list(
                dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
            )
        else:
            raise BlockedAddress(f"{host}: not a valid host name")
        if not self.is_allowed(host, port):
            for address in addresses:
                reason = _blocked_reason(address)
                if reason is not None:
                    shown = host if str(address) == host else f"{host} ({address})"
                    raise BlockedAddress(f"{shown}: {reason} address, not in allowed_hosts")
        return [str(address) for address in addresses]


def port_of(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


class GuardedBackend(httpcore.SyncBackend):
    """An httpcore backend that connects only to addresses the guard validated.

    It resolves the host itself and hands the validated IP literal to the
    standard backend, so no second DNS lookup can rebind the name. TLS still
    runs over the returned stream with the URL's hostname for SNI and the
    certificate check.
    """

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._guard.resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        end = None if timeout is None else time.monotonic() + timeout
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout(f"connecting to {host}:{port} timed out")
            try:
                return super().connect_tcp(address, port, left, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} resolves to no address")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool rebuilt on the guarded backend.

    httpx offers no public hook for the network backend; replacing ``_pool``
    keeps httpx's own request/response and exception mapping intact.
    """

    def __init__(self, guard: AddressGuard) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(guard),
        )
