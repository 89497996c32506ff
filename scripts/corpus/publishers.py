"""The invented publishers: who they are, where their feed lives, how their URLs look."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


@dataclass(frozen=True)
class Publisher:
    slug: str
    name: str
    host: str
    feed: str  # path of the feed on the origin
    feed_kind: str  # rss | atom
    discoverable: bool  # home page links the feed with <link rel="alternate">
    metadata: str  # jsonld | opengraph | none
    offset_hours: int
    curly: bool  # house style prints typographic quotes and apostrophes
    full_text_feed: bool
    path_of: Callable[[datetime, str, str], str]  # (local time, section, slug) -> path

    @property
    def origin(self) -> str:
        return f"https://www.{self.host}.example"

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.offset_hours))

    @property
    def tz_text(self) -> str:
        sign = "+" if self.offset_hours >= 0 else "-"
        return f"{sign}{abs(self.offset_hours):02d}:00"


def _ymd(t: datetime, sep: str = "/") -> str:
    return t.strftime(f"%Y{sep}%m{sep}%d")


PUBLISHERS = [
    Publisher(
        slug="meridian",
        name="Meridian Wire",
        host="meridianwire",
        feed="/feed.xml",
        feed_kind="rss",
        discoverable=True,
        metadata="jsonld",
        offset_hours=0,
        curly=False,
        full_text_feed=True,
        path_of=lambda t, section, slug: f"news/{_ymd(t)}/{slug}.html",
    ),
    Publisher(
        slug="hinode",
        name="The Hinode Shimbun",
        host="hinodeshimbun",
        feed="/atom.xml",
        feed_kind="atom",
        discoverable=True,
        metadata="jsonld",
        offset_hours=9,
        curly=True,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"english/{section}/{_ymd(t, '')}-{slug}.html",
    ),
    Publisher(
        slug="tokyolantern",
        name="Tokyo Lantern",
        host="tokyolantern",
        feed="/feed.xml",
        feed_kind="rss",
        discoverable=True,
        metadata="opengraph",
        offset_hours=9,
        curly=False,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"{t:%Y}/{t:%m}/{slug}.html",
    ),
    Publisher(
        slug="asialedger",
        name="Asia Ledger",
        host="asialedger",
        feed="/rss.xml",
        feed_kind="rss",
        discoverable=True,
        metadata="jsonld",
        offset_hours=8,
        curly=False,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"{section}/{_ymd(t, '-')}/{slug}.html",
    ),
    Publisher(
        slug="courier",
        name="The Continental Courier",
        host="continentalcourier",
        feed="/feed.xml",
        feed_kind="rss",
        discoverable=True,
        metadata="opengraph",
        offset_hours=1,
        curly=True,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"en/{section}/{_ymd(t)}/{slug}.html",
    ),
    Publisher(
        slug="sentinel",
        name="The National Sentinel",
        host="nationalsentinel",
        feed="/feeds/all.xml",
        feed_kind="rss",
        discoverable=True,
        metadata="jsonld",
        offset_hours=-5,
        curly=False,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"{_ymd(t)}/{section}/{slug}.html",
    ),
    Publisher(
        slug="setopost",
        name="Seto Inland Post",
        host="setoinlandpost",
        feed="/feed.xml",
        feed_kind="rss",
        discoverable=False,
        metadata="none",
        offset_hours=9,
        curly=False,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"local/{_ymd(t, '')}/{slug}.html",
    ),
    Publisher(
        slug="bitstream",
        name="Bitstream Review",
        host="bitstreamreview",
        feed="/atom.xml",
        feed_kind="atom",
        discoverable=True,
        metadata="opengraph",
        offset_hours=-8,
        curly=True,
        full_text_feed=False,
        path_of=lambda t, section, slug: f"posts/{slug}.html",
    ),
]

BY_SLUG = {p.slug: p for p in PUBLISHERS}

# Publishers whose pages carry OpenGraph tags (some alongside JSON-LD).
OPENGRAPH = {"hinode", "tokyolantern", "courier", "sentinel", "bitstream"}

# Topic -> URL section, first match wins (the event's topic list is ordered).
SECTIONS = {
    "Politics": "politics",
    "Economy": "business",
    "Business": "business",
    "Technology": "tech",
    "Science": "science",
    "Health": "health",
    "Sports": "sports",
    "Culture": "culture",
    "Environment": "environment",
}
