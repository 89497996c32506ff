"""The JSON API: one NinjaAPI with the news and comment routers, and the
conventions every operation shares.

- Errors are ``{"detail": "..."}``: 404 for an unknown id, 400 for input the site
  would refuse (a bad cursor, date or field), with per-field ``errors`` where
  there are fields to blame.
- Reads are public and may be cached, but must be revalidated every time (new
  articles show at once); the ETag comes from ``ConditionalGetMiddleware``, so a
  client that has the answer already gets a 304.
- Text is sent as UTF-8, not ``\\u`` escapes: most of it is in other scripts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from daybook.api import comments, news
from daybook.api.docs import EndpointList
from daybook.web.paging import BadCursor


class Utf8(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class Api(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if request.method == "GET":
            response["Cache-Control"] = "public, no-cache"
        return response


api = Api(
    title="daybook",
    version="1",
    description=(
        "The news that daybook gathers, as JSON: the same data as the site's pages. "
        "Reading needs no account. Writing comments needs an API token, made on your "
        'account page and sent as "Authorization: Bearer <token>".'
    ),
    urls_namespace="api",
    renderer=Utf8(),
    docs=EndpointList(),
    docs_url="/docs",
)
api.add_router("", news.router)
api.add_router("", comments.router)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(BadCursor)
def _bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Ninja's 422 for a query or body that fails its declared types, as the
    400 the rest of the site answers bad input with."""
    errors: dict[str, list[str]] = defaultdict(list)
    for error in exc.errors:
        where, *path = [str(part) for part in error.get("loc", ("request",))]
        if where == "body" and len(path) > 1:
            path = path[1:]  # name the body's own field, as the comment forms do
        errors[".".join(path) or where].append(str(error.get("msg", "")))
    detail = "; ".join(f"{field}: {', '.join(messages)}" for field, messages in errors.items())
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)
