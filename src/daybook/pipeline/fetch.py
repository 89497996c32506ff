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

import logging
import random
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TypeGuard

import brotli
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
from daybook.pipeline.decoding import (
    decide_encoding,
    decode_through,
    decoders_for,
    flush_decoders,
    media_type,
)
from daybook.pipeline.guard import (
    AddressGuard,
    GuardedTransport,
    parse_allowed,
    port_of,
)
from daybook.pipeline.types import FetchResult, Validators

log = logging.getLogger("daybook.fetch")


_ROBOTS_MAX_BYTES = 512 * 1024  # what Google reads of a robots.txt
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TRANSIENT_STATUSES = frozenset({502, 503, 504})
_TRANSIENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError)


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
            parse_allowed(entry)


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
            transport=GuardedTransport(self._guard),
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
        host_key = f"{parsed.raw_host.decode('ascii')}:{port_of(parsed)}"
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
                content_type=media_type(content_type),
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
            content_type=media_type(content_type),
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
        decoders = decoders_for(response.headers.get("content-encoding"), url)
        body = bytearray()
        received = 0
        try:
            for chunk in response.iter_raw():
                deadline.check(url)
                received += len(chunk)
                if received > max_bytes:
                    raise too_large
                for piece in decode_through(decoders, chunk):
                    body += piece
                    if len(body) > max_bytes:
                        raise too_large
                    deadline.check(url)
            for piece in flush_decoders(decoders):
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
