"""Reader pages and actions: accounts, comments, bookmarks, follows, mutes, tokens.

Every action is a POST form that works without JavaScript (it redirects back to
where the reader was) and, when htmx sent it, answers with just the piece of page
that changed, so the reader keeps their place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import PasswordChangeView, PasswordResetView
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from daybook.community import comments, reading, state, throttle, tokens
from daybook.community.forms import (
    MUTES_MAX,
    CommentForm,
    EditForm,
    FollowForm,
    MuteForm,
    ReportForm,
    SignupForm,
    TokenForm,
    as_id,
    target_label,
)
from daybook.community.models import ApiToken, Bookmark, Comment, Follow, Mute
from daybook.community.state import fold
from daybook.news.models import Article, Story

# --- helpers ------------------------------------------------------------------------


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "login_required runs first"
    return user


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _client_ip(request: HttpRequest) -> str:
    """The reader's address as the nearest trusted proxy saw it. Without a proxy
    (``DAYBOOK_PROXY_HOPS=0``) only REMOTE_ADDR counts: a forwarded-for header is
    whatever the client wants it to be; behind N proxies, the Nth address from the
    right of X-Forwarded-For is the one our own proxy wrote."""
    hops = settings.DAYBOOK_PROXY_HOPS
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops and len(forwarded) >= hops:
        return str(forwarded[-hops])
    return str(request.META.get("REMOTE_ADDR", ""))


def _safe(request: HttpRequest, url: str | None) -> str | None:
    """``url`` when it stays on this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _next(request: HttpRequest) -> str | None:
    return _safe(request, request.POST.get("next") or request.GET.get("next"))


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a plain POST returns to: a safe ``next``, else the page it came from
    (the Referer, when on this host), else ``fallback``."""
    found = _next(request)
    if found:
        return found
    referer = request.headers.get("Referer", "")
    if _safe(request, referer):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return fallback


def _home() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def page_url(kind: str, target_id: int) -> str:
    """The page a comment thread lives on."""
    return reverse("article" if kind == "article" else "story", args=[target_id])


# --- accounts -----------------------------------------------------------------------


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            wait = throttle.take_signup(_client_ip(request))
            if wait:
                return _too_many(
                    request, "Too many new accounts from your address. Try again later.", wait
                )
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.get_username()}.")
            return redirect(next_url or _home())
    else:
        form = SignupForm()
    return render(request, "community/signup.html", {"form": form, "next": next_url or ""})


@never_cache
def signin(request: HttpRequest) -> HttpResponse:
    """Sign in, with failures slowed down per address and per username (see throttle)."""
    next_url = _next(request)
    context: dict[str, Any] = {"next": next_url or ""}
    if request.method != "POST":
        if request.user.is_authenticated and next_url:
            return redirect(next_url)
        context["form"] = AuthenticationForm(request)
        return render(request, "community/signin.html", context)

    ip = _client_ip(request)
    username = str(request.POST.get("username", ""))[:150]
    wait = throttle.begin_signin(ip, username)
    if wait:
        minutes = max(1, round(wait / 60))
        context["form"] = AuthenticationForm(request, initial={"username": username})
        context["locked"] = (
            "Too many failed sign-ins. For your safety, wait "
            f"{minutes} minute{'s' if minutes != 1 else ''} before trying again."
        )
        response = render(request, "community/signin.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response

    form = AuthenticationForm(request, data=request.POST)
    if form.is_valid():
        login(request, form.get_user())
        throttle.signin_succeeded(ip, username)
        return redirect(next_url or _home())
    throttle.signin_failed(ip, username)
    context["form"] = form
    return render(request, "community/signin.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(_next(request) or resolve_url(settings.LOGOUT_REDIRECT_URL))


class PasswordReset(PasswordResetView):
    """Django's reset view, with the mails one address may ask for capped (each
    request sends a mail, to any address the asker types)."""

    def form_valid(self, form: Any) -> HttpResponse:
        wait = throttle.take_reset(_client_ip(self.request))
        if wait:
            message = "Too many password-reset requests from your address. Try again later."
            return _too_many(self.request, message, wait)
        return super().form_valid(form)


def _too_many(request: HttpRequest, message: str, wait: int) -> HttpResponse:
    response = render(request, "web/error.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


class PasswordChange(PasswordChangeView):
    template_name = "community/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


def _target_url(kind: str, key: str) -> str | None:
    pk = as_id(key)
    if kind == "topic":
        return reverse("topic", args=[key])
    if pk is None:
        return None
    return reverse(kind, args=[pk])


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """What the reader follows and mutes, each removable, and where to manage the rest."""
    user = _reader(request)
    follows: list[dict[str, Any]] = [
        {
            "kind": f.kind,
            "key": f.key,
            "label": target_label(f.kind, f.key),
            "url": _target_url(f.kind, f.key),
        }
        for f in Follow.objects.filter(user=user)
    ]
    followed = [int(f["key"]) for f in follows if f["kind"] == "publisher" and f["key"].isdigit()]
    unread = reading.unread_by_publisher(reading.load(user.pk), followed)
    for f in follows:
        if f["kind"] == "publisher" and f["key"].isdigit():
            f["unread"] = unread[int(f["key"])]
    mutes = [
        {
            "pk": m.pk,
            "kind": m.kind,
            "key": m.key,
            "label": m.key if m.kind == Mute.Kind.WORD else target_label("publisher", m.key),
        }
        for m in Mute.objects.filter(user=user)
    ]
    return render(
        request,
        "community/account.html",
        {
            "follows": follows,
            "mutes": mutes,
            "tokens": ApiToken.objects.filter(user=user).count(),
        },
    )


# --- comments -----------------------------------------------------------------------


def _thread_response(
    request: HttpRequest, kind: str, target_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "comments": comments.thread(**{kind: target_id}),
        "target_kind": kind,
        "target_id": target_id,
        **extra,
    }
    return render(request, "community/thread.html", context, status=status)


def _done(request: HttpRequest, comment: Comment, notice: str = "") -> HttpResponse:
    kind, target_id = comments.target(comment)
    if _htmx(request):
        return _thread_response(request, kind, target_id, notice=notice)
    if notice:
        messages.success(request, notice)
    return redirect(f"{page_url(kind, target_id)}#comment-{comment.pk}")


def _refused(
    request: HttpRequest,
    form: BaseForm,
    *,
    slot: str,
    slot_id: int | None,
    target: tuple[str, int] | None,
    action: str,
    status: int = 400,
    message: str = "",
    retry_after: int = 0,
) -> HttpResponse:
    """A comment write that did not happen: with htmx, the thread again with the
    form open, filled in and showing why; without, a page with the same form."""
    if _htmx(request) and target is not None:
        failed = {"slot": slot, "id": slot_id, "form": form, "message": message}
        # htmx swaps only 2xx answers by default: a form error is shown as a 200.
        response = _thread_response(
            request, *target, status=429 if retry_after else 200, failed=failed
        )
    else:
        context = {
            "form": form,
            "action": action,
            "message": message,
            "back": page_url(*target) if target else "",
        }
        response = render(request, "community/comment_form.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _posted_target(request: HttpRequest) -> tuple[str, int] | None:
    """The article or story a (possibly invalid) new-comment form was for, if it exists."""
    for kind in ("article", "story"):
        pk = as_id(str(request.POST.get(kind, "")))
        if pk is not None:
            model = Article if kind == "article" else Story
            return (kind, pk) if model.objects.filter(pk=pk).exists() else None
    return None


@login_required
@require_POST
def comment_new(request: HttpRequest) -> HttpResponse:
    form = CommentForm(request.POST)
    parent_id = as_id(str(request.POST.get("parent", "")))
    slot = "reply" if parent_id is not None else "new"
    action = reverse("comment-new")
    target = _posted_target(request)
    if not form.is_valid():
        return _refused(request, form, slot=slot, slot_id=parent_id, target=target, action=action)
    wait = throttle.take_comment(_reader(request).pk)
    if wait:
        message = comments.TOO_FAST
        return _refused(
            request,
            form,
            slot=slot,
            slot_id=parent_id,
            target=target,
            action=action,
            status=429,
            message=message,
            retry_after=wait,
        )
    data = form.cleaned_data
    comment = comments.post(
        _reader(request),
        article=data["article"],
        story=data["story"],
        parent=data["parent"],
        body=data["body"],
    )
    return _done(request, comment)


@login_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.own(pk, _reader(request))
    form = EditForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            form,
            slot="edit",
            slot_id=pk,
            target=comments.target(comment),
            action=reverse("comment-edit", args=[pk]),
        )
    comments.edit(comment, form.cleaned_data["body"])
    return _done(request, comment)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.own(pk, _reader(request))
    comments.delete(comment)
    return _done(request, comment, notice="Your comment has been deleted.")


@login_required
@require_POST
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = comments.live(pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            form,
            slot="report",
            slot_id=pk,
            target=comments.target(comment),
            action=reverse("comment-report", args=[pk]),
        )
    comments.report(comment, _reader(request), form.cleaned_data["reason"])
    return _done(request, comment, notice="Thank you. A moderator will look at that comment.")


# --- bookmarks, follows, mutes ------------------------------------------------------


@login_required
@require_POST
def bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the article, or unsave it when it is saved already."""
    user = _reader(request)
    article = get_object_or_404(Article.objects.only("id"), pk=pk)
    removed, _ = Bookmark.objects.filter(user=user, article=article).delete()
    if not removed:
        Bookmark.objects.get_or_create(user=user, article=article)
    state.forget(request)
    back = _back(request, reverse("article", args=[pk]))
    if _htmx(request):
        context = {"article_id": pk, "pressed": not removed, "signed_in": True, "next": back}
        return render(request, "community/bookmark_button.html", context)
    return redirect(back)


# --- read state -------------------------------------------------------------------


@login_required
@require_POST
def read_article(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an article read (``read=1``, the default) or unread (``read=0``)."""
    user = _reader(request)
    article = get_object_or_404(
        Article.objects.only("id", "created_at", "source_id", "story_id", "topics"), pk=pk
    )
    read = request.POST.get("read", "1") != "0"
    reading.mark(user.pk, article, read)
    state.forget(request)
    if _htmx(request) or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": pk, "read": read})
    return redirect(_back(request, reverse("article", args=[pk])))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark a list (``kind``: all, publisher, topic, story; ``key``) read up to
    ``shown_at``, the moment the page showed it: what arrived since stays unread."""
    user = _reader(request)
    back = _back(request, _home())
    kind = str(request.POST.get("kind", ""))
    key = str(request.POST.get("key", ""))[:200]
    try:
        shown_at = datetime.fromisoformat(str(request.POST.get("shown_at", "")))
        if shown_at.tzinfo is None:
            raise ValueError("a time without its zone")
        reading.mark_all(user.pk, kind, key, shown_at)
    except ValueError as bad:
        if _htmx(request):
            return HttpResponse(str(bad), status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, f"Could not mark as read: {bad}")
        return redirect(back)
    state.forget(request)
    return redirect(back)


def _invalid(request: HttpRequest, form: BaseForm, back: str) -> HttpResponse:
    text = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if _htmx(request):
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, text)
    return redirect(back)


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """Follow a publisher, topic or entity, or unfollow it when followed already."""
    user = _reader(request)
    back = _back(request, reverse("account"))
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
    if _htmx(request):
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
    user = _reader(request)
    back = _back(request, reverse("account"))
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
    if _htmx(request) and kind == Mute.Kind.PUBLISHER:
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
    removed, _ = Mute.objects.filter(pk=pk, user=_reader(request)).delete()
    if not removed:
        raise Http404("No such mute.")
    state.forget(request)
    return redirect(_back(request, reverse("account")))


@login_required
@never_cache
def saved(request: HttpRequest) -> HttpResponse:
    """The reader's saved articles, newest saved first; as JSON for the service
    worker, which keeps them readable offline."""
    rows = Bookmark.objects.filter(user=_reader(request)).select_related("article__source")
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


# --- API tokens ---------------------------------------------------------------------


@login_required
@never_cache
def tokens_page(request: HttpRequest) -> HttpResponse:
    """Make, list and revoke API tokens. A new token is shown in the answer to
    the POST that made it and never again."""
    user = _reader(request)
    made = ""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if ApiToken.objects.filter(user=user).count() >= tokens.MAX_PER_READER:
            form.add_error(None, f"You can have at most {tokens.MAX_PER_READER} tokens.")
        else:
            made = tokens.make_token(user, form.cleaned_data["name"])
            form = TokenForm()
    context = {"form": form, "made": made, "tokens": ApiToken.objects.filter(user=user)}
    return render(request, "community/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    removed, _ = ApiToken.objects.filter(pk=pk, user=_reader(request)).delete()
    if not removed:
        raise Http404("No such token.")
    messages.success(request, "The token has been revoked.")
    return redirect("tokens")
