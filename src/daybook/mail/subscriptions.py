"""What a reader sets up: their digest, their alerts, and the secrets of alert feeds.

Every change sets the subscription's next due moment from its schedule, so the tick
(``send``) finds it without reading every reader's settings on every pass.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from daybook.mail import timing
from daybook.mail.models import Subscription

MAX_ALERTS = 50


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def digest_of(user_id: int) -> Subscription | None:
    return Subscription.objects.filter(user_id=user_id, kind=Subscription.Kind.DIGEST).first()


def set_digest(user_id: int, schedule: timing.Schedule | None) -> Subscription | None:
    """The reader's digest on ``schedule`` (daily or weekly), or none at all."""
    if schedule is None:
        Subscription.objects.filter(user_id=user_id, kind=Subscription.Kind.DIGEST).delete()
        return None
    if schedule.cadence not in timing.DIGEST_CADENCES:
        raise ValueError("a digest is daily or weekly")
    fields = {
        "target": Subscription.Target.FOLLOWS,
        "cadence": schedule.cadence,
        "hour": schedule.hour,
        "weekday": schedule.weekday,
        "zone": schedule.zone,
        "due_at": timing.following(schedule, timezone.now()),
    }
    digest, _ = Subscription.objects.update_or_create(
        user_id=user_id,
        kind=Subscription.Kind.DIGEST,
        defaults=fields,
        create_defaults={**fields, "feed_token": new_feed_token()},
    )
    return digest


def add_alert(user_id: int, target: str, key: str, schedule: timing.Schedule) -> Subscription:
    if schedule.cadence not in timing.ALERT_CADENCES:
        raise ValueError("an alert comes as it happens, hourly or daily")
    return Subscription.objects.create(
        user_id=user_id,
        kind=Subscription.Kind.ALERT,
        target=target,
        key=key,
        cadence=schedule.cadence,
        hour=schedule.hour,
        weekday=schedule.weekday,
        zone=schedule.zone,
        due_at=timing.following(schedule, timezone.now()),
        feed_token=new_feed_token(),
    )


def renew_feed(user_id: int, subscription_id: int) -> bool:
    """Give an alert's feed a new secret: the old URL stops working at once."""
    return bool(
        Subscription.objects.filter(pk=subscription_id, user_id=user_id).update(
            feed_token=new_feed_token()
        )
    )
