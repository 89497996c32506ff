"""API tokens: bearer secrets for writing through the API.

Only a token's SHA-256 is stored, so a copy of the database gives nobody a
usable token. A plain hash (not a slow password hash) is enough because the token
is 256 random bits, not something a person chose and could guess.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from daybook.community.models import ApiToken

MAX_PER_READER = 25


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def make_token(user: User, name: str) -> str:
    """Store a new token for ``user`` and return it; this is the only time it exists in full."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user_id=user.pk, name=name[:100], digest=digest(raw))
    return raw


def user_for_token(raw: str) -> User | None:
    """The active reader a token belongs to, noting when it was last used; None
    for an unknown or revoked token."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
