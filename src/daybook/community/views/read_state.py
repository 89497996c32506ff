"""Read state from the site: one article read or unread, a list marked read."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from daybook.community import reading, state
from daybook.community.views.common import back_to, home_url, is_htmx, reader_of
from daybook.news.models import Article


@login_required
@require_POST
def read_article(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an article read (``read=1``, the default) or unread (``read=0``)."""
    user = reader_of(request)
    article = get_object_or_404(
        Article.objects.only("id", "created_at", "source_id", "story_id", "topics"), pk=pk
    )
    read = request.POST.get("read", "1") != "0"
    reading.mark(user.pk, article, read)
    state.forget(request)
    if is_htmx(request) or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": pk, "read": read})
    return redirect(back_to(request, reverse("article", args=[pk])))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark a list (``kind``: all, publisher, topic, story; ``key``) read up to
    ``shown_at``, the moment the page showed it: what arrived since stays unread."""
    user = reader_of(request)
    back = back_to(request, home_url())
    kind = str(request.POST.get("kind", ""))
    key = str(request.POST.get("key", ""))[:200]
    try:
        shown_at = datetime.fromisoformat(str(request.POST.get("shown_at", "")))
        if shown_at.tzinfo is None:
            raise ValueError("a time without its zone")
        reading.mark_all(user.pk, kind, key, shown_at)
    except ValueError as bad:
        if is_htmx(request):
            return HttpResponse(str(bad), status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, f"Could not mark as read: {bad}")
        return redirect(back)
    state.forget(request)
    return redirect(back)
