"""What every reader view needs: who is asking, where to send them back, and whether
htmx asked."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# --- helpers ------------------------------------------------------------------------


def reader_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "login_required runs first"
    return user


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def client_ip(request: HttpRequest) -> str:
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


def safe_url(request: HttpRequest, url: str | None) -> str | None:
    """``url`` when it stays on this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def safe_next(request: HttpRequest) -> str | None:
    return safe_url(request, request.POST.get("next") or request.GET.get("next"))


def back_to(request: HttpRequest, fallback: str) -> str:
    """Where a plain POST returns to: a safe ``next``, else the page it came from
    (the Referer, when on this host), else ``fallback``."""
    found = safe_next(request)
    if found:
        return found
    referer = request.headers.get("Referer", "")
    if safe_url(request, referer):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return fallback


def home_url() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def page_url(kind: str, target_id: int) -> str:
    """The page a comment thread lives on."""
    return reverse("article" if kind == "article" else "story", args=[target_id])
