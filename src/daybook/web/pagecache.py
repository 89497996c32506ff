"""Whole responses for readers who are not signed in, answered before the session,
CSRF, authentication and CSP middleware run.

``daybook.web.respond`` caches a page's data and HTML, but reaching it costs the
whole middleware stack and a database read of the content revision: about a
millisecond, four times what a static file costs. Most requests to a news site come
from readers who are not signed in and get the same bytes as everyone else, so the
finished response (body and headers) is kept in this process and sent again from
here, for as long as the content revision and the age bucket it was made under
stand.

Only what ``respond`` marks as shared is kept (``SHAREABLE``, the pages whose bytes
depend on nothing but the URL and the Accept header): never a response that sets a
cookie, and never for a request that carries a session or a message. The content revision is read
from the database at most once per ``REVISION_SECONDS`` per process (never more
rarely than news revisions themselves move, ``DAYBOOK_PAGE_FRESHNESS_SECONDS``), so
a change shows here up to a second later than on a signed-in reader's page.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response

from daybook.news import revision
from daybook.web.respond import AGE_BUCKET, SHAREABLE, page_key, wants_json

REVISION_SECONDS = 1.0
MAX_BYTES = 32 * 1024 * 1024
"""Per process: a few hundred pages of the site."""

_PRIVATE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


@dataclass(frozen=True)
class _Stored:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None

    def response(self, request: HttpRequest) -> HttpResponse:
        unchanged = get_conditional_response(request, etag=self.etag)
        if isinstance(unchanged, HttpResponseNotModified):
            answer: HttpResponse = unchanged
            for name, value in self.headers:
                if name.lower() not in ("content-length", "content-type"):
                    answer[name] = value
            return answer
        answer = HttpResponse(self.body)
        for name, value in self.headers:
            answer[name] = value
        return answer


class _Store:
    """A byte-bounded LRU shared by the process's threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[str, _Stored] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> _Stored | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: str, stored: _Stored) -> None:
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.items[key] = stored
            self.size += len(stored.body)
            while self.size > self.limit and self.items:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


_store = _Store(MAX_BYTES)
_revision: tuple[float, str] = (0.0, "")


def _stamp() -> str:
    """The content revisions, read from the database at most once a second. Two
    threads racing here cost one extra read, no harm."""
    global _revision
    read_at, stamp = _revision
    now = time.monotonic()
    if now - read_at >= min(REVISION_SECONDS, settings.DAYBOOK_PAGE_FRESHNESS_SECONDS):
        stamp = ",".join(f"{name}{value}" for name, value, _ in revision.current())
        _revision = (now, stamp)
    return stamp


def _eligible(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in _PRIVATE_COOKIES
    )


def _key(request: HttpRequest) -> str:
    bucket = int(time.time() // AGE_BUCKET)
    raw = f"{page_key(request)}|{wants_json(request)}|{bucket}|{_stamp()}"
    return hashlib.sha256(raw.encode()).hexdigest()


class SharedPages:
    """Middleware: placed after whitenoise and before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _eligible(request):
            return self.get_response(request)
        key = _key(request)
        stored = _store.get(key)
        if stored is not None:
            return stored.response(request)
        response = self.get_response(request)
        if (
            getattr(response, SHAREABLE, False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            etag = response.get("ETag")
            _store.put(key, _Stored(response.content, tuple(response.items()), etag))
        return response


def forget() -> None:
    """Drop every kept response (tests switch databases under one process)."""
    global _revision
    _store.clear()
    _revision = (0.0, "")
