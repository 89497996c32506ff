"""What a reader has read: bounds ("this list, up to this moment") plus exceptions.

Storage grows with what a reader does, not with what arrives: "mark all as read"
leaves one ``ReadBound`` per list, and only articles read above a bound, or marked
unread below one, leave a ``ReadMark``. Bounds compare with when an article was
stored (``created_at``), not when it says it was published, so an old article that
arrives late is still new to the reader; and a bound is the moment the list was
shown, so what arrives while the reader looks is not marked read unseen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from daybook.ai.topics import REGIONS, TOPICS
from daybook.community import changes
from daybook.community.models import ReadBound, ReadMark
from daybook.news.models import Article, tagged

Kind = ReadBound.Kind

SHOWN_MARGIN = timedelta(seconds=1)
"""Taken off a list's "shown at" time: an article is stamped when it is made and seen
once its transaction commits, a moment later, so one stamped just before the list was
read may not have been in it. Storing takes milliseconds; a second covers it."""


@dataclass(frozen=True)
class ReadState:
    bounds: Mapping[tuple[str, str], datetime] = field(default_factory=dict)
    """(kind, key) -> before: ("all", ""), ("publisher", "3"), ("topic", "Sports")."""
    marks: Mapping[int, bool] = field(default_factory=dict)
    """article id -> read, where it differs from what the bounds say."""

    def covered(
        self, stored: datetime, publisher: int | None, story: int | None, topics: Iterable[str]
    ) -> bool:
        """Whether some bound makes an article stored at ``stored`` read."""
        keys = [(Kind.ALL, ""), (Kind.PUBLISHER, str(publisher)), (Kind.STORY, str(story))]
        keys += [(Kind.TOPIC, topic) for topic in topics]
        return any(stored <= self.bounds.get(key, stored - timedelta(1)) for key in keys)

    def is_read(
        self,
        article: int,
        stored: datetime,
        publisher: int | None,
        story: int | None,
        topics: Iterable[str],
    ) -> bool:
        if article in self.marks:
            return self.marks[article]
        return self.covered(stored, publisher, story, topics)


def load(user_id: int) -> ReadState:
    bounds = {
        (kind, key): before
        for kind, key, before in ReadBound.objects.filter(user_id=user_id).values_list(
            "kind", "key", "before"
        )
    }
    return ReadState(
        bounds=bounds,
        marks=dict(ReadMark.objects.filter(user_id=user_id).values_list("article_id", "read")),
    )


def _covered_by(state: ReadState, article: Article) -> bool:
    return state.covered(article.created_at, article.source_id, article.story_id, article.topics)


def mark(user_id: int, article: Article, read: bool) -> None:
    """Mark one article read or unread (opening it marks it read); writes nothing
    when it already is."""
    state = load(user_id)
    if (
        state.is_read(
            article.pk, article.created_at, article.source_id, article.story_id, article.topics
        )
        == read
    ):
        return
    if _covered_by(state, article) == read:
        ReadMark.objects.filter(user_id=user_id, article=article).delete()
    else:
        ReadMark.objects.update_or_create(
            user_id=user_id,
            article=article,
            defaults={"read": read, "stored": article.created_at},
        )


def list_articles(kind: str, key: str) -> Q:
    """The articles of one list (as a condition on ``Article``)."""
    if kind == Kind.ALL:
        return Q()
    if kind == Kind.TOPIC:
        if key not in (*TOPICS, *REGIONS):
            raise ValueError(f"no such topic: {key!r}")
        return tagged(key)
    if not key.isdigit():
        raise ValueError(f"not a {kind} id: {key!r}")
    return Q(source_id=int(key)) if kind == Kind.PUBLISHER else Q(story_id=int(key))


def mark_all(user_id: int, kind: str, key: str, shown_at: datetime) -> datetime:
    """Mark everything in a list read up to the moment it was shown (never later
    than now); returns the bound kept. A bound only moves forward."""
    if kind not in Kind.values:
        raise ValueError(f"no such list: {kind!r}")
    key = "" if kind == Kind.ALL else key
    condition = list_articles(kind, key)
    before = min(shown_at, timezone.now()) - SHOWN_MARGIN
    bound, made = ReadBound.objects.get_or_create(
        user_id=user_id, kind=kind, key=key, defaults={"before": before}
    )
    if not made and bound.before < before:
        ReadBound.objects.filter(pk=bound.pk, before__lt=before).update(before=before)
        changes.changed(user_id)  # an update sends no signal
    kept = max(bound.before, before)
    # Marks under the bound say nothing the bound does not: read, now, all of them.
    marks = ReadMark.objects.filter(user_id=user_id, stored__lte=kept)
    if kind != Kind.ALL:
        marks = marks.filter(article__in=Article.objects.filter(condition).values("pk"))
    marks.delete()
    return kept


def unread(articles: QuerySet[Article], state: ReadState) -> QuerySet[Article]:
    """``articles`` without those the reader has read."""
    covered = Q(pk__in=[])
    for (kind, key), before in state.bounds.items():
        try:
            covered |= list_articles(kind, key) & Q(created_at__lte=before)
        except ValueError:  # a bound for a list that cannot exist: it covers nothing
            continue
    read = [pk for pk, is_read in state.marks.items() if is_read]
    kept_unread = [pk for pk, is_read in state.marks.items() if not is_read]
    return articles.filter((~covered & ~Q(pk__in=read)) | Q(pk__in=kept_unread))


def unread_by_publisher(state: ReadState, publishers: Iterable[int]) -> Counter[int]:
    """Unread originals per publisher, for the publishers a reader follows: one
    grouped count, whose conditions grow with what the reader did (bounds, marks),
    not with how many articles there are."""
    wanted = sorted(set(publishers))
    if not wanted:
        return Counter()
    originals = Article.objects.filter(copy_of=None, source_id__in=wanted)
    rows = unread(originals, state).order_by().values("source_id").annotate(n=Count("id"))
    return Counter({row["source_id"]: row["n"] for row in rows})
