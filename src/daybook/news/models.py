"""What ingestion stores: sources, their feeds, the entries seen in them, the
articles those entries became, and a log of every fetch attempt; and what
enrichment adds: each article's vector, summary, topics, entities and quotes, and
the stories that group articles about one event.

Double storing is made impossible by the database itself, not by the code
that checks first: a URL maps to one article (``ArticleLink.url`` unique), an
article's canonical URL and normalised text are unique, and a feed entry is
recorded once per feed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Source(models.Model):
    """A publisher, e.g. "Kyodo News"; it may have several feeds."""

    name = models.CharField(max_length=200)
    site_url = models.URLField(max_length=2000, blank=True)
    icon = models.URLField(
        max_length=2000, blank=True, help_text="the icon or logo its feed names, shown small"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feed(models.Model):
    """A feed URL and its polling state (validators, failures, next poll).

    ``next_poll_at`` doubles as the scheduler's claim: the tick moves it a lease
    ahead (and sets ``claim``) in one UPDATE that only one process can win, and the
    poll task writes the real next time when it is done. A poll whose worker died
    simply lets the lease run out, and the feed is due again.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    poll_interval = models.PositiveIntegerField(default=1800, help_text="seconds")
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(
        null=True, blank=True, help_text="start of the current run of failures"
    )
    disabled_reason = models.TextField(blank=True, help_text="why polling stopped by itself")
    interval_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="seconds; a fixed interval chosen by the operator"
    )
    floor_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="seconds; replaces the feed's own floor (ttl, Cache-Control, "
        "Crawl-delay) for a feed the operator owns",
    )
    asked_floor = models.PositiveIntegerField(
        default=0, help_text="seconds the feed itself last asked to be left alone"
    )
    claim = models.CharField(max_length=32, blank=True, help_text="token of the poll under way")

    class Meta:
        indexes = [models.Index(fields=["active", "next_poll_at"], name="feeds_due")]

    def __str__(self) -> str:
        return self.url


class Article(models.Model):
    """One stored article. A near-duplicate keeps its own row (its outlet, its
    headline, its edits) and points at the original through ``copy_of``, so
    pages show the story text once and can still say who republished it."""

    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    url = models.URLField(max_length=2000)
    canonical_url = models.URLField(max_length=2000, unique=True)
    input_path = models.TextField(blank=True, help_text="local file it was ingested from")
    title = models.TextField()
    text = models.TextField()
    authors = models.JSONField(default=list)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    site_name = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=20, blank=True)
    image = models.URLField(max_length=2000, blank=True)
    description = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    reading_minutes = models.PositiveIntegerField(default=0)
    text_hash = models.CharField(max_length=64, unique=True)
    related = models.JSONField(default=list, help_text="teasers found around a capture")
    copy_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    copy_similarity = models.FloatField(null=True, blank=True)
    shingle_count = models.PositiveIntegerField(default=0)
    signature = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    # Enrichment. Each stage records what produced it in ``enriched`` (stage ->
    # model@version), so a newer model or algorithm redoes only what it changes.
    story = models.ForeignKey(
        "Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    embedding = models.BinaryField(default=b"")
    embedding_model = models.CharField(max_length=200, blank=True, db_index=True)
    summary = models.JSONField(default=list, help_text="[{text, paragraph, sentence}]")
    key_points = models.JSONField(default=list, help_text="[{text, paragraph, sentence}]")
    topics = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    enriched = models.JSONField(default=dict, help_text="stage -> what produced it")
    enrich_error = models.TextField(blank=True)
    enrich_attempts = models.PositiveIntegerField(default=0)
    stage = models.CharField(
        max_length=10,
        default="enrich",
        help_text="next pipeline step: enrich, place, or done",
    )
    work_due_at = models.DateTimeField(
        null=True,
        blank=True,
        default=timezone.now,
        help_text="when the next step is due (a lease while a worker holds it); "
        "empty when there is nothing to do",
    )
    producers = models.CharField(
        max_length=16, blank=True, db_index=True, help_text="digest of ``enriched``"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        # Lists show originals newest first; without this SQLite walks every
        # original through the copy_of index and sorts them all.
        indexes = [
            models.Index(fields=["copy_of", "published_at", "id"], name="originals_by_time"),
            # Pending work is found through this index, never by reading every row.
            models.Index(fields=["work_due_at"], name="articles_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def publisher(self) -> str:
        return self.source.name if self.source else self.site_name


def tagged(name: str) -> models.Q:
    """Articles tagged with topic ``name``. JSON containment is PostgreSQL-only, so
    the JSON text is matched instead: a topic is stored as the quoted string."""
    return models.Q(topics__icontains=f'"{name}"')


class ArticleLink(models.Model):
    """Every URL that has led to an article (fetched, canonical, feed link).
    Checking a URL here is how a re-run knows it has the article already."""

    url = models.URLField(max_length=2000, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")


class DedupeBand(models.Model):
    """One LSH band of an article's MinHash signature: articles sharing a band
    are the only candidates compared when looking for near-duplicates."""

    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")

    class Meta:
        indexes = [models.Index(fields=["key"])]
        constraints = [models.UniqueConstraint(fields=["article", "band"], name="one_key_per_band")]


class Entry(models.Model):
    """A feed item as last seen, so a re-poll can tell new, changed and known
    items apart without fetching their pages again."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    entry_id = models.CharField(max_length=2000)
    fingerprint = models.CharField(max_length=64)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # A page still to fetch: the entry as the feed gave it, and when it is due
    # (a lease while a worker fetches it). Both empty once it is stored or given up.
    pending = models.JSONField(default=dict, blank=True)
    fetch_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "entry_id"], name="one_entry_per_feed")
        ]
        verbose_name_plural = "entries"


class FetchAttempt(models.Model):
    """The log of fetch attempts: what was asked, what came back, how long."""

    class Outcome(models.TextChoices):
        OK = "ok"
        NOT_MODIFIED = "not_modified"
        ERROR = "error"

    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    url = models.URLField(max_length=2000)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error = models.TextField(blank=True)
    bytes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]


class Story(models.Model):
    """Articles about one event, from every publisher that covered it.

    Stories only grow or merge: an article stays in the story it joined unless
    its story is merged into another (``merged_into`` keeps the trail, so old
    links to a merged story can still be followed).
    """

    title = models.TextField(blank=True)
    summary = models.JSONField(default=list, help_text="[{article, text, paragraph, sentence}]")
    centroid = models.BinaryField(default=b"")
    embedding_model = models.CharField(max_length=200, blank=True)
    entities = models.JSONField(default=dict, help_text="canonical name -> mentions")
    first_seen = models.DateTimeField(default=timezone.now, db_index=True)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    article_count = models.PositiveIntegerField(default=0)
    publisher_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    summary_stale = models.BooleanField(default=True)
    generated_summary = models.TextField(
        blank=True, help_text="written by the language-model provider, when one is set"
    )
    generated_by = models.CharField(max_length=200, blank=True)
    # When the summary (and, on its own queue, the language-model summary) is due
    # to be rewritten; a lease while a worker does it; empty when up to date.
    refresh_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    llm_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [
            models.Index(
                fields=["merged_into", "embedding_model", "last_seen"], name="stories_active"
            ),
            # The front page's candidates and their score bounds (news/ranking.py),
            # read from the index alone: the rows carry a vector each.
            models.Index(
                fields=["merged_into", "last_seen", "article_count", "publisher_count"],
                name="stories_ranked",
            ),
        ]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title or f"story {self.pk}"

    @staticmethod
    def current(pk: int) -> Story | None:
        """The story ``pk`` now lives on as: itself, or the story it was merged into
        (followed through every merge); None if there is no such story."""
        story = Story.objects.filter(pk=pk).first()
        seen: set[int] = set()
        while story is not None and story.merged_into_id is not None and story.pk not in seen:
            seen.add(story.pk)  # merges cannot loop; a guard is cheap
            story = story.merged_into
        return story


class Entity(models.Model):
    """A person, organisation or place with one canonical name across the collection."""

    class Kind(models.TextChoices):
        PERSON = "person"
        ORGANISATION = "organisation"
        PLACE = "place"

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    aliases = models.JSONField(default=list, help_text="surface forms seen for it")
    articles = models.PositiveIntegerField(
        default=0, help_text="original articles naming it (weighs entities in clustering)"
    )
    version = models.BigIntegerField(
        default=0, db_index=True, help_text="registry version of its last change"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="entity_name_kind_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ArticleEntity(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField(default=1)
    spelling = models.CharField(
        max_length=300, blank=True, default="", help_text="the article's spelling of the name"
    )

    class Meta:
        ordering = ["-count", "entity__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="article_entity_unique")
        ]


class EntitySpelling(models.Model):
    """How many original articles spell an entity one way: the evidence its canonical
    name follows (``ai.entities.best_spelling``). Counted by atomic UPDATEs, so workers
    saving articles at once never lose a count."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="spellings")
    spelling = models.CharField(max_length=300)
    articles = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "spelling"], name="entity_spelling_unique")
        ]


class Quote(models.Model):
    """Words an article puts in quotation marks, with who said them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    speaker = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    text = models.TextField()
    unnamed = models.CharField(
        max_length=200, blank=True, help_text='an unnamed source, as described ("an official")'
    )
    paragraph = models.PositiveIntegerField(default=0)
    end_paragraph = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article", "position"]


class Revision(models.Model):
    """A counter per kind of content ("news", "comments") bumped after commits that
    change it. Page caches and ETags key on it, so every process, whatever its cache,
    sees new articles: reading it is one primary-key query. News bumps are coalesced
    (``news/revision.py``) so a running ingest does not empty the page cache with
    every article it stores."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    pending = models.BooleanField(
        default=False, help_text="changed since the last bump, which was too recent to repeat"
    )


class Tally(models.Model):
    """A shared counter ("originals", "entities"), moved with one atomic UPDATE so
    every process and machine agrees on it without reading a whole table."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)


class Heartbeat(models.Model):
    """A worker or scheduler tick that said it was alive at ``seen_at``; `daybook
    status` and /healthz read these, and a task left running by a worker not seen
    for a while is known to be lost."""

    name = models.CharField(max_length=100, primary_key=True)
    kind = models.CharField(max_length=10)  # "worker" or "tick"
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    queues = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)


class HostState(models.Model):
    """Politeness shared by every process: when the next request to a host may start."""

    host = models.CharField(max_length=300, primary_key=True)
    next_start_at = models.FloatField(default=0.0, help_text="Unix time")


class HostSlot(models.Model):
    """One of a host's concurrent-request slots, leased by the process using it."""

    host = models.CharField(max_length=300)
    slot = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=64, blank=True)
    held_until = models.FloatField(default=0.0, help_text="Unix time the lease ends")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "slot"], name="one_host_slot")]


class RobotsRecord(models.Model):
    """A fetched robots.txt, shared by every process until it expires."""

    origin = models.CharField(max_length=300, primary_key=True)
    body = models.TextField(blank=True)
    allow_all = models.BooleanField(default=False, help_text="missing or unreachable")
    expires_at = models.FloatField(help_text="Unix time")


class WebSubSubscription(models.Model):
    """A feed's subscription at its WebSub hub: pushes are accepted only when signed
    with ``secret`` (HMAC), and the lease is renewed before ``expires_at``."""

    class State(models.TextChoices):
        REQUESTED = "requested"
        ACTIVE = "active"
        DENIED = "denied"
        UNSUBSCRIBED = "unsubscribed"

    feed = models.OneToOneField(Feed, on_delete=models.CASCADE, related_name="websub")
    hub = models.URLField(max_length=2000)
    topic = models.URLField(max_length=2000)
    secret = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    lease_seconds = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
