"""App passwords: what a reader types into a reader app instead of their password.

A secret is ~120 random bits that we make, so a plain SHA-256 is enough to keep it
(nobody can guess it, so a slow hash would only cost every API request a slow
check); the first characters are stored apart to find the row without an index on
the secret itself. The Fever protocol sends md5("user:password") instead of a
password, so that is stored too: md5 is the protocol's, and of a random secret it
reveals nothing more than the SHA-256 does. Each password belongs to one reader and
is checked together with their name, so one reader's password never opens another's
account, and the account password never opens the APIs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from daybook.community.models import AppPassword

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
"""32 letters and digits, none that reads like another (no l, o, 0, 1)."""
GROUPS, GROUP = 6, 4
"""Six groups of four: 24 characters of 5 bits, 120 bits, typed on a phone."""
PREFIX = GROUP
MAX_PER_READER = 25
TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` moves at most this often: a sync makes many requests, and a
write per request would contend with ingest on SQLite."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def fever_key(username: str, secret: str) -> str:
    return hashlib.md5(f"{username}:{secret}".encode(), usedforsecurity=False).hexdigest()


def normalise(typed: str) -> str:
    """The secret as made, from what a person typed (case and spaces do not matter)."""
    return "".join(typed.split()).lower()


def make(user: User, label: str = "") -> tuple[AppPassword, str]:
    """A new app password for ``user`` and its secret, which exists in full only here."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP))
    secret = "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))
    password = AppPassword.objects.create(
        user=user,
        label=label.strip()[:100],
        prefix=secret[:PREFIX],
        digest=digest(secret),
        fever_key=fever_key(user.get_username(), secret),
    )
    return password, secret


def revoke(user: User, pk: int) -> bool:
    """Delete one of ``user``'s app passwords; it stops working with the next request."""
    removed, _ = AppPassword.objects.filter(pk=pk, user=user).delete()
    return bool(removed)


def check(login: str, typed: str) -> AppPassword | None:
    """The active reader's app password that ``typed`` is, when ``login`` (their
    username or e-mail address) names its owner; None otherwise."""
    secret = normalise(typed)
    login = login.strip()
    if not secret or not login or len(secret) > 100 or len(login) > 254:
        return None
    wanted = digest(secret)
    owner = Q(user__username=login) | (Q(user__email__iexact=login) & ~Q(user__email=""))
    for password in AppPassword.objects.select_related("user").filter(
        owner, prefix=secret[:PREFIX], user__is_active=True
    ):
        if hmac.compare_digest(password.digest, wanted):
            return password
    return None


def by_fever_key(key: str) -> AppPassword | None:
    key = key.strip().lower()
    if len(key) != 32:
        return None
    return (
        AppPassword.objects.select_related("user")
        .filter(fever_key=key, user__is_active=True)
        .first()
    )


def touch(password: AppPassword) -> None:
    now = timezone.now()
    if password.last_used_at is None or password.last_used_at < now - TOUCH_EVERY:
        AppPassword.objects.filter(pk=password.pk).update(last_used_at=now)
        password.last_used_at = now
