"""Extraction of captured page text: golden captures, ages, captions, chrome, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from daybook.errors import ExtractError
from daybook.pipeline.extract import extract_document
from daybook.pipeline.pagetext import extract_capture

CAPTURES = Path(__file__).parent.parent / "fixtures" / "captures"
CAPTURE_NAMES = sorted(p.stem for p in CAPTURES.glob("*.txt"))
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)

BODY = (
    "The council voted on Monday to keep the old library open for another five years.\n"
    "Officials said the building would get a new roof and a lift before next spring.\n"
)


def test_there_are_enough_golden_captures() -> None:
    assert len(CAPTURE_NAMES) >= 6


@pytest.mark.parametrize("name", CAPTURE_NAMES)
def test_golden_capture(name: str) -> None:
    expected: dict[str, Any] = json.loads((CAPTURES / f"{name}.expected.json").read_text("utf-8"))
    # Bytes and extract_document, as the ingest service will call it.
    article = extract_document((CAPTURES / f"{name}.txt").read_bytes(), now=NOW)

    assert article.title == expected["title"]
    assert article.site_name == expected["site_name"]
    assert list(article.authors) == expected["authors"]
    published = article.published.isoformat() if article.published else None
    assert published == expected["published"]
    assert article.text.split("\n\n") == expected["text"]
    assert [
        {"title": r.title, "publisher": r.publisher, "age": r.age, "text": r.text}
        for r in article.related
    ] == expected["related"]


@pytest.mark.parametrize("name", CAPTURE_NAMES)
def test_capture_text_has_no_chrome(name: str) -> None:
    article = extract_capture((CAPTURES / f"{name}.txt").read_text("utf-8"), now=NOW)
    for line in article.text.split("\n\n"):
        assert line.strip() == line and line
        assert "©" not in line and "Comment" not in line and "app" not in line.split()
        assert line != article.title


# ------------------------------------------------------------------ times


def test_age_needs_now() -> None:
    capture = "Pocket Brief\nLibrary stays open\nKyodo News14 hours ago\n" + BODY
    assert extract_capture(capture, now=None).published is None
    assert extract_capture(capture, now=NOW).published == NOW - timedelta(hours=14)
    assert extract_capture(capture).site_name == "Kyodo News"


@pytest.mark.parametrize(
    ("stamp", "delta"),
    [
        ("Metro Wire2 hours ago", timedelta(hours=2)),
        ("Metro Wire • 45 minutes ago", timedelta(minutes=45)),
        ("time5 hours ago", timedelta(hours=5)),
        ("Metro Wire · an hour ago", timedelta(hours=1)),
        ("Metro Wire | 3d ago", timedelta(days=3)),
        ("Metro Wire yesterday", timedelta(days=1)),
        ("Metro Wire • Just now", timedelta(0)),
        ("メトロ通信14時間前", timedelta(hours=14)),
    ],
)
def test_ages_count_back_from_now(stamp: str, delta: timedelta) -> None:
    capture = f"Library stays open for five more years\n{stamp}\n{BODY}"
    assert extract_capture(capture, now=NOW).published == NOW - delta


def test_absolute_date_is_read_without_now_and_naive_now_is_utc() -> None:
    capture = "Library stays open for five more years\nDaily Planet03-11-2025\n" + BODY
    assert extract_capture(capture).published == datetime(2025, 11, 3, tzinfo=UTC)
    naive_now = datetime(2025, 11, 3, 12, 0)  # naive on purpose
    capture = "Library stays open for five more years\nDaily Planet2 days ago\n" + BODY
    assert extract_capture(capture, now=naive_now).published == NOW - timedelta(days=2)


# ------------------------------------------------------------------ header shapes


@pytest.mark.parametrize(
    "caption",
    [
        "The old library on Market Street. (Photo: Daily Planet)",
        "Workers repair the roof, November 2, 2025. REUTERS/Sam Lee",
        "Readers in the main hall",
        "Photo: Daily Planet/Lena Park",
        "館内で本を読む利用者（写真：毎日新報）",
    ],
)
def test_caption_is_left_out(caption: str) -> None:
    capture = f"Library stays open for five more years\nDaily Planet03-11-2025\n{caption}\n{BODY}"
    article = extract_capture(capture)
    assert article.text == BODY.strip().replace("\n", "\n\n")


def test_sentence_caption_before_byline_is_left_out() -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        "Readers sit in the main hall of the old library on Sunday.\nBy Tom Reed\n" + BODY
    )
    article = extract_capture(capture)
    assert article.authors == ("Tom Reed",)
    assert article.text.startswith("The council voted")


def test_byline_can_carry_the_date_and_the_publisher() -> None:
    capture = (
        "Daily Planet\nLibrary stays open for five more years\n"
        "By HARRIET VANCE, Daily Planet | Nov 3, 2025\n" + BODY
    )
    article = extract_capture(capture)
    assert article.authors == ("Harriet Vance",)
    assert article.published == datetime(2025, 11, 3, tzinfo=UTC)
    assert article.site_name == "Daily Planet"


def test_plain_text_without_any_header_is_all_body() -> None:
    article = extract_capture(BODY)
    assert article.title is None
    assert article.text == BODY.strip().replace("\n", "\n\n")


def test_body_subheading_is_kept_but_trailing_ui_is_not() -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        + BODY
        + "What happens next\nThe roof work starts in March and should take six weeks.\n"
        + "Share\nFollow\nComments (12)\n"
    )
    paragraphs = extract_capture(capture).text.split("\n\n")
    assert "What happens next" in paragraphs
    assert paragraphs[-1] == "The roof work starts in March and should take six weeks."


def test_more_on_subheading_inside_body_does_not_end_it() -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        + BODY
        + "More on the roof\nThe roof work starts in March and should take six weeks.\n"
    )
    assert extract_capture(capture).text.endswith("should take six weeks.")


# ------------------------------------------------------------------ related teasers


def test_teaser_without_heading_is_not_part_of_the_body() -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        + BODY
        + "Museum opens new wing\nMetro Wire3 hours ago\n"
        + "The museum's new wing holds the city's collection of maps and old prints.\n"
    )
    article = extract_capture(capture)
    assert "Museum" not in article.text
    assert [(r.title, r.publisher, r.age) for r in article.related] == [
        ("Museum opens new wing", "Metro Wire", "3 hours ago")
    ]


def test_comment_sections_do_not_become_teasers() -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        + BODY
        + "Comments\nreader_42\n2 hours ago\nGood news for the neighbourhood, finally.\n"
        + "Related\nMuseum opens new wing\nMuseum opens new wing\nMetro Wire\n3 hours ago\n"
        + "The museum's new wing holds the city's collection of maps.\n"
    )
    titles = [r.title for r in extract_capture(capture).related]
    assert titles == ["Museum opens new wing"]


@pytest.mark.parametrize(
    "prompt",
    [
        "Get the full story in the Morning Owl app",
        "Download the app for breaking news alerts",
        "Continue reading in our app",
        "続きはアプリで",
    ],
)
def test_app_prompts_in_any_wording_end_teaser_text(prompt: str) -> None:
    capture = (
        "Library stays open for five more years\nDaily Planet03-11-2025\n"
        + BODY
        + "Related\nMuseum opens new wing\nMuseum opens new wing\nMetro Wire\n3 hours ago\n"
        + "The museum's new wing holds the city's collection of maps.\n"
        + f"{prompt}\nNever miss a story: turn on notifications for the latest updates\n"
    )
    [teaser] = extract_capture(capture).related
    assert teaser.text == "The museum's new wing holds the city's collection of maps."


def test_ages_of_teasers_stay_as_printed_without_now() -> None:
    capture = (CAPTURES / "newshub_daily_planet.txt").read_text("utf-8")
    ages = [r.age for r in extract_capture(capture, now=None).related]
    assert ages == ["5 hours ago", "1 day ago"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n   \n",
        "Share\nComments\nGet the app\nDownload on the App Store",
        "Library stays open for five more years\nDaily Planet03-11-2025",
        "Menu\nSearch\nSign in\nHome\nWorld\nBusiness\n© 2025 Daily Planet",
    ],
    ids=["empty", "blank", "chrome-only", "header-only", "navigation-only"],
)
def test_capture_without_article_raises(text: str) -> None:
    with pytest.raises(ExtractError):
        extract_capture(text, now=NOW)


def test_oversized_capture_is_refused() -> None:
    with pytest.raises(ExtractError, match="too long"):
        extract_capture("word " * 1_000_000)


def test_repetitive_capture_ends() -> None:
    capture = "Same line again and again\n" * 3000 + BODY + "Share\n" * 3000
    with pytest.raises(ExtractError):
        extract_capture(capture)


WIRE_CAPTURE = """Skip to content
Daily Planet
Storm cuts power to two million across the islands
By Ana Cruz
14 hours ago
MANILA, Nov 20 (Daily Planet) - A storm cut power to more than two million homes across \
the central islands on Friday and forced ferries to stay in port, officials said.
The coast guard said thousands of passengers were stranded overnight in ports across the region.
Crews from three provinces were sent to repair lines, and most homes should have power \
again by Sunday.
Related stories
METRO WIRE - 2 hours ago - 17:40 | All, World
Relief flights reach the storm-hit islands
Two cargo planes landed with tents and water tanks on Saturday.
METRO WIRE - 5 hours ago - 14:10 | All, Asia
Rescuers search flooded villages for the missing
Teams searched two villages cut off by landslides.
{copyright}"""


def test_a_wire_capture_is_dated_by_its_dateline_and_its_teasers_titled_by_headline() -> None:
    capture = WIRE_CAPTURE.format(copyright="© 2026 Daily Planet. All rights reserved.")
    article = extract_capture(capture)
    assert article.site_name == "Daily Planet"  # not the skip link above it
    # "14 hours ago" says nothing without the moment of capture; the dateline gives the
    # day, and the copyright line the year.
    assert article.published == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert [(t.title, t.publisher, t.age) for t in article.related] == [
        ("Relief flights reach the storm-hit islands", "METRO WIRE", "2 hours ago"),
        ("Rescuers search flooded villages for the missing", "METRO WIRE", "5 hours ago"),
    ]
    # With no year anywhere the day stays unknown: never "now", never a guess.
    assert extract_capture(WIRE_CAPTURE.format(copyright="")).published is None
    # Told when it was captured, the age is exact.
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)
    assert extract_capture(capture, now=now).published == now - timedelta(hours=14)
