"""Signing API clients in with app passwords, under the site's sign-in lockout.

ClientLogin is a sign-in like the site's: its attempt is counted before the app
password is checked (``throttle.begin_signin``), so failures from one address or for
one name lock both the same way. Per-request credentials (a GoogleLogin token, a
Fever key) are checked first and only a failure is counted: they are 128 bits or
more that nobody can guess, so the race that counting first closes for a person's
password does not exist, and a sync's many requests cost no writes. Either way a
locked address or name is refused even with a right password until the lock ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from daybook.community import app_passwords, throttle
from daybook.community.models import AppPassword


@dataclass(frozen=True)
class Locked:
    wait: int
    """Seconds until a sign-in may be tried again."""


def sign_in(ip: str, login: str, secret: str) -> AppPassword | Locked | None:
    """ClientLogin: the app password ``secret`` of the reader ``login`` names."""
    wait = throttle.begin_signin(ip, login)
    if wait:
        return Locked(wait)
    found = app_passwords.check(login, secret)
    if found is None:
        throttle.signin_failed(ip, login)
        return None
    throttle.signin_succeeded(ip, login)
    app_passwords.touch(found)
    return found


def present(
    ip: str, find: Callable[[], AppPassword | None], claimed: Callable[[], str]
) -> AppPassword | Locked | None:
    """A per-request credential: the app password ``find`` returns, unless the
    address or its owner is locked out. A failure counts against the address and
    ``claimed()``, the name the credential says it is for (empty when it says none)."""
    found = find()
    if found is None:
        name = claimed()
        if not throttle.begin_signin(ip, name):
            throttle.signin_failed(ip, name)
        return None
    wait = throttle.signin_retry_after(ip, found.user.get_username())
    if wait:
        return Locked(wait)
    app_passwords.touch(found)
    return found
