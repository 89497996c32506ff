"""The one way daybook reaches the web: a guarded, capped, polite HTTP fetcher.

Everything fetched is hostile until proven otherwise, so the fetcher:

- never opens a TCP connection to a non-global address (loopback, private,
  link-local, ...) unless the operator listed the host in ``allowed_hosts``.
  URLs are checked on every redirect hop, and the httpcore network backend
  resolves, validates and connects to the exact IP it validated, so a DNS
  answer that changes between check and connect (rebinding) gains nothing;
- caps connect, read and total time, redirects, and the body size *after*
  decompression, inflating in bounded steps so a compression bomb is refused
  in bounded memory;
- is polite: per-host concurrency and spacing, robots.txt, Retry-After;
- turns every third-party failure into a ``FetchError`` subclass.
"""

from __future__ import annotations

import codecs
import ipaddress
import logging
import random
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any, Protocol, TypeGuard
from urllib.parse import urlsplit

import brotli
import charset_normalizer
import httpcore
import httpx
from protego import Protego

from daybook import __version__
from daybook.errors import (
    BlockedAddress,
    ConfigError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RetryLater,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
)
from daybook.pipeline.types import FetchResult, Validators

log = logging.getLogger("daybook.fetch")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Decompressors never emit more than this per call, so memory stays bounded
# however dense the compressed input is.
_INFLATE_STEP = 64 * 1024
_ROBOTS_MAX_BYTES = 512 * 1024  # what Google reads of a robots.txt
_SNIFF_BYTES = 4096
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TRANSIENT_STATUSES = frozenset({502, 503, 504})
_TRANSIENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError)

_SHARED_V4 = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"(?=.{{1,254}}$){_LABEL}(\.{_LABEL})*\.?")
_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = f"daybook/{__version__} (+https://github.com/daybook/daybook)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 5 * 1024 * 1024  # body cap AFTER decompression
    max_redirects: int = 5
    allowed_hosts: frozenset[str] = frozenset()  # "host" or "host:port" allowed even if private
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # min seconds between request starts to one host
    respect_robots: bool = True
    retries: int = 2  # extra attempts for transient errors
    backoff_base: float = 0.5  # exponential backoff with full jitter
    max_retry_after: float = 30.0  # sleep up to this for Retry-After; longer -> RetryLater

    def validate(self) -> None:
        """Refuse values that would silently disable a cap or hang the fetcher."""
        positive = {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "total_timeout": self.total_timeout,
            "max_bytes": self.max_bytes,
            "per_host_concurrency": self.per_host_concurrency,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"fetch {name} must be positive, not {value!r}")
        not_negative = {
            "max_redirects": self.max_redirects,
            "per_host_delay": self.per_host_delay,
            "retries": self.retries,
            "backoff_base": self.backoff_base,
            "max_retry_after": self.max_retry_after,
        }
        for name, value in not_negative.items():
            if value < 0:
                raise ConfigError(f"fetch {name} must not be negative, not {value!r}")
        for entry in self.allowed_hosts:
            _parse_allowed(entry)


# --- the address guard ------------------------------------------------------------


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


def _parse_allowed(entry: str) -> tuple[str, int | None]:
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
        self._allowed = frozenset(_parse_allowed(entry) for entry in allowed_hosts)

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
            self.resolve(host, _port(parsed))
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


def _port(url: httpx.URL) -> int:
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


class _GuardedTransport(httpx.HTTPTransport):
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


# --- bounded decompression ---------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._head = b""  # deflate: wait for two bytes to tell zlib from raw
        self._inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self._tail = b""  # gzip: bytes after a member, until we know if a new one starts

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while True:
            if self._inflater.eof:
                following = self._next_member(data)
                if following is None:
                    return
                data = following
            out: bytes = self._inflater.decompress(data, _INFLATE_STEP)
            if out:
                yield out
            if self._inflater.eof:
                data = self._inflater.unused_data
                continue
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _INFLATE_STEP:
                return  # input used up and nothing left pending inside zlib

    def _next_member(self, data: bytes) -> bytes | None:
        """After a gzip member ends: the next member's bytes, or None to stop for now.

        Bytes that do not start a new member (padding, junk) are ignored, as
        browsers do.
        """
        if not self._gzip:
            return None
        self._tail += data
        if len(self._tail) < 2:
            return None
        if self._tail[:2] != b"\x1f\x8b":
            self._gzip = False
            return None
        following, self._tail = self._tail, b""
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return following

    def flush(self) -> Iterator[bytes]:
        if self._inflater is not None and not self._inflater.eof:
            out: bytes = self._inflater.flush()
            if out:
                yield out


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor: Any = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        out: bytes = self._decompressor.process(data, output_buffer_limit=_INFLATE_STEP)
        if out:
            yield out
        while not self._decompressor.can_accept_more_data():
            out = self._decompressor.process(b"", output_buffer_limit=_INFLATE_STEP)
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _decoders(content_encoding: str | None, url: str) -> list[_Decoder]:
    """Decoders in the order to apply them (the reverse of the header's order)."""
    decoders: list[_Decoder] = []
    for coding in (content_encoding or "").lower().split(","):
        name = coding.strip()
        if name in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(gzip=True))
        elif name == "deflate":
            decoders.append(_ZlibDecoder(gzip=False))
        elif name == "br":
            decoders.append(_BrotliDecoder())
        elif name not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding {name!r}", url=url)
    return decoders[::-1]


def _through(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    for piece in decoders[0].decode(data):
        yield from _through(decoders[1:], piece)


def _flushed(decoders: list[_Decoder]) -> Iterator[bytes]:
    for index, decoder in enumerate(decoders):
        for piece in decoder.flush():
            yield from _through(decoders[index + 1 :], piece)


# --- charset -------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_TEXT_SUBTYPES = ("xml", "json", "javascript", "ecmascript", "html", "csv", "x-www-form-urlencoded")


def _codec(label: str | bytes, *, in_document: bool = False) -> str | None:
    name = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    if codec == "iso8859-1":
        return "cp1252"  # WHATWG: latin-1 labels mean windows-1252 on the web
    if in_document and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a document that could state it in ASCII is not UTF-16
    return codec


def _is_text(media_type: str | None) -> bool:
    if media_type is None or media_type.startswith("text/"):
        return True
    major, _, subtype = media_type.partition("/")
    return major == "application" and any(word in subtype for word in _TEXT_SUBTYPES)


def _declared_encoding(content: bytes, content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    if match and (codec := _codec(match.group(1))):
        return codec
    head = content[:_SNIFF_BYTES]
    for pattern in (_XML_DECLARATION, _META_CHARSET):
        found = pattern.search(head)
        if found and (codec := _codec(found.group(1), in_document=True)):
            return codec
    return None


def _decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decide_encoding(content: bytes, content_type: str | None) -> str | None:
    """The codec that decodes ``content``: BOM, then declarations, then detection.

    A declaration that fails to decode the body strictly is a lie (common on
    old CMSes); charset-normalizer then guesses from the bytes.
    """
    if not _is_text(_media_type(content_type)):
        return None
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec
    candidate = _declared_encoding(content, content_type) or "utf-8"
    if _decodes(content, candidate):
        return candidate
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and (detected := _codec(best.encoding)):
        return detected
    return candidate


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


# --- the fetcher ---------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def check(self, url: str) -> None:
        if self.remaining() <= 0:
            raise FetchTimeout(f"total time cap of {self.seconds}s reached", url=url)


@dataclass(frozen=True)
class _Redirect:
    location: str


class _WaitRequested(Exception):
    """429/503 with a Retry-After: the retry loop decides whether to wait."""

    def __init__(self, status: int, seconds: float) -> None:
        super().__init__(f"HTTP {status}, Retry-After {seconds:g}s")
        self.status = status
        self.seconds = seconds


class _TransientStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _sendable(value: str | None) -> TypeGuard[str]:
    """A stored validator we can send back: a hostile server may have sent any bytes."""
    return value is not None and value != "" and value.isascii() and value.isprintable()


def _wrap(exc: Exception, url: str) -> FetchError:
    """The FetchError that stands for a third-party or internal failure."""
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"{type(exc).__name__}: {exc}", url=url)
    if isinstance(exc, _TransientStatus | _WaitRequested):
        return HTTPStatusError(f"HTTP {exc.status}", url=url, status=exc.status)
    return FetchError(f"{type(exc).__name__}: {exc}", url=url)


class Fetcher:
    """Fetches URLs safely; one instance is shared by the threads of a service."""

    def __init__(self, config: FetchConfig | None = None) -> None:
        self._config = config or FetchConfig()
        self._config.validate()
        self._guard = AddressGuard(self._config.allowed_hosts)
        # Cookies would leak state between feeds and threads: refuse them all.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.Client(
            transport=_GuardedTransport(self._guard),
            trust_env=False,
            follow_redirects=False,
            cookies=no_cookies,
            headers={"User-Agent": self._config.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        )
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, *, validators: Validators | None = None, accept: str | None = None
    ) -> FetchResult:
        """GET ``url`` within every cap; raise a ``FetchError`` subclass on any failure.

        ``FetchResult.content_type`` is the bare media type ("text/html").
        """
        headers = {"Accept": accept or "*/*"}
        if validators is not None and _sendable(validators.etag):
            headers["If-None-Match"] = validators.etag
        if validators is not None and _sendable(validators.last_modified):
            headers["If-Modified-Since"] = validators.last_modified
        deadline = _Deadline(self._config.total_timeout)
        result = self._follow(
            url, headers, deadline, self._config.max_bytes, robots=self._config.respect_robots
        )
        if result.not_modified and validators is not None:
            # Keep what the caller stored when a 304 does not repeat it.
            kept = Validators(
                etag=result.validators.etag or validators.etag,
                last_modified=result.validators.last_modified or validators.last_modified,
            )
            result = replace(result, validators=kept)
        return result

    def _follow(
        self,
        url: str,
        headers: dict[str, str],
        deadline: _Deadline,
        max_bytes: int,
        *,
        robots: bool,
    ) -> FetchResult:
        current = url
        for _ in range(self._config.max_redirects + 1):
            outcome = self._with_retries(current, headers, deadline, max_bytes, robots=robots)
            if isinstance(outcome, FetchResult):
                return outcome
            log.debug("redirect", extra={"url": current, "location": outcome.location})
            current = outcome.location
        raise TooManyRedirects(
            f"more than {self._config.max_redirects} redirects from {url}", url=current
        )

    def _with_retries(
        self,
        url: str,
        headers: dict[str, str],
        deadline: _Deadline,
        max_bytes: int,
        *,
        robots: bool,
    ) -> FetchResult | _Redirect:
        attempt = 0
        while True:
            try:
                return self._attempt(url, headers, deadline, max_bytes, robots=robots)
            except _WaitRequested as wait:
                if (
                    wait.seconds > self._config.max_retry_after
                    or wait.seconds >= deadline.remaining()
                    or attempt >= self._config.retries
                ):
                    raise RetryLater(f"{url}: {wait}", url=url, retry_after=wait.seconds) from None
                pause = wait.seconds
            except (_TransientStatus, *_TRANSIENT_ERRORS) as exc:
                pause = random.uniform(0, self._config.backoff_base * 2**attempt)
                if attempt >= self._config.retries or pause >= deadline.remaining():
                    raise _wrap(exc, url) from exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                raise _wrap(exc, url) from exc
            attempt += 1
            log.warning(
                "retrying", extra={"url": url, "attempt": attempt, "pause": round(pause, 3)}
            )
            time.sleep(pause)

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        deadline: _Deadline,
        max_bytes: int,
        *,
        robots: bool,
    ) -> FetchResult | _Redirect:
        deadline.check(url)
        parsed = self._check(url)
        host_key = f"{parsed.raw_host.decode('ascii')}:{_port(parsed)}"
        if robots and parsed.path != "/robots.txt" and not self._robots_allow(parsed, deadline):
            raise RobotsDisallowed(f"robots.txt of {parsed.host} forbids {url}", url=url)
        remaining = deadline.remaining()
        timeout = httpx.Timeout(
            connect=min(self._config.connect_timeout, remaining),
            read=min(self._config.read_timeout, remaining),
            write=min(self._config.read_timeout, remaining),
            pool=remaining,
        )
        request = self._client.build_request("GET", parsed, headers=headers, timeout=timeout)
        with self._polite(host_key, deadline, url):
            try:
                response = self._client.send(request, stream=True)
            except BlockedAddress as exc:  # the backend's check: DNS changed since ours
                exc.url = url
                raise
            try:
                return self._handle(parsed, response, deadline, max_bytes)
            finally:
                response.close()

    def _check(self, url: str) -> httpx.URL:
        try:
            return self._guard.check_url(url)
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve the host of {url}: {exc}") from exc

    def _handle(
        self, url: httpx.URL, response: httpx.Response, deadline: _Deadline, max_bytes: int
    ) -> FetchResult | _Redirect:
        status = response.status_code
        location = response.headers.get("location")
        if status in _REDIRECTS and location:
            try:
                return _Redirect(str(url.join(location)))
            except (httpx.InvalidURL, ValueError) as exc:  # IDNA and encoding errors too
                raise FetchError(f"bad redirect location {location!r}", url=str(url)) from exc
        if status in (429, 503):
            seconds = _retry_after(response.headers.get("retry-after"))
            if seconds is not None:
                raise _WaitRequested(status, seconds)
        if status in _TRANSIENT_STATUSES:
            raise _TransientStatus(status)
        validators = Validators(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        content_type = response.headers.get("content-type")
        if status == 304:
            return FetchResult(
                url=str(url),
                status=status,
                content_type=_media_type(content_type),
                content=b"",
                encoding=None,
                validators=validators,
                not_modified=True,
            )
        if not 200 <= status < 300:
            raise HTTPStatusError(f"HTTP {status} from {url}", url=str(url), status=status)
        content = self._read(str(url), response, deadline, max_bytes)
        log.debug("fetched", extra={"url": str(url), "status": status, "size": len(content)})
        return FetchResult(
            url=str(url),
            status=status,
            content_type=_media_type(content_type),
            content=content,
            encoding=decide_encoding(content, content_type),
            validators=validators,
        )

    def _read(
        self, url: str, response: httpx.Response, deadline: _Deadline, max_bytes: int
    ) -> bytes:
        too_large = TooLarge(f"body larger than {max_bytes} bytes", url=url)
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        decoders = _decoders(response.headers.get("content-encoding"), url)
        body = bytearray()
        received = 0
        try:
            for chunk in response.iter_raw():
                deadline.check(url)
                received += len(chunk)
                if received > max_bytes:
                    raise too_large
                for piece in _through(decoders, chunk):
                    body += piece
                    if len(body) > max_bytes:
                        raise too_large
                    deadline.check(url)
            for piece in _flushed(decoders):
                body += piece
                if len(body) > max_bytes:
                    raise too_large
        except (zlib.error, brotli.error) as exc:
            encoding = response.headers.get("content-encoding")
            raise FetchError(f"body does not decode as {encoding}: {exc}", url=url) from exc
        return bytes(body)

    @contextmanager
    def _polite(self, host_key: str, deadline: _Deadline, url: str) -> Iterator[None]:
        """Hold one of the host's concurrency slots, then wait for its next start time.

        The start time is reserved under the lock while the slot is held, so
        request starts to one host stay ``per_host_delay`` apart whatever the
        number of threads.
        """
        with self._lock:
            slot = self._slots.setdefault(
                host_key, threading.BoundedSemaphore(self._config.per_host_concurrency)
            )
        if not slot.acquire(timeout=max(0.0, deadline.remaining())):
            raise FetchTimeout(f"no free connection slot for {host_key} in time", url=url)
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host_key, now))
                self._next_start[host_key] = start + self._config.per_host_delay
            if start - now >= deadline.remaining():
                raise FetchTimeout(f"per-host delay for {host_key} passes the deadline", url=url)
            time.sleep(start - now)
            yield
        finally:
            slot.release()

    def _robots_allow(self, url: httpx.URL, deadline: _Deadline) -> bool:
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        if not lock.acquire(timeout=max(0.0, deadline.remaining())):
            raise FetchTimeout(f"waited too long for robots.txt of {origin}", url=str(url))
        try:
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin, deadline)
            rules = self._robots[origin]
        finally:
            lock.release()
        return rules is None or rules.can_fetch(str(url), self._config.user_agent)

    def _load_robots(self, origin: str, deadline: _Deadline) -> Protego | None:
        """The parsed robots.txt, or None to allow everything (4xx, or unreachable)."""
        robots_url = f"{origin}/robots.txt"
        limit = min(self._config.max_bytes, _ROBOTS_MAX_BYTES)
        try:
            result = self._follow(
                robots_url, {"Accept": "text/plain"}, deadline, limit, robots=False
            )
        except HTTPStatusError as exc:
            if not 400 <= exc.status < 500:
                log.warning("robots.txt unavailable", extra={"url": robots_url, "error": str(exc)})
            return None
        except FetchError as exc:
            log.warning("robots.txt unavailable", extra={"url": robots_url, "error": str(exc)})
            return None
        try:
            return Protego.parse(result.text)
        except Exception as exc:  # a hostile robots.txt must not stop the fetch
            log.warning("robots.txt unparsable", extra={"url": robots_url, "error": str(exc)})
            return None
