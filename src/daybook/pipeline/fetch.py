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
- is polite: per-host concurrency and spacing (``per_host_delay``, or the
  robots.txt Crawl-delay when longer), robots.txt, Retry-After. What that
  takes to remember lives in a ``HostGate`` and a ``RobotsStore``
  (``pipeline.politeness``): in memory by default, in the database when
  several processes must be polite together;
- turns every third-party failure into a ``FetchError`` subclass.
"""

from __future__ import annotations

import functools
import logging
import math
import random
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
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
from daybook.pipeline.headers import MAX_DELTA_SECONDS, cache_seconds, delta_seconds, links
from daybook.pipeline.politeness import (
    HostGate,
    LocalHostGate,
    LocalRobotsStore,
    RobotsEntry,
    RobotsStore,
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
    robots_ttl: float = 86400.0  # how long a robots.txt (or its 4xx absence) is kept
    robots_error_ttl: float = 3600.0  # ... and an unreachable one: a failure may be brief
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
            "robots_ttl": self.robots_ttl,
            "robots_error_ttl": self.robots_error_ttl,
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
    """Seconds a Retry-After asks for (delta-seconds or an HTTP date), at most 2^31."""
    if value is None:
        return None
    value = value.strip()
    if (seconds := delta_seconds(value)) is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), float(MAX_DELTA_SECONDS))


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
    """Fetches URLs safely; one instance is shared by the threads of a service.

    ``gate`` and ``robots`` hold the politeness state; by default each fetcher
    has its own in memory. Processes that fetch from the same hosts pass the
    shared ones (``daybook.news.politeness``), so the hosts see one crawler.
    """

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        gate: HostGate | None = None,
        robots: RobotsStore | None = None,
    ) -> None:
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
        self._gate: HostGate = gate or LocalHostGate()
        self._robots: RobotsStore = robots or LocalRobotsStore()
        self._lock = threading.Lock()
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

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay, in seconds, that the robots.txt of ``url``'s origin asks of us.

        Read from the robots store only, never fetched: None when robots.txt is
        not honoured, not stored (yet, or any more), names no delay for us, or
        ``url`` is not a URL. The value is the one asked, uncapped; spacing
        requests caps it (``max_retry_after``), a poll interval has caps of its own.
        """
        if not self._config.respect_robots:
            return None
        try:
            origin = _origin(httpx.URL(url))
        except (httpx.InvalidURL, ValueError, UnicodeError):
            return None
        entry = self._robots.get(origin)
        return _crawl_delay(_rules(entry), self._config.user_agent)

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
        host_key = _host_key(parsed)
        delay = self._config.per_host_delay
        if robots and parsed.path != "/robots.txt":
            rules = self._robots_rules(parsed, deadline)
            if rules is not None and not rules.can_fetch(str(parsed), self._config.user_agent):
                raise RobotsDisallowed(f"robots.txt of {parsed.host} forbids {url}", url=url)
            # Capped: a hostile robots.txt must not hold a worker for hours per request.
            asked = _crawl_delay(rules, self._config.user_agent) or 0.0
            delay = max(delay, min(asked, self._config.max_retry_after))
        request = self._client.build_request(
            "GET", parsed, headers=headers, timeout=self._timeout(deadline)
        )
        with self._polite(host_key, delay, deadline, url):
            try:
                response = self._client.send(request, stream=True)
            except BlockedAddress as exc:  # the backend's check: DNS changed since ours
                exc.url = url
                raise
            try:
                return self._handle(parsed, response, deadline, max_bytes)
            finally:
                response.close()

    def post_form(self, url: str, data: Mapping[str, str]) -> int:
        """POST ``data`` as a form to ``url`` (a WebSub hub); the status it answered.

        Through the same address guard, time caps and per-host politeness as
        ``fetch``, but without robots.txt (a hub is an API, not a page to crawl),
        without retries (the caller asks again later: a POST is not ours to
        repeat) and without following redirects: a 3xx comes back as its status,
        so a POST never goes anywhere the caller did not name. The answer's body
        is never read, so it needs no cap. Raises a ``FetchError`` subclass when
        the request cannot be made.
        """
        deadline = _Deadline(self._config.total_timeout)
        try:
            parsed = self._check(url)
            request = self._client.build_request(
                "POST", parsed, data=dict(data), timeout=self._timeout(deadline)
            )
            with self._polite(_host_key(parsed), self._config.per_host_delay, deadline, url):
                response = self._client.send(request, stream=True)
                response.close()
        except BlockedAddress as exc:  # the backend's check: DNS changed since ours
            exc.url = url
            raise
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
            raise _wrap(exc, url) from exc
        return response.status_code

    def _timeout(self, deadline: _Deadline) -> httpx.Timeout:
        """Each phase's time cap, none beyond what is left of the total."""
        remaining = deadline.remaining()
        return httpx.Timeout(
            connect=min(self._config.connect_timeout, remaining),
            read=min(self._config.read_timeout, remaining),
            write=min(self._config.read_timeout, remaining),
            pool=remaining,
        )

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
        # A 304 repeats what the server asks of caches, so both are read the same way.
        cached = cache_seconds(
            ", ".join(response.headers.get_list("cache-control")) or None,
            response.headers.get("expires"),
            response.headers.get("date"),
            datetime.now(UTC),
        )
        linked = links(response.headers.get_list("link"), str(url))
        if status == 304:
            return FetchResult(
                url=str(url),
                status=status,
                content_type=media_type(content_type),
                content=b"",
                encoding=None,
                validators=validators,
                not_modified=True,
                cache_seconds=cached,
                links=linked,
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
            cache_seconds=cached,
            links=linked,
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
    def _polite(self, host_key: str, delay: float, deadline: _Deadline, url: str) -> Iterator[None]:
        """Hold one of the host's concurrency slots, its start ``delay`` after the last one."""
        slot = self._gate.slot(
            host_key,
            concurrency=self._config.per_host_concurrency,
            delay=delay,
            timeout=max(0.0, deadline.remaining()),
        )
        try:
            with slot:
                yield
        except FetchTimeout as exc:  # the gate's own knows no URL
            exc.url = exc.url or url
            raise

    def _robots_rules(self, url: httpx.URL, deadline: _Deadline) -> Protego | None:
        """The parsed robots.txt of ``url``'s origin, or None to allow everything.

        From the store when it has it; otherwise fetched, by one thread of this
        process at a time (the others wait and then find it stored), and stored.
        """
        origin = _origin(url)
        entry = self._robots.get(origin)
        if entry is None:
            with self._lock:
                lock = self._robots_locks.setdefault(origin, threading.Lock())
            if not lock.acquire(timeout=max(0.0, deadline.remaining())):
                raise FetchTimeout(f"waited too long for robots.txt of {origin}", url=str(url))
            try:
                entry = self._robots.get(origin)
                if entry is None:
                    entry, ttl = self._load_robots(origin, deadline)
                    self._robots.put(origin, entry, ttl)
            finally:
                lock.release()
        return _rules(entry)

    def _load_robots(self, origin: str, deadline: _Deadline) -> tuple[RobotsEntry, float]:
        """The robots.txt of ``origin`` and how long to keep it.

        A 4xx means there is none: everything is allowed, for as long as a
        robots.txt is kept. A 429, a 5xx or a network error mean it could not be
        read: everything is allowed too, but only for ``robots_error_ttl``, so a
        brief outage is not taken for the site's answer for a day. A failure
        that only our own deadline caused is not stored at all.
        """
        robots_url = f"{origin}/robots.txt"
        limit = min(self._config.max_bytes, _ROBOTS_MAX_BYTES)
        try:
            result = self._follow(
                robots_url, {"Accept": "text/plain"}, deadline, limit, robots=False
            )
        except FetchError as exc:
            if deadline.remaining() <= 0:
                raise FetchTimeout(
                    f"no time left to read robots.txt of {origin}", url=robots_url
                ) from exc
            if isinstance(exc, HTTPStatusError) and 400 <= exc.status < 500 and exc.status != 429:
                return RobotsEntry(None), self._config.robots_ttl
            log.warning("robots.txt unavailable", extra={"url": robots_url, "error": str(exc)})
            return RobotsEntry(None), self._config.robots_error_ttl
        return RobotsEntry(result.text), self._config.robots_ttl


def _host_key(url: httpx.URL) -> str:
    """The host:port whose politeness (slots, spacing) a request to ``url`` shares."""
    return f"{url.raw_host.decode('ascii')}:{port_of(url)}"


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


@functools.lru_cache(maxsize=64)
def _parse_robots(body: str) -> Protego | None:
    """The parsed rules of a robots.txt body; None (allow everything) if unparsable.

    Cached on the body, since a shared store hands back a new string for every
    request and parsing half a megabyte each time would cost more than the fetch.
    """
    try:
        return Protego.parse(body)
    except Exception as exc:  # a hostile robots.txt must not stop the fetch
        log.warning("robots.txt unparsable", extra={"error": str(exc)})
        return None


def _rules(entry: RobotsEntry | None) -> Protego | None:
    return None if entry is None or entry.body is None else _parse_robots(entry.body)


def _crawl_delay(rules: Protego | None, user_agent: str) -> float | None:
    if rules is None:
        return None
    try:
        delay = rules.crawl_delay(user_agent)
    except Exception:  # Protego is third-party code reading hostile text
        return None
    if delay is None or not math.isfinite(delay) or delay < 0:
        return None
    return float(delay)
