"""What readers add: comments and reports on them, bookmarks, what they follow
and mute, and tokens for writing through the API.

A follow or a mute names its target by kind and key (a publisher's id, a
topic's name, an entity's id, a word) so one table serves every kind and the
API can say what a reader follows in one list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from daybook.news.models import Article, Story


class Comment(models.Model):
    """A comment on an article or a story; a reply points at a top-level comment
    (replies go one level deep). Deleting keeps the row, blanked, so the replies
    under it keep their place."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="as written, in the small formatting subset")
    body_html = models.TextField(help_text="rendered and sanitised when saved")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False, help_text="hidden by a moderator")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, story__isnull=True)
                | Q(article__isnull=True, story__isnull=False),
                name="comment_on_article_or_story",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.article or self.story}: {self.body[:40]}"

    @property
    def visible(self) -> bool:
        return not (self.deleted or self.hidden)


class Report(models.Model):
    """A reader's report of a comment; open reports make the moderation queue."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_report_per_reader")
        ]


class Bookmark(models.Model):
    """An article saved to read later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="one_bookmark_per_article")
        ]


class Follow(models.Model):
    class Kind(models.TextChoices):
        PUBLISHER = "publisher"
        TOPIC = "topic"
        ENTITY = "entity"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="publisher id, topic name or entity id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_follow_per_target")
        ]


class Mute(models.Model):
    """A muted publisher (by id) or word; a muted word hides every article whose
    title or teaser contains it, wherever the reader looks."""

    class Kind(models.TextChoices):
        PUBLISHER = "publisher"
        WORD = "word"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_mute_per_target")
        ]


class ApiToken(models.Model):
    """A bearer token for writing through the API. Only its SHA-256 is stored;
    the token itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Throttle(models.Model):
    """Failed sign-ins counted against an address or a username (``throttle``).

    A row per key, changed only by single statements (an upsert that returns the
    new count), so parallel requests in any number of processes each see their own
    count and none slips past the limit. Times are Unix seconds.
    """

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    first = models.FloatField(help_text="when the window these attempts count in opened")
    locked_until = models.FloatField(default=0)
    allowed = models.PositiveIntegerField(
        default=5,
        help_text="the count up to which attempts go on: the limit, or one past a lockout",
    )

    class Meta:
        db_table = "community_throttle"  # named in throttle's upsert


class ThrottleEvent(models.Model):
    """One counted action (a comment, a sign-up, a reset mail) for sliding-window
    limits: inserted first, then counted, so a request over the limit sees itself."""

    key = models.CharField(max_length=80)
    at = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="throttle_events_by_key"),
            models.Index(fields=["at"], name="throttle_events_by_age"),
        ]


class ReadBound(models.Model):
    """ "Everything in this list stored before ``before`` is read": what "mark all as
    read" leaves, one row per reader and list however many articles it covers. The
    list "all" is the reader's watermark; a publisher, topic or story has its own."""

    class Kind(models.TextChoices):
        ALL = "all"
        PUBLISHER = "publisher"
        TOPIC = "topic"
        STORY = "story"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_bounds"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, blank=True, help_text="publisher id, topic or story id")
    before = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_bound_per_list")
        ]


class ReadMark(models.Model):
    """An exception to the bounds: an article read above them, or marked unread
    below them. Marks under a reader's watermark are dropped when it moves."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_marks"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    read = models.BooleanField()
    stored = models.DateTimeField(help_text="the article's created_at, to drop marks by bound")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="one_mark_per_article")
        ]
        indexes = [models.Index(fields=["user", "stored"], name="read_marks_by_time")]


class AppPassword(models.Model):
    """A password for one reader app (the Google Reader and Fever APIs), never the
    account's. Stored as a SHA-256 digest found by a short prefix of the secret, and
    as the Fever key md5("user:secret"), which that protocol sends instead of a
    password; both are safe to keep because the secret is random, ~120 bits, made by
    us (``daybook.community.app_passwords``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_passwords"
    )
    label = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    fever_key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.label or self.prefix}"


class ReaderRevision(models.Model):
    """A counter that moves whenever what a reader's pages show of them changes
    (saved, followed, muted, read), so a page made for them can be sent again until
    it moves (``daybook.community.changes``, ``daybook.web.pagecache``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    value = models.PositiveBigIntegerField(default=0)
