"""Counters that slow down guessing passwords and flooding comments.

They live in the database, the one store every web process and every deployment
shares (the cache is per process unless Redis is set), and every step that decides
is a single statement: an attempt is counted before the password is checked, by an
upsert that returns the new count, so parallel guesses each get their own number and
those past the limit are refused without a check. A sign-in that succeeds gives its
attempt back.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Greatest

from daybook.community.models import Throttle, ThrottleEvent

SIGNIN_LIMIT = 5
"""Failures allowed within ``SIGNIN_WINDOW`` before sign-ins are refused."""
SIGNIN_WINDOW = 15 * 60
SIGNIN_MAX_LOCK = 24 * 60 * 60
"""Each failure after a lockout doubles the next one, up to a day."""

COMMENT_LIMITS = ((60, 5), (24 * 60 * 60, 50))
"""(window in seconds, comments allowed in it) per reader."""
SIGNUP_LIMITS = ((60 * 60, 5),)
"""Accounts one address may make an hour."""
RESET_LIMITS = ((60 * 60, 5),)
"""Password-reset mails one address may ask for an hour (each one sends a mail)."""
LONGEST_WINDOW = max(
    window for limits in (COMMENT_LIMITS, SIGNUP_LIMITS, RESET_LIMITS) for window, _ in limits
)


def _key(kind: str, value: str) -> str:
    # Hashed: usernames and addresses are arbitrary text of any length.
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _signin_keys(ip: str, username: str) -> tuple[str, str]:
    return _key("signin-ip", ip), _key("signin-user", username.strip().casefold())


def signin_retry_after(ip: str, username: str) -> int:
    """Seconds until a sign-in from ``ip`` for ``username`` may be tried again; 0
    when it may be tried now. Asked the same way whether or not the username exists,
    so the answer reveals nothing about it."""
    now = time.time()
    locks = Throttle.objects.filter(key__in=_signin_keys(ip, username), locked_until__gt=now)
    return max(0, math.ceil(max(locks.values_list("locked_until", flat=True), default=now) - now))


def begin_signin(ip: str, username: str) -> int:
    """Count a sign-in attempt before its password is checked: 0 if it may go on,
    else the seconds to wait (and the password is not to be checked at all). Asked
    before hashing, so a locked account costs nothing. Every attempt that goes on
    ends in ``signin_succeeded`` or ``signin_failed``."""
    wait = signin_retry_after(ip, username)
    if wait:
        return wait
    now = time.time()
    # Counts that would start again anyway: every key's, so the table stays small.
    cutoff = now - SIGNIN_WINDOW
    Throttle.objects.filter(first__lt=cutoff, locked_until__lt=cutoff).delete()
    keys = _signin_keys(ip, username)
    counted = [_count_attempt(key, now) for key in keys]
    if any(count > allowed for count, allowed in counted):
        # Attempts in flight took the last places: this one is refused, uncounted.
        Throttle.objects.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)
        return max(1, signin_retry_after(ip, username) or math.ceil(_lock(SIGNIN_LIMIT)))
    return 0


def signin_failed(ip: str, username: str) -> None:
    """The attempt's password was wrong: at the limit, lock both keys, each lockout
    after the first twice as long as the one before; once it ends, one more attempt
    goes on."""
    now = time.time()
    for row in Throttle.objects.filter(key__in=_signin_keys(ip, username)):
        if row.count >= SIGNIN_LIMIT:
            Throttle.objects.filter(pk=row.pk).update(
                locked_until=Greatest(F("locked_until"), Value(now + _lock(row.count))),
                allowed=Greatest(F("allowed"), Value(row.count + 1)),
            )


def signin_succeeded(ip: str, username: str) -> None:
    """Forget the username's failures and give the address its attempt back; the
    address's other failures stay, since one right password says nothing about the
    other accounts tried from there."""
    ip_key, user_key = _signin_keys(ip, username)
    Throttle.objects.filter(key=user_key).delete()
    Throttle.objects.filter(key=ip_key, count__gt=0).update(count=F("count") - 1)


def _lock(count: int) -> float:
    return float(min(SIGNIN_WINDOW * 2 ** max(0, count - SIGNIN_LIMIT), SIGNIN_MAX_LOCK))


_COUNT_ATTEMPT = """
INSERT INTO "community_throttle" AS t ("key", "count", "first", "locked_until", "allowed")
VALUES (%s, 1, %s, 0, %s)
ON CONFLICT ("key") DO UPDATE SET
    "count" = CASE WHEN t."first" < %s AND t."locked_until" < %s
        THEN 1 ELSE t."count" + 1 END,
    "first" = CASE WHEN t."first" < %s AND t."locked_until" < %s
        THEN excluded."first" ELSE t."first" END,
    "locked_until" = CASE WHEN t."first" < %s AND t."locked_until" < %s
        THEN 0 ELSE t."locked_until" END,
    "allowed" = CASE WHEN t."first" < %s AND t."locked_until" < %s
        THEN excluded."allowed" ELSE t."allowed" END
RETURNING "count", "allowed"
"""
"""Stale (its window passed, and a window since any lockout ended): start again."""


def _count_attempt(key: str, now: float) -> tuple[int, int]:
    """One more attempt for ``key``, in one statement; returns the new count and
    the count up to which attempts go on.

    The count starts again once its window has passed and a window has passed since
    any lockout ended; until then it lives on, so the next lockout is longer.
    """
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_ATTEMPT, [key, now, SIGNIN_LIMIT, *([now - SIGNIN_WINDOW] * 8)])
        count, allowed = cursor.fetchone()
    return int(count), int(allowed)


def take_comment(user_id: int) -> int:
    """Count one new comment by ``user_id``: 0 if allowed, else seconds to wait."""
    return take("comments", str(user_id), COMMENT_LIMITS)


def take_signup(ip: str) -> int:
    return take("signup", ip, SIGNUP_LIMITS)


def take_reset(ip: str) -> int:
    return take("reset", ip, RESET_LIMITS)


def take(kind: str, who: str, limits: tuple[tuple[int, int], ...]) -> int:
    """Count one ``kind`` action by ``who`` and return 0 if every (window, limit)
    still allows it; otherwise count nothing and return the seconds until it would.

    The windows slide (each action's time is kept), so no burst fits across a
    window's edge. The action is recorded before the others are counted: of two
    requests racing for the last place, the one that counts last sees both, so the
    limit is never passed (at worst both are refused)."""
    key = _key(kind, who)
    now = time.time()
    ThrottleEvent.objects.filter(at__lt=now - LONGEST_WINDOW).delete()
    mine = ThrottleEvent.objects.create(key=key, at=now)
    longest = max(window for window, _ in limits)
    others = sorted(
        ThrottleEvent.objects.filter(key=key, at__gte=now - longest)
        .exclude(pk=mine.pk)
        .values_list("at", flat=True)
    )
    waits = [
        inside[-limit] + window - now
        for window, limit in limits
        if len(inside := [t for t in others if now - t < window]) >= limit
    ]
    if waits:
        mine.delete()
        return max(1, math.ceil(max(waits)))
    return 0
