"""One way to answer a page request: its data built once (or taken from the
cache), then sent as HTML or as JSON, with validators so a browser or an app
that already has the page gets a 304.

Caching follows who is reading. A signed-out reader's page is the same for
everyone, so its data and its HTML are cached under the content revision and
its ETag is known before anything is built. A signed-in reader's page starts
from the same cached data, then the reader's mutes and marks are applied; its
ETag comes from the body (``ConditionalGetMiddleware``), since only the body
knows what they changed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from daybook.community.state import state_for
from daybook.news import revision
from daybook.web import reader

SHAREABLE = "_daybook_shareable"
"""Set on a page's response to say who ``daybook.web.pagecache`` may send it again
to: ``EVERYONE`` not signed in, or the ``READER`` it was made for, while their own
state and the content stand."""
EVERYONE, READER = "everyone", "reader"

DATA_TTL = 600
AGE_BUCKET = 300
"""Seconds a cached page may show the same "14 hours ago": the HTML cache and the
ETag change bucket this often even when no content changed."""


def wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return accept.startswith("application/json")


def page_key(request: HttpRequest) -> str:
    """The page's identity: its path and query, without the format switch."""
    query = sorted((k, v) for k, values in request.GET.lists() for v in values if k != "format")
    raw = request.path + "?" + "&".join(f"{k}={v}" for k, v in query)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _revised(request: HttpRequest, revisions: Sequence[str]) -> tuple[str, datetime | None]:
    """The cache key of this request's data under the current content revisions,
    and when that content last changed."""
    stamps = {name: (value, at) for name, value, at in revision.current() if name in revisions}
    stamp = ",".join(f"{n}{stamps[n][0]}" for n in sorted(stamps))
    changed = max((at for _, at in stamps.values()), default=None)
    return f"page:{page_key(request)}:{stamp}", changed


def _data(key: str, build: Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
    data: Mapping[str, Any] | None = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, DATA_TTL)
    return data


def cached(
    request: HttpRequest,
    build: Callable[[], Mapping[str, Any]],
    revisions: Sequence[str] = (revision.NEWS,),
) -> Mapping[str, Any]:
    """This request's data, built once per content revision (for the API, whose
    validators come from the body)."""
    key, _ = _revised(request, revisions)
    return _data(key, build)


def respond(
    request: HttpRequest,
    template: str,
    build: Callable[[], Mapping[str, Any]],
    *,
    revisions: Sequence[str] = (revision.NEWS,),
    context: dict[str, Any] | None = None,
    personal: bool = False,
) -> HttpResponse:
    """``personal``: the data itself is the reader's (a list of what they have not
    read), so it is built for this request and never cached."""
    key, changed = _revised(request, revisions)
    as_json = wants_json(request)
    state = state_for(request)
    # The same page for everyone: signed out, and no one-off message (a "signed
    # out" notice) waiting to be shown, which a 304 or the shared HTML would hide.
    shared = state is None and not personal and (as_json or not len(get_messages(request)))

    if shared:
        bucket = "" if as_json else f":{int(time.time() // AGE_BUCKET)}"
        etag = '"' + hashlib.sha256(f"{key}:{as_json}{bucket}".encode()).hexdigest()[:32] + '"'
        last_modified = int(changed.timestamp()) if changed else None
        unchanged = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if unchanged is not None:
            return _finish(unchanged, signed_in=False)
    if shared and not as_json:
        # The finished HTML first: the data behind it is not needed to send it again.
        html_key = f"{key}:html{bucket}"
        html = cache.get(html_key)
        if html is None:
            html = render_to_string(template, {**_data(key, build), **(context or {})}, request)
            cache.set(html_key, html, AGE_BUCKET)
        response: HttpResponse = HttpResponse(html)
    else:
        data = build() if personal else _data(key, build)
        if state is not None:
            data = reader.apply(data, state)
        if as_json:
            response = JsonResponse(dict(data), json_dumps_params={"ensure_ascii": False})
        else:
            shown = {**data, **(context or {}), "reader": state}
            response = HttpResponse(render_to_string(template, shown, request))
    if shared:
        response["ETag"] = etag
        if changed:
            response["Last-Modified"] = http_date(changed.timestamp())
    setattr(response, SHAREABLE, EVERYONE if shared else READER if state is not None else None)
    return _finish(response, signed_in=state is not None)


def _finish(response: HttpResponse, *, signed_in: bool) -> HttpResponse:
    # Revalidate every time: a 304 costs one small query, and new articles show at once.
    response["Cache-Control"] = "private, no-cache" if signed_in else "public, no-cache"
    patch_vary_headers(response, ["Cookie", "Accept"])
    return response
