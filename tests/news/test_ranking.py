"""The front page's order: breadth of coverage and age, measured from the clock,
with only dated coverage counting; and the home page showing each article once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import count

import pytest
from django.utils import timezone

from daybook.news import ranking, stories
from daybook.news.models import Article, Source, Story
from daybook.web import pages

pytestmark = pytest.mark.django_db

_serial = count()


def story_of(*coverage: tuple[str, datetime | None], topics: list[str] | None = None) -> Story:
    """A story whose articles come from the named publishers at the given times
    (None: undated), its counts and span derived by ``stories.refresh``."""
    story = Story.objects.create(title=f"story {next(_serial)}")
    for publisher, published in coverage:
        source, _ = Source.objects.get_or_create(name=publisher)
        n = next(_serial)
        Article.objects.create(
            source=source,
            url=f"https://{publisher.lower()}.example/{n}",
            canonical_url=f"https://{publisher.lower()}.example/{n}",
            title=f"{publisher} on story {story.pk}",
            text=f"Text {n}.",
            text_hash=f"hash-{n}",
            published_at=published,
            story=story,
            topics=topics or [],
        )
    stories.refresh(story)
    story.refresh_from_db()
    return story


def ranked_ids() -> list[int]:
    return [r.story.pk for r in ranking.top_stories(10)]


def test_a_story_many_publishers_cover_outranks_a_newer_single_scoop():
    now = timezone.now()
    broad = story_of(*((p, now - timedelta(hours=10)) for p in ("A", "B", "C", "D")))
    scoop = story_of(("E", now - timedelta(hours=1)))
    assert ranked_ids() == [broad.pk, scoop.pk]


def test_interest_decays_with_age_at_equal_breadth():
    now = timezone.now()
    old = story_of(("A", now - timedelta(hours=40)), ("B", now - timedelta(hours=40)))
    new = story_of(("C", now - timedelta(hours=2)), ("D", now - timedelta(hours=2)))
    assert ranked_ids() == [new.pk, old.pk]


def test_an_undated_article_never_counts_as_now():
    now = timezone.now()
    dated = story_of(("A", now - timedelta(hours=30)), ("B", now - timedelta(hours=30)))
    # Stored just now, but with no publication date: it says nothing about when.
    undated_only = story_of(("C", None), ("D", None), ("E", None))
    mixed = story_of(("F", now - timedelta(hours=50)), ("G", None))
    assert undated_only.pk not in ranked_ids()
    assert abs(mixed.last_seen - (now - timedelta(hours=50))) < timedelta(seconds=1)
    top = {r.story.pk: r for r in ranking.top_stories(10)}
    assert top[mixed.pk].latest == mixed.last_seen
    assert ranked_ids()[0] == dated.pk


def test_a_date_in_the_future_does_not_pin_a_story_to_the_top_or_empty_the_page():
    now = timezone.now()
    today = story_of(("A", now - timedelta(hours=3)), ("B", now - timedelta(hours=4)))
    pinned = story_of(("C", now + timedelta(days=365 * 70)))
    assert ranked_ids() == [today.pk]
    assert pinned.pk not in ranked_ids()


def test_a_collection_that_stopped_updating_still_has_a_front_page():
    now = timezone.now()
    narrow = story_of(("A", now - timedelta(days=30)))
    broad = story_of(*((p, now - timedelta(days=31)) for p in ("B", "C", "D")))
    assert ranked_ids() == [broad.pk, narrow.pk]


def test_the_bounded_search_ranks_as_scoring_every_story_would():
    """Scores are computed for the few stories whose bound can still reach the top;
    the order must be the one every story's exact score gives, breadth, age,
    momentum and a date ahead of the clock included."""
    now = timezone.now()
    rng = random.Random(7)
    names = "ABCDEFGH"
    expected: dict[int, float] = {}
    for n in range(90):
        if n < 30:
            # Broad but old, with one date a feed got wrong: the best bounds, and
            # exact scores below the stories that follow.
            publishers, base = 6, now - timedelta(hours=60)
        else:
            publishers = rng.randint(1, 6)
            base = now - timedelta(hours=rng.uniform(0, 70))
        # Some stories are still gaining articles.
        times = [base - timedelta(hours=rng.uniform(0, 3)) for _ in range(publishers - 1)]
        times.append(now + timedelta(days=400) if n < 30 or n % 7 == 0 else base)
        story = story_of(*zip(names, times, strict=False))
        dated = [t for t in times if t <= now + ranking.FUTURE_TOLERANCE]
        if not dated:  # a story known only from a date ahead of the clock never ranks
            continue
        recent = sum(t >= now - ranking.MOMENTUM_WINDOW for t in dated)
        expected[story.pk] = ranking.score(publishers, now - max(dated), recent, publishers)
    best = sorted(expected, key=lambda pk: (-expected[pk], -pk))[:10]
    assert [r.story.pk for r in ranking.top_stories(10, now=now)] == best


def test_story_cards_name_their_publishers_and_latest_coverage():
    now = timezone.now()
    story = story_of(
        ("Kyodo", now - timedelta(hours=5)),
        ("Reuters", now - timedelta(hours=3)),
        ("Kyodo", now - timedelta(hours=2)),
        ("NHK", None),
    )
    [card] = pages.top_stories()
    assert card["id"] == story.pk
    assert [p["name"] for p in card["publishers"]] == ["Kyodo", "Reuters", "NHK"]
    assert card["publisher_count"] == 3
    latest = datetime.fromisoformat(card["latest"])
    assert abs(latest - (now - timedelta(hours=2))) < timedelta(seconds=1)


def test_home_shows_each_article_once(client):
    now = timezone.now()
    top = story_of(("A", now - timedelta(hours=1)), ("B", now - timedelta(hours=1)))
    for hours in range(2, 2 + pages.TOP_STORIES + 4):
        story_of(("C", now - timedelta(hours=hours)), topics=["Science", "Health"])
    data = client.get("/?format=json").json()
    assert data["stories"][0]["id"] == top.pk
    story_ids = {s["id"] for s in data["stories"]}
    shown = [a["id"] for a in data["articles"]] + [
        a["id"] for section in data["sections"] for a in section["articles"]
    ]
    assert shown, "latest and sections list the articles"
    assert len(shown) == len(set(shown)), "an article appears once"
    in_stories = set(Article.objects.filter(story__in=story_ids).values_list("pk", flat=True))
    assert not in_stories & set(shown), "a top story's articles are not repeated below it"
