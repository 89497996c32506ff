"""Bookmarks, follows and mutes, and the saved articles page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from daybook.community import state
from daybook.community.forms import (
    MUTES_MAX,
    FollowForm,
    MuteForm,
    target_label,
)
from daybook.community.models import Bookmark, Follow, Mute
from daybook.community.state import fold
from daybook.community.views.common import back_to, is_htmx, reader_of
from daybook.news.models import Article

# --- bookmarks, follows, mutes ------------------------------------------------------


@login_required
@require_POST
def bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the article, or unsave it when it is saved already."""
    user = reader_of(request)
    article = get_object_or_404(Article.objects.only("id"), pk=pk)
    removed, _ = Bookmark.objects.filter(user=user, article=article).delete()
    if not removed:
        Bookmark.objects.get_or_create(user=user, article=article)
    state.forget(request)
    back = back_to(request, reverse("article", args=[pk]))
    if is_htmx(request):
        context = {"article_id": pk, "pressed": not removed, "signed_in": True, "next": back}
        return render(request, "community/bookmark_button.html", context)
    return redirect(back)


def _invalid(request: HttpRequest, form: BaseForm, back: str) -> HttpResponse:
    text = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if is_htmx(request):
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, text)
    return redirect(back)


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """Follow a publisher, topic or entity, or unfollow it when followed already."""
    user = reader_of(request)
    back = back_to(request, reverse("account"))
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
    label = target_label(kind, key)
    removed, _ = Follow.objects.filter(user=user, kind=kind, key=key).delete()
    if not removed:
        if label is None:
            form.add_error("key", f"There is no such {kind} to follow.")
            return _invalid(request, form, back)
        Follow.objects.get_or_create(user=user, kind=kind, key=key)
    state.forget(request)
    if is_htmx(request):
        context = {
            "kind": kind,
            "key": key,
            "label": label or key,
            "pressed": not removed,
            "signed_in": True,
            "next": back,
        }
        return render(request, "community/follow_button.html", context)
    return redirect(back)


@login_required
@require_POST
def mute(request: HttpRequest) -> HttpResponse:
    """Mute a word (again is a no-op), or toggle muting a publisher (it is a button)."""
    user = reader_of(request)
    back = back_to(request, reverse("account"))
    form = MuteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
    mutes = Mute.objects.filter(user=user)
    removed = 0
    if kind == Mute.Kind.PUBLISHER:
        removed, _ = mutes.filter(kind=kind, key=key).delete()
    label = target_label("publisher", key) if kind == Mute.Kind.PUBLISHER else key
    if not removed and not _already_muted(mutes, kind, key):
        if label is None:
            form.add_error("key", "There is no such publisher to mute.")
            return _invalid(request, form, back)
        if mutes.count() >= MUTES_MAX:
            form.add_error(None, f"You can mute at most {MUTES_MAX} things; remove one first.")
            return _invalid(request, form, back)
        Mute.objects.get_or_create(user=user, kind=kind, key=key)
    state.forget(request)
    if is_htmx(request) and kind == Mute.Kind.PUBLISHER:
        context = {
            "publisher_id": key,
            "label": label or key,
            "pressed": not removed,
            "signed_in": True,
            "next": back,
        }
        return render(request, "community/mute_button.html", context)
    if kind == Mute.Kind.WORD:
        messages.success(request, f"Articles mentioning “{key}” are hidden now.")
    return redirect(back)


def _already_muted(mutes: QuerySet[Mute], kind: str, key: str) -> bool:
    if kind != Mute.Kind.WORD:
        return mutes.filter(kind=kind, key=key).exists()
    word = fold(key)
    return any(fold(k) == word for k in mutes.filter(kind=kind).values_list("key", flat=True))


@login_required
@require_POST
def mute_delete(request: HttpRequest, pk: int) -> HttpResponse:
    removed, _ = Mute.objects.filter(pk=pk, user=reader_of(request)).delete()
    if not removed:
        raise Http404("No such mute.")
    state.forget(request)
    return redirect(back_to(request, reverse("account")))


@login_required
@never_cache
def saved(request: HttpRequest) -> HttpResponse:
    """The reader's saved articles, newest saved first; as JSON for the service
    worker, which keeps them readable offline."""
    rows = Bookmark.objects.filter(user=reader_of(request)).select_related("article__source")
    articles = [
        {
            "id": b.article_id,
            "title": b.article.title,
            "publisher": b.article.publisher,
            "url": reverse("article", args=[b.article_id]),
            "published": b.article.published_at.isoformat() if b.article.published_at else None,
        }
        for b in rows
    ]
    if request.GET.get("format") == "json":
        return JsonResponse({"articles": articles})
    return render(request, "community/saved.html", {"articles": articles})
