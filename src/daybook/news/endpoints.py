"""The service's own HTTP endpoints: /healthz for load balancers and monitors, and
the WebSub callback hubs call."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from daybook.news import status, websub


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the queue answer and the tick ran lately; else 503,
    with the reasons."""
    ok, body = status.health()
    return JsonResponse(body, status=200 if ok else 503)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def websub_callback(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A WebSub hub's calls for one subscription: GET verifies a request of ours, POST
    pushes the feed (``news/websub.py`` says what each answers). Exempt from CSRF, as
    a server calls it, not a browser: the unguessable path, the topic of a request
    we made and the signature under our secret are what it checks instead."""
    subscription = websub.find(pk, token)
    if subscription is None:
        return HttpResponse(status=404)
    if request.method == "GET":
        return websub.verification_answer(subscription, request.GET.dict())
    return websub.push_answer(subscription, request)
