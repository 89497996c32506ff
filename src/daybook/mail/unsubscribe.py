"""Unsubscribe tokens: a mail's own link stops what sent it, without signing in.

The token is the pair (reader, subscription) signed with the site's key under a
salt of its own, so it cannot be forged, cannot be turned into another reader's
(changing either id breaks the signature, and the subscription must belong to the
reader it names), and is worth nothing for anything else the key signs. It does
not expire: a mail is read months later; it dies with its subscription.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from daybook.mail.models import Subscription

SALT = "daybook.mail.unsubscribe"


def token(subscription: Subscription) -> str:
    return signing.dumps([subscription.user_id, subscription.pk], salt=SALT)


def url(subscription: Subscription) -> str:
    return settings.DAYBOOK_PUBLIC_URL + reverse("mail-unsubscribe", args=[token(subscription)])


def ids(raw: str) -> tuple[int, int] | None:
    """(reader id, subscription id) of a genuine token; None for anything else."""
    if len(raw) > 200:
        return None
    try:
        value = signing.loads(raw, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(type(v) is int for v in value):
        return None
    return value[0], value[1]


def stop(user_id: int, subscription_id: int) -> bool:
    """End the subscription if it is still there (and the reader's); whether it was."""
    deleted, _ = Subscription.objects.filter(pk=subscription_id, user_id=user_id).delete()
    return deleted > 0
