"""Reader accounts as an operator sees them: made from the command line, listed with
what they connected."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Count, Max

from daybook.errors import DaybookError


class ReaderError(DaybookError):
    """A reader that cannot be made or found."""


@dataclass(frozen=True)
class ReaderRow:
    name: str
    app_passwords: int
    follows: int
    last_used: datetime | None


def create(name: str, password: str | None = None) -> tuple[User, str | None]:
    """A new reader account; returns the generated password when none was given
    (only the caller ever sees it)."""
    name = name.strip()
    if not name or len(name) > 150:
        raise ReaderError("give a name of 1 to 150 characters")
    if User.objects.filter(username=name).exists():
        raise ReaderError(f"a reader named {name!r} exists already")
    made = None if password else secrets.token_urlsafe(15)
    user = User(username=name)
    try:
        validate_password(password or str(made), user)
    except ValidationError as error:
        raise ReaderError(" ".join(error.messages)) from error
    user.set_password(password or made)
    user.save()
    return user, made


def find(name: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        raise ReaderError(f"no reader named {name!r}")
    return user


def rows() -> list[ReaderRow]:
    users = (
        User.objects.annotate(
            n_passwords=Count("app_passwords", distinct=True),
            n_follows=Count("follows", distinct=True),
            used=Max("app_passwords__last_used_at"),
        )
        .order_by("username")
        .values_list("username", "n_passwords", "n_follows", "used")
    )
    return [ReaderRow(*row) for row in users]
