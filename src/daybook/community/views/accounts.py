"""Accounts: sign up, sign in with its throttle, sign out, passwords, the account
page, and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import PasswordChangeView, PasswordResetView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from daybook.community import reading, throttle, tokens
from daybook.community.forms import (
    SignupForm,
    TokenForm,
    as_id,
    target_label,
)
from daybook.community.models import ApiToken, Follow, Mute
from daybook.community.views.common import client_ip, home_url, reader_of, safe_next

# --- accounts -----------------------------------------------------------------------


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            wait = throttle.take_signup(client_ip(request))
            if wait:
                return _too_many(
                    request, "Too many new accounts from your address. Try again later.", wait
                )
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.get_username()}.")
            return redirect(next_url or home_url())
    else:
        form = SignupForm()
    return render(request, "community/signup.html", {"form": form, "next": next_url or ""})


@never_cache
def signin(request: HttpRequest) -> HttpResponse:
    """Sign in, with failures slowed down per address and per username (see throttle)."""
    next_url = safe_next(request)
    context: dict[str, Any] = {"next": next_url or ""}
    if request.method != "POST":
        if request.user.is_authenticated and next_url:
            return redirect(next_url)
        context["form"] = AuthenticationForm(request)
        return render(request, "community/signin.html", context)

    ip = client_ip(request)
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
        return redirect(next_url or home_url())
    throttle.signin_failed(ip, username)
    context["form"] = form
    return render(request, "community/signin.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(safe_next(request) or resolve_url(settings.LOGOUT_REDIRECT_URL))


class PasswordReset(PasswordResetView):
    """Django's reset view, with the mails one address may ask for capped (each
    request sends a mail, to any address the asker types)."""

    def form_valid(self, form: Any) -> HttpResponse:
        wait = throttle.take_reset(client_ip(self.request))
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
    user = reader_of(request)
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


# --- API tokens ---------------------------------------------------------------------


@login_required
@never_cache
def tokens_page(request: HttpRequest) -> HttpResponse:
    """Make, list and revoke API tokens. A new token is shown in the answer to
    the POST that made it and never again."""
    user = reader_of(request)
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
    removed, _ = ApiToken.objects.filter(pk=pk, user=reader_of(request)).delete()
    if not removed:
        raise Http404("No such token.")
    messages.success(request, "The token has been revoked.")
    return redirect("tokens")
