"""The one error tree of daybook.

Every error a stage raises on purpose is a ``DaybookError``. Third-party errors
(httpx, lxml, feedparser...) are wrapped at the stage boundary with
``raise ... from`` so callers catch one hierarchy and still see the cause.

    DaybookError
    ├── FetchError            the web did not give us the resource
    │   ├── BlockedAddress    the URL resolves to an address we may not reach
    │   ├── RobotsDisallowed  robots.txt forbids the path
    │   ├── TooLarge          body over the size cap (after decompression)
    │   ├── TooManyRedirects
    │   ├── FetchTimeout      connect, read or total time cap reached
    │   ├── HTTPStatusError   a final non-2xx/304 status
    │   └── RetryLater        429/503 asked us to come back later
    ├── ParseError            a feed or OPML file we cannot read (or refuse to)
    ├── ExtractError          no article could be extracted from a page
    ├── SourceError           a source cannot be added (no feed found, bad URL)
    ├── ConfigError           a setting has an invalid value
    ├── WebSubError           a hub's verification or push we refuse
    ├── WorkerLost            a queued task's worker stopped without finishing it
    └── LLMError              the optional language model gave no usable answer
"""

from __future__ import annotations


class DaybookError(Exception):
    """Root of every error daybook raises on purpose."""


class FetchError(DaybookError):
    """The resource at ``url`` could not be fetched."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class BlockedAddress(FetchError):
    """The URL's host is, or resolves to, an address the operator did not allow."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids fetching this path."""


class TooLarge(FetchError):
    """The body (after decompression) is larger than the configured cap."""


class TooManyRedirects(FetchError):
    """More redirects than the configured cap."""


class FetchTimeout(FetchError):
    """The connect, read or total time cap was reached."""


class HTTPStatusError(FetchError):
    """The server answered with a final status that is neither 2xx nor 304."""

    def __init__(self, message: str, *, url: str | None = None, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class RetryLater(FetchError):
    """The server asked us (429/503 + Retry-After) to wait longer than we will block."""

    def __init__(self, message: str, *, url: str | None = None, retry_after: float) -> None:
        super().__init__(message, url=url)
        self.retry_after = retry_after


class ParseError(DaybookError):
    """A feed, OPML or JSON document is malformed or hostile."""


class ExtractError(DaybookError):
    """No article text could be extracted from the input."""


class SourceError(DaybookError):
    """A source cannot be added: no feed found, unsupported URL, duplicate."""


class ConfigError(DaybookError):
    """A setting has a value daybook cannot use."""


class WebSubError(DaybookError):
    """A WebSub hub's request we refuse: a verification that does not match what
    we asked for, or a push whose signature is missing, malformed or wrong."""


class WorkerLost(DaybookError):
    """Recorded (never raised) on a database-queue task whose worker was killed or lost
    the database mid-task; the work itself comes back through its lease."""


class LLMError(DaybookError):
    """The language model gave no usable completion: unreachable, slow, a non-2xx
    status, or an answer that is not a Chat Completions response."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
