"""What response headers ask: cache lifetimes and Link relations, hostile ones included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from daybook.pipeline.headers import MAX_DELTA_SECONDS, MAX_LINKS, cache_seconds, links

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BASE = "https://news.example/feeds/top.xml"


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


@pytest.mark.parametrize(
    ("cache_control", "expires", "date", "expected"),
    [
        (None, None, None, None),
        ("max-age=600", None, None, 600.0),
        ("public, MAX-AGE=600, must-revalidate", None, None, 600.0),
        ('max-age="600"', None, None, 600.0),  # quoted: senders must not, readers may
        ("no-cache, max-age=60", None, None, 60.0),  # max-age is what counts
        ("no-store", None, None, None),
        ("s-maxage=900", None, None, None),  # for shared caches, not us
        ("s-maxage=900, max-age=30", None, None, 30.0),
        ("max-age=30, max-age=900", None, None, 30.0),  # the first one
        ('no-cache="Set-Cookie, max-age=5", max-age=70', None, None, 70.0),
        ("max-age=0", None, None, 0.0),
        ("max-age=-5", None, None, None),
        ("max-age=1.5", None, None, None),
        ("max-age=soon", None, None, None),
        ("max-age=", None, None, None),
        ("max-age=²", None, None, None),  # a Unicode digit int() would read
        ("max-age=" + "9" * 5000, None, None, float(MAX_DELTA_SECONDS)),
        ("max-age=0000000000000000000042", None, None, 42.0),
        # Expires minus the response's Date, else minus now.
        (None, http_date(NOW + timedelta(hours=1)), http_date(NOW), 3600.0),
        (None, http_date(NOW + timedelta(hours=1)), http_date(NOW - timedelta(hours=1)), 7200.0),
        (None, http_date(NOW + timedelta(minutes=5)), None, 300.0),
        (None, http_date(NOW + timedelta(minutes=5)), "not a date", 300.0),
        (None, http_date(NOW - timedelta(days=1)), None, 0.0),  # already expired
        (None, "0", None, None),
        (None, "Thu, 32 Foo 99999 99:99:99 GMT", None, None),
        (None, "Fri, 31 Dec 9999 23:59:59 GMT", None, float(MAX_DELTA_SECONDS)),
        ("max-age=bad", http_date(NOW + timedelta(minutes=5)), None, 300.0),
        ("max-age=60", http_date(NOW + timedelta(days=1)), None, 60.0),  # max-age first
    ],
)
def test_cache_seconds(
    cache_control: str | None, expires: str | None, date: str | None, expected: float | None
) -> None:
    assert cache_seconds(cache_control, expires, date, NOW) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], ()),
        (
            ['<https://hub.example/>; rel="hub", </feeds/top.xml>; rel="self"'],
            (("hub", "https://hub.example/"), ("self", BASE)),
        ),
        (  # two header lines, a token rel, odd spacing and case
            ["<https://hub.example/> ;REL=Hub", "<top.xml>;rel=self"],
            (("hub", "https://hub.example/"), ("self", BASE)),
        ),
        (  # several relation types in one rel; only the first rel counts
            ['<https://x.example/a>; rel="hub self"; rel="next"'],
            (("hub", "https://x.example/a"), ("self", "https://x.example/a")),
        ),
        (  # commas and semicolons inside the target and in quoted values
            ['<https://x.example/a,b;c>; title="a, b; c"; rel="hub", <https://y.example/>; rel=up'],
            (("hub", "https://x.example/a,b;c"), ("up", "https://y.example/")),
        ),
        (  # escapes in a quoted rel
            ['<https://x.example/>; rel="h\\ub"'],
            (("hub", "https://x.example/"),),
        ),
        (  # not http(s), or no URL at all: dropped
            [
                '<javascript:alert(1)>; rel="hub", <file:///etc/passwd>; rel="self", '
                '<>; rel="hub", <https://ok.example/>; rel="hub"'
            ],
            (("hub", "https://ok.example/"),),
        ),
        (  # an anchor about another resource is not about this one
            [
                '<https://a.example/>; rel="hub"; anchor="/other", '
                '<https://b.example/>; rel="hub"; anchor="#part", '
                f'<https://c.example/>; rel="hub"; anchor="{BASE}"'
            ],
            (("hub", "https://b.example/"), ("hub", "https://c.example/")),
        ),
        (['<https://x.example/>; title="no rel"'], ()),
        (
            ['<https://x.example/>; rel="hub", <https://x.example/>; rel=hub'],
            (("hub", "https://x.example/"),),
        ),
        (["garbage, no angle brackets; rel=hub"], ()),
        (['<https://x.example/; rel="hub"'], ()),  # unterminated target
        (['<https://x.example/>; rel="hub'], (("hub", "https://x.example/"),)),  # open quote
        (["<https://[::1/>; rel=hub"], ()),  # a URL urljoin refuses
        (["<https://x.example/\x00>; rel=hub"], ()),
    ],
)
def test_links(values: list[str], expected: tuple[tuple[str, str], ...]) -> None:
    assert links(values, BASE) == expected


def test_links_are_capped() -> None:
    header = ", ".join(f'<https://x.example/{n}>; rel="hub"' for n in range(1000))
    found = links([header], BASE)
    assert len(found) == MAX_LINKS
    assert found[0] == ("hub", "https://x.example/0")


ALPHABET = '<>;,="\\ \t#:/?%relhubsfmax-ge0123456789\x00\x7f\u00e9\ud800'


def test_hostile_headers_never_raise() -> None:
    rng = random.Random(8288)
    for _ in range(3000):
        junk = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
        seconds = cache_seconds(junk, junk, junk, NOW)
        assert seconds is None or 0 <= seconds <= MAX_DELTA_SECONDS
        for rel, url in links([junk, junk], BASE):
            assert rel and url.startswith(("http://", "https://"))
