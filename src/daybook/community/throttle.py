"""Counters in Django's cache that slow down guessing passwords and flooding
comments.

The cache is the right place: the counts are short-lived, every web process
shares them when the cache is Redis, and losing them (a restart with the
in-memory cache) only forgives a few failures. Counts are approximate under
races between processes, which is fine for a brake.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

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


@dataclass(frozen=True)
class _Failures:
    count: int
    first: float
    """When the window these failures count in opened."""
    locked_until: float


def _key(kind: str, value: str) -> str:
    # Hashed: usernames and addresses are arbitrary text, cache keys are not.
    return f"throttle:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _signin_keys(ip: str, username: str) -> tuple[str, str]:
    return _key("signin-ip", ip), _key("signin-user", username.strip().casefold())


def signin_retry_after(ip: str, username: str) -> int:
    """Seconds until a sign-in from ``ip`` for ``username`` may be tried again; 0
    when it may be tried now. Asked before checking the password, so a locked
    account costs no hashing, and asked the same way whether or not the username
    exists, so the answer reveals nothing about it."""
    now = time.time()
    waits = [
        f.locked_until - now
        for f in cache.get_many(_signin_keys(ip, username)).values()
        if isinstance(f, _Failures)
    ]
    return max(0, math.ceil(max(waits, default=0)))


def signin_failed(ip: str, username: str) -> None:
    """Count one failed sign-in against both the address and the username."""
    now = time.time()
    for key in _signin_keys(ip, username):
        old = cache.get(key)
        # Below the limit the window restarts once it has passed; at or past it the
        # record lives on (until it expires) so the next lockout is longer.
        if not isinstance(old, _Failures) or (
            old.count < SIGNIN_LIMIT and now - old.first > SIGNIN_WINDOW
        ):
            old = _Failures(0, now, 0)
        count = old.count + 1
        locked_until = old.locked_until
        if count >= SIGNIN_LIMIT:
            lock = min(SIGNIN_WINDOW * 2 ** (count - SIGNIN_LIMIT), SIGNIN_MAX_LOCK)
            locked_until = now + lock
        failures = _Failures(count, old.first, locked_until)
        # Kept one window past the lockout: a failure soon after it ends locks for longer.
        keep = max(locked_until, old.first + SIGNIN_WINDOW) - now + SIGNIN_WINDOW
        cache.set(key, failures, timeout=math.ceil(keep))


def signin_succeeded(username: str) -> None:
    """Forget the username's failures; the address's stay, since one right
    password says nothing about the other accounts tried from there."""
    cache.delete(_key("signin-user", username.strip().casefold()))


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

    The windows slide (the times of the recent actions are kept), so no burst
    fits across a window's edge."""
    key = _key(kind, who)
    now = time.time()
    longest = max(window for window, _ in limits)
    recent: list[float] = [t for t in cache.get(key, []) if now - t < longest]
    waits: list[float] = []
    for window, limit in limits:
        inside = [t for t in recent if now - t < window]
        if len(inside) >= limit:
            waits.append(inside[-limit] + window - now)
    if waits:
        return max(1, math.ceil(max(waits)))
    keep = max(limit for _, limit in limits)
    cache.set(key, [*recent, now][-keep:], timeout=longest)
    return 0
