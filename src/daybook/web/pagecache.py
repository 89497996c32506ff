"""Whole responses, kept in the web process and sent again before the session, CSRF,
authentication and CSP middleware run.

``daybook.web.respond`` caches a page's data and HTML, but reaching it costs the
whole middleware stack, the session and user queries and a read of the content
revision: a millisecond or more, four times what a static file costs. So the
finished response (body and headers) of a page is kept here, under everything it
depends on, and sent again while none of it has moved:

- for a reader who is not signed in: the URL, the Accept header, the content
  revision and the age bucket (the same bytes for everyone);
- for a signed-in reader: the same, plus who they are (their session and CSRF
  cookies) and their own revision (``daybook.community.changes``: what they saved,
  followed, muted and read).

Only what ``respond`` marks (``SHAREABLE``) is kept, never a response that sets a
cookie (``_storable``), never for a request that carries a message. The revisions are read from
the database at most once a second per process (never more rarely than news
revisions move, ``DAYBOOK_PAGE_FRESHNESS_SECONDS``), and which reader a session
belongs to is checked as often: a change made in this process shows at once, one
made in another process (a reader's state, a sign-out) within that second.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response

from daybook.community import changes
from daybook.news import revision
from daybook.web.respond import AGE_BUCKET, EVERYONE, READER, SHAREABLE, page_key, wants_json

REVISION_SECONDS = 1.0
MAX_BYTES = 32 * 1024 * 1024
"""Per process: a few hundred pages of the site."""
MAX_SESSIONS = 100_000


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


_sessions: dict[str, tuple[float, int]] = {}
"""session key -> (when confirmed, user id): sessions this process saw signed in."""
_sessions_lock = threading.Lock()


def _reader_of(session: str) -> int | None:
    """The reader a session cookie was signed in as, confirmed within a second."""
    with _sessions_lock:
        known = _sessions.get(session)
    if known is None or time.monotonic() - known[0] >= REVISION_SECONDS:
        return None
    return known[1]


def _remember(session: str, user_id: int) -> None:
    with _sessions_lock:
        if len(_sessions) > MAX_SESSIONS:
            _sessions.clear()
        _sessions[session] = (time.monotonic(), user_id)


@receiver(user_logged_out, dispatch_uid="pagecache-signed-out")
def _signed_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME) if request else None
    if session:
        with _sessions_lock:
            _sessions.pop(session, None)


def _key(request: HttpRequest, *reader: object) -> str:
    bucket = int(time.time() // AGE_BUCKET)
    parts = (page_key(request), wants_json(request), bucket, _stamp(), *reader)
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _storable(response: HttpResponse, kind: str, csrf: str = "") -> bool:
    """Never a response that sets a cookie, but for the CSRF cookie sent again as it
    was (Django renews its expiry whenever a page uses the token): that one is kept
    without it."""
    renewed = {settings.CSRF_COOKIE_NAME: csrf} if csrf else {}
    return (
        getattr(response, SHAREABLE, None) == kind
        and response.status_code == 200
        and {name: morsel.value for name, morsel in response.cookies.items()} in ({}, renewed)
        and not response.streaming
    )


def _kept(response: HttpResponse) -> _Stored:
    return _Stored(response.content, tuple(response.items()), response.get("ETag"))


class SharedPages:
    """Middleware: placed after whitenoise and before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
            return self.get_response(request)
        session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session is None:
            return self._everyone(request)
        return self._reader(request, session)

    def _everyone(self, request: HttpRequest) -> HttpResponse:
        key = _key(request)
        stored = _store.get(key)
        if stored is not None:
            return stored.response(request)
        response = self.get_response(request)
        if _storable(response, EVERYONE):
            _store.put(key, _kept(response))
        return response

    def _reader(self, request: HttpRequest, session: str) -> HttpResponse:
        # The key is fixed before the page is built: a change to the reader's state
        # made meanwhile moves their revision, and the next request looks again.
        user_id = _reader_of(session)
        csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
        key = None
        if user_id is not None:
            key = _key(request, user_id, changes.value(user_id), session, csrf)
            stored = _store.get(key)
            if stored is not None:
                return stored.response(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key == session:
            _remember(session, user.pk)
            if key is not None and user.pk == user_id and _storable(response, READER, csrf):
                _store.put(key, _kept(response))
        return response


def forget() -> None:
    """Drop every kept response (tests switch databases under one process)."""
    global _revision
    _store.clear()
    _revision = (0.0, "")
    with _sessions_lock:
        _sessions.clear()
