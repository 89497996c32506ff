"""Google Reader sign-in: the ``Auth`` token ClientLogin gives, the edit token writes
carry, and the decorators that require them.

The ``Auth`` token is ``<app password id>/<HMAC>`` keyed by the site's secret and the
app password's digest: nothing is stored for it, a forged one fails the HMAC, and a
revoked password's tokens stop working with its row. The edit token (``T``) is
``<issued unix time>.<HMAC>`` over the same app password and that time, 57
characters as FreshRSS pads it. A write is refused (401 with
``X-Reader-Google-Bad-Token: true``, on which clients fetch a new one) when its token
is missing, forged, "replayed" (made for another app password or reader, or for a
revoked password) or older than ``EDIT_TOKEN_SECONDS``. FreshRSS's tolerance of
``T=''`` and ``T='x'`` would let any page that can post to this site write
with a cookie-less client's token, so it is not copied.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt

from daybook.community.models import AppPassword
from daybook.community.views.common import client_ip
from daybook.sync import credentials

EDIT_TOKEN_SECONDS = 24 * 60 * 60
"""Long enough for a client that fetches one token per sync, short enough that a
token found later in a log is useless."""
_AUTH_SALT = "daybook.sync.greader.auth"
_EDIT_SALT = "daybook.sync.greader.edit"

View = Callable[..., HttpResponse]


def auth_token(password: AppPassword) -> str:
    mac = salted_hmac(_AUTH_SALT, f"{password.pk}:{password.digest}", algorithm="sha256")
    return f"{password.pk}/{mac.hexdigest()}"


def _from_auth_token(token: str) -> AppPassword | None:
    pk, _, mac = token.partition("/")
    if not pk.isdigit() or len(pk) > 18 or not mac:
        return None
    password = AppPassword.objects.select_related("user").filter(pk=int(pk)).first()
    if password is None or not password.user.is_active:
        return None
    return password if hmac.compare_digest(auth_token(password), token) else None


def edit_token(password: AppPassword, issued: int | None = None) -> str:
    issued = int(time.time()) if issued is None else issued
    mac = salted_hmac(_EDIT_SALT, f"{password.pk}:{password.digest}:{issued}", algorithm="sha256")
    return f"{issued:010d}.{mac.hexdigest()[:46]}"


def edit_token_valid(password: AppPassword, token: str) -> bool:
    issued, _, _ = token.partition(".")
    if not issued.isdigit() or len(token) != 57:
        return False
    age = time.time() - int(issued)
    if not -60 <= age <= EDIT_TOKEN_SECONDS:
        return False
    return hmac.compare_digest(edit_token(password, int(issued)), token)


def _claimed_user(token: str) -> str:
    """The username a token says it is for, so a forged one counts against it."""
    pk = token.partition("/")[0]
    if not pk.isdigit() or len(pk) > 18:
        return ""
    name = AppPassword.objects.filter(pk=int(pk)).values_list("user__username", flat=True)
    return name.first() or ""


def unauthorized(message: str = "Unauthorized") -> HttpResponse:
    response = HttpResponse(f"Error={message}\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'GoogleLogin realm="daybook"'
    return response


def reader(request: HttpRequest) -> User:
    """The token holder of a request that ``signed_in`` let through."""
    user: User = request.app_password.user  # type: ignore[attr-defined]
    return user


def signed_in(view: View) -> View:
    """Require ``Authorization: GoogleLogin auth=<token>``. CSRF does not apply: the
    token is in a header no browser sends by itself, and writes need ``T`` too."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme != "GoogleLogin" or not token.startswith("auth="):
            return unauthorized()
        token = token[len("auth=") :]
        found = credentials.present(
            client_ip(request), lambda: _from_auth_token(token), lambda: _claimed_user(token)
        )
        if not isinstance(found, AppPassword):
            return unauthorized()
        request.app_password = found  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def writes(view: View) -> View:
    """A write: POST only, with a valid edit token (after ``signed_in``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse("POST only\n", status=405, content_type="text/plain")
        token = str(request.POST.get("T", ""))
        if not edit_token_valid(request.app_password, token):  # type: ignore[attr-defined]
            response = unauthorized("BadToken")
            response["X-Reader-Google-Bad-Token"] = "true"
            return response
        return view(request, *args, **kwargs)

    return signed_in(wrapper)
