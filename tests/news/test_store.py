from datetime import UTC, datetime, timedelta

import pytest

from daybook.news.models import Article, ArticleLink
from daybook.news.store import Outcome, store_article
from daybook.pipeline.normalise import normalise
from daybook.pipeline.types import ExtractedArticle
from tests.pipeline.test_dedupe import OTHER, WIRE

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def make(url, text, published=T0, title="Rates on hold"):
    extracted = ExtractedArticle(text=text, url=url, title=title, published=published)
    return normalise(extracted, url=url, now=T0 + timedelta(days=3))


def test_storing_the_same_article_twice_stores_it_once():
    first = store_article(make("https://wire.example/a", WIRE))
    again = store_article(make("https://wire.example/a?utm_source=rss", WIRE))
    assert first.outcome is Outcome.NEW
    assert again.outcome is Outcome.UNCHANGED
    assert Article.objects.count() == 1


def test_same_text_under_another_url_is_an_exact_duplicate():
    store_article(make("https://wire.example/a", WIRE))
    dup = store_article(make("https://paper.example/b", WIRE.upper()))
    assert dup.outcome is Outcome.DUPLICATE
    assert Article.objects.count() == 1
    assert set(ArticleLink.objects.values_list("url", flat=True)) == {
        "https://wire.example/a",
        "https://paper.example/b",
    }


def test_near_duplicate_is_stored_as_a_copy_of_the_original():
    original = store_article(make("https://wire.example/a", WIRE)).article
    trimmed = "\n\n".join([*WIRE.split("\n\n")[:4], "A local paragraph added by the paper."])
    copy = store_article(make("https://paper.example/b", trimmed, T0 + timedelta(hours=2)))
    unrelated = store_article(make("https://paper.example/c", OTHER))
    assert copy.outcome is Outcome.COPY
    assert copy.article.copy_of_id == original.pk
    assert unrelated.outcome is Outcome.NEW
    assert Article.objects.count() == 3


def test_an_earlier_original_arriving_late_becomes_the_original():
    parts = WIRE.split("\n\n")
    late_copy = store_article(
        make("https://paper.example/b", "\n\n".join(parts[:4]), T0 + timedelta(hours=2))
    ).article
    other_copy = store_article(
        make("https://other.example/c", "\n\n".join(parts[1:]), T0 + timedelta(hours=3))
    ).article
    wire = store_article(make("https://wire.example/a", WIRE, T0)).article
    late_copy.refresh_from_db()
    other_copy.refresh_from_db()
    wire.refresh_from_db()
    assert wire.copy_of_id is None
    assert late_copy.copy_of_id == wire.pk
    assert other_copy.copy_of_id == wire.pk


def test_changed_text_at_the_same_url_updates_the_article():
    first = store_article(make("https://wire.example/a", WIRE)).article
    corrected = WIRE.replace("seven to two", "six to three")
    again = store_article(make("https://wire.example/a", corrected))
    assert again.outcome is Outcome.UPDATED
    assert again.article.pk == first.pk
    assert "six to three" in Article.objects.get(pk=first.pk).text


def test_identical_text_keeps_the_earliest_publication_whatever_the_arrival_order():
    later = store_article(make("https://paper.example/b", WIRE, T0 + timedelta(hours=1))).article
    earlier = store_article(make("https://wire.example/a", WIRE, T0, title="Wire headline"))
    assert earlier.outcome is Outcome.DUPLICATE
    row = Article.objects.get()
    assert row.pk == later.pk
    assert (row.canonical_url, row.title) == ("https://wire.example/a", "Wire headline")
    assert ArticleLink.objects.filter(url="https://paper.example/b", article=row).exists()
