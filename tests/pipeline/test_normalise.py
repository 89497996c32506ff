from datetime import UTC, datetime, timedelta, timezone

import pytest

from daybook.pipeline.normalise import (
    canonical_url,
    detect_language,
    normalise,
    reading_minutes,
    relative_age,
    text_hash,
)
from daybook.pipeline.types import ExtractedArticle, FeedEntry

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.example.com/a.html?utm_source=rss&utm_medium=feed",
            "https://www.example.com/a.html",
        ),
        ("https://example.com/a?id=3&fbclid=xyz&gclid=1", "https://example.com/a?id=3"),
        ("HTTPS://Example.COM:443/a#comments", "https://example.com/a"),
    ],
)
def test_canonical_url_drops_tracking_and_noise(url, expected):
    assert canonical_url(url) == expected


def test_canonical_link_of_the_same_site_wins():
    assert (
        canonical_url("https://www.news.example/amp/a?utm_campaign=x", "https://news.example/a")
        == "https://news.example/a"
    )


def test_canonical_link_to_another_site_is_ignored():
    assert canonical_url("https://news.example/a", "https://evil.example/b") == (
        "https://news.example/a"
    )


def test_language_detection():
    assert detect_language("The prime minister said on Tuesday the economy would grow.") == "en"
    assert (
        detect_language("東京で大きな地震があり、気象庁は津波の心配はないと発表しました。") == "ja"
    )
    assert detect_language("ok") is None


def test_reading_time_counts_cjk_by_character():
    assert reading_minutes("word " * 460) == 2
    assert reading_minutes("字" * 1000) == 2
    assert reading_minutes("") == 0


def test_text_hash_ignores_case_spacing_and_punctuation():
    assert text_hash("Hello,  World!\n\nBye.") == text_hash("hello world bye")
    assert text_hash("hello world") != text_hash("hello there")


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=27), "27 minutes ago"),
        (timedelta(hours=14), "14 hours ago"),
        (timedelta(days=2, hours=3), "2 days ago"),
        (timedelta(days=10), "14 Nov"),
        (timedelta(days=400), "20 Oct 2025"),
    ],
)
def test_relative_age(delta, expected):
    assert relative_age(NOW - delta, NOW) == expected


def test_normalise_merges_page_and_feed_and_converts_to_utc():
    tokyo = timezone(timedelta(hours=9))
    extracted = ExtractedArticle(
        text="First paragraph here.\n\nSecond one.",
        url="https://news.example/a?utm_source=rss",
        published=datetime(2026, 11, 20, 9, 0, tzinfo=tokyo),
    )
    entry = FeedEntry(
        id="1",
        url="https://news.example/a",
        title="Feed title",
        published=None,
        updated=None,
        authors=("Jane Doe",),
        image="https://news.example/i.jpg",
    )
    result = normalise(extracted, url="https://news.example/a?utm_source=rss", entry=entry, now=NOW)
    assert result.canonical_url == "https://news.example/a"
    assert result.title == "Feed title"
    assert result.authors == ("Jane Doe",)
    assert result.published == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert result.image == "https://news.example/i.jpg"
    assert result.language == "en"
    assert result.word_count == 5


def test_a_published_time_in_the_future_is_not_believed():
    extracted = ExtractedArticle(text="Text of the article.", published=NOW + timedelta(days=300))
    result = normalise(extracted, url="https://news.example/a", now=NOW)
    assert result.published == NOW


def test_soft_hyphens_and_zero_width_characters_leave_the_text():
    extracted = ExtractedArticle(
        text="Benjamin Netan\u00adyahu met Vladi\u00admir Putin.\u200b",
        url="https://a.example/x",
        title="Netan\u00adyahu\u2060 in Moscow",
    )
    article = normalise(extracted, url="https://a.example/x")
    assert article.text == "Benjamin Netanyahu met Vladimir Putin."
    assert article.title == "Netanyahu in Moscow"
