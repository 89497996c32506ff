"""Who is writing: a bearer token, and nothing else.

Cookie sessions are deliberately not accepted here. A browser sends cookies on
its own, so a session-authenticated API would need CSRF tokens; a bearer token
is only ever sent by a client that holds it, so writes need no CSRF check.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from daybook.community.tokens import user_for_token


class Token(HttpBearer):
    """``Authorization: Bearer <token>``, a token made on the reader's account page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


def reader(request: HttpRequest) -> User:
    """The reader a token-authenticated operation runs for."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User), "the operation requires Token auth"
    return user
