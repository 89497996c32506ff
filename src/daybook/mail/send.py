"""Sending digests and alerts: the tick claims what is due, a task on the ``mail``
queue sends it, exactly once per subscription and period however many workers run.

How a period is sent once:

1. The tick claims a due subscription with the compare-and-set of every claim
   (``news.schedule.claim_due``): of two ticks, one submits its task.
2. The task (``send_due``) chooses the mail's content and, in one transaction,
   inserts the ``Delivery`` for (subscription, period), unique, with a claim token
   of its own, and a ``Sent`` row per story or article, unique per reader. A second
   copy of the task (queues deliver at least once) or another worker racing for the
   same period fails on the constraint and sends nothing; so does a mail that would
   repeat a story another delivery just took.
3. Right before the mail server is called, the holder checks, with an UPDATE on its
   own token, that the claim is still its own and renews its lease; after the
   server accepts the mail, the delivery is marked sent.

A crash (SIGKILL, the mail server away) anywhere after step 2 leaves the delivery
pending: its lease runs out and the tick hands it to a worker again, which sends
the same frozen content with the same Message-ID. So the choice is **at least
once**: a mail is never lost, and it goes twice only if a worker dies (or stalls
longer than the lease) in the moment between the mail server accepting it and the
row saying so; the repeat then carries the same Message-ID. At-most-once would
turn that moment into a mail silently lost instead.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from daybook.community import state as reader_state
from daybook.mail import alerts, compose, digests, timing
from daybook.mail.models import Delivery, Sent, Subscription
from daybook.news import tasks
from daybook.news.work import lease

log = logging.getLogger("daybook.mail")

SMTP_TIMEOUT = 30.0
"""Seconds a mail server may take: well inside the lease, so a claim checked just
before sending is still held when the server answers."""
ATTEMPTS = 3
"""Selections tried when a concurrent delivery to the same reader takes a story first."""


def submit_due() -> int:
    """For the tick: submit every due subscription and every delivery whose holder
    died. Nothing is mailed without ``DAYBOOK_PUBLIC_URL``: every link in a mail,
    its unsubscribe link first, must reach the site."""
    from daybook.news.schedule import claim_due  # the tick imports this module

    if not settings.DAYBOOK_PUBLIC_URL:
        return 0
    count = 0
    for pk, _ in claim_due(Subscription.objects.exclude(due_at=None), "due_at"):
        tasks.submit(send_due, pk)
        count += 1
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    for pk, values in claim_due(pending, "lease_until", holder=lambda: secrets.token_hex(16)):
        tasks.submit(deliver_again, pk, values["holder"])
        count += 1
    return count


@task(queue_name="mail")
def send_due(subscription_id: int) -> str:
    """Send one subscription's mail for its current period, if there is anything."""
    return send_period(subscription_id)


@task(queue_name="mail")
def deliver_again(delivery_id: int, holder: str) -> str:
    """Send a delivery whose first attempt died after claiming it."""
    return deliver(delivery_id, holder)


def send_period(subscription_id: int) -> str:
    """The mail of the period the clock is in: "sent", "empty" (nothing new: no
    mail), "taken" (another attempt has it) or "gone"."""
    subscription = Subscription.objects.select_related("user").filter(pk=subscription_id).first()
    if subscription is None:
        return "gone"
    now = timezone.now()
    schedule = subscription.schedule
    period = timing.period(schedule, timing.latest(schedule, now))
    outcome = "empty"
    user = subscription.user
    if user.is_active and user.email:
        holder = secrets.token_hex(16)
        claimed = claim(subscription, period, holder)
        if claimed is not None:
            outcome = deliver(claimed, holder)
        elif Delivery.objects.filter(subscription=subscription, period=period).exists():
            outcome = "taken"
    Subscription.objects.filter(pk=subscription_id).update(due_at=timing.following(schedule, now))
    return outcome


def _items(subscription: Subscription) -> list[dict[str, Any]]:
    state = reader_state.load(subscription.user_id)
    if subscription.kind == Subscription.Kind.DIGEST:
        return [digests.item(c) for c in digests.stories(subscription.user_id, state)]
    return [alerts.item(c) for c in alerts.articles(subscription, state)]


def claim(subscription: Subscription, period: str, holder: str) -> int | None:
    """Insert the period's delivery with its content, held by ``holder``; its id, or
    None when there is nothing to send or the period is claimed already."""
    for _ in range(ATTEMPTS):
        if Delivery.objects.filter(subscription=subscription, period=period).exists():
            return None
        items = _items(subscription)
        if not items:
            return None
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    subscription=subscription,
                    user_id=subscription.user_id,
                    period=period,
                    items=items,
                    holder=holder,
                    lease_until=lease(),
                )
                Sent.objects.bulk_create(
                    Sent(
                        user_id=subscription.user_id,
                        delivery=delivery,
                        story_id=i.get("story"),
                        article_id=i.get("article"),
                    )
                    for i in items
                )
        except IntegrityError:  # another attempt took the period, or one of its stories
            continue
        return delivery.pk
    return None


def deliver(delivery_id: int, holder: str) -> str:
    """Hand a pending delivery to the mail server if ``holder`` still holds it."""
    held = Delivery.objects.filter(
        pk=delivery_id,
        holder=holder,
        status=Delivery.Status.PENDING,
        lease_until__gt=timezone.now(),
    ).update(lease_until=lease(), attempts=F("attempts") + 1)
    if not held:
        return "taken"
    delivery = (
        Delivery.objects.select_related("subscription", "user").filter(pk=delivery_id).first()
    )
    if delivery is None:  # unsubscribed a moment ago: the delivery went with it
        return "gone"
    message = compose.message(delivery)
    message.connection = get_connection(timeout=SMTP_TIMEOUT)
    message.send()
    Delivery.objects.filter(pk=delivery_id, holder=holder).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    log.info("mail sent delivery=%s period=%s", delivery_id, delivery.period)
    return "sent"
