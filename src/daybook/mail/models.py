"""What readers asked to receive, and what has been sent to them.

One ``Subscription`` table holds a reader's digest (at most one) and their alerts,
since both are "this selection, on this schedule, to this reader" and share their
due time, their unsubscribe token and their deliveries. A ``Delivery`` is one mail
for one subscription and period; its unique (subscription, period) is what makes a
period send at most one mail however many workers race for it (``send``). ``Sent``
records every story and article a reader has been mailed, so nothing goes twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from daybook.mail.timing import Cadence, Schedule


class Subscription(models.Model):
    class Kind(models.TextChoices):
        DIGEST = "digest"
        ALERT = "alert"

    class Target(models.TextChoices):
        FOLLOWS = "follows", "What you follow"
        SEARCH = "search", "A search"
        PUBLISHER = "publisher", "A publisher"
        TOPIC = "topic", "A topic"
        ENTITY = "entity", "A person or organisation"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_subscriptions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=10, choices=Target.choices)
    key = models.CharField(
        max_length=200, blank=True, help_text="search text, publisher id, topic or entity id"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    hour = models.PositiveSmallIntegerField(default=7, help_text="local hour, 0-23")
    weekday = models.PositiveSmallIntegerField(default=0, help_text="0 is Monday (weekly)")
    zone = models.CharField(max_length=64, default="UTC", help_text="IANA time zone")
    feed_token = models.CharField(
        max_length=64, unique=True, help_text="the secret in the alert's private feed URL"
    )
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(kind="digest"), name="one_digest_per_reader"
            ),
            models.CheckConstraint(condition=Q(hour__lte=23), name="subscription_hour_of_day"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="subscription_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.target} {self.key} {self.cadence}"

    @property
    def schedule(self) -> Schedule:
        return Schedule(self.cadence, self.hour, self.weekday, self.zone)


class Delivery(models.Model):
    """One mail: its content is chosen and frozen when the period is claimed, so a
    retry after a crash sends the same mail, not a second selection."""

    class Status(models.TextChoices):
        PENDING = "pending", "claimed, not yet handed to the mail server"
        SENT = "sent"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=32, help_text="2026-11-20, 2026-W47, 2026-11-20T13...")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    items = models.JSONField(default=list, help_text="what the mail shows, as composed")
    holder = models.CharField(max_length=32, help_text="the claim of the attempt that may send")
    lease_until = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="one_delivery_per_period"
            )
        ]


class Sent(models.Model):
    """A story (digests) or article (alerts) mailed to a reader. Plain ids, not
    foreign keys: the record outlives a story merged away or an article removed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, related_name="+")
    story_id = models.BigIntegerField(null=True, blank=True)
    article_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "story_id"],
                condition=Q(story_id__isnull=False),
                name="story_mailed_once",
            ),
            models.UniqueConstraint(
                fields=["user", "article_id"],
                condition=Q(article_id__isnull=False),
                name="article_mailed_once",
            ),
        ]
