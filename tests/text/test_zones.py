"""One reading of a zone abbreviation, for pages and feeds alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daybook.pipeline.feeds import parse_feed
from daybook.pipeline.metadata import parse_date
from daybook.text.zones import rfc822_offset, zone

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<description>d</description><item><title>x</title><link>https://a.example/x</link>
<pubDate>Mon, 03 Nov 2025 10:00:00 {zone}</pubDate></item></channel></rss>"""


@pytest.mark.parametrize(
    ("name", "moment"),
    [
        ("IST", datetime(2025, 11, 3, 4, 30, tzinfo=UTC)),  # India
        ("CST", datetime(2025, 11, 3, 16, 0, tzinfo=UTC)),  # US Central
        ("JST", datetime(2025, 11, 3, 1, 0, tzinfo=UTC)),
    ],
)
def test_a_zone_means_the_same_moment_on_a_page_and_in_a_feed(name: str, moment: datetime) -> None:
    assert parse_date(f"3 November 2025 10:00 {name}") == moment
    [entry] = parse_feed(RSS.format(zone=name).encode(), url="https://a.example/feed").entries
    assert entry.published == moment


def test_an_unknown_name_is_not_guessed() -> None:
    assert zone("XYZ") is None and rfc822_offset("XYZ") is None
    assert rfc822_offset("ist") == "+0530" and rfc822_offset("PDT") == "-0700"
