"""Feed parsing: golden pairs, hostile XML, sniffing, dates and encodings."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from daybook.errors import ParseError
from daybook.pipeline.feeds import looks_like_feed, parse_feed
from daybook.pipeline.types import ParsedFeed

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"
REJECTED = FIXTURES / "rejected"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
BASE = "https://news.example.com/feeds/"

GOLDEN = sorted(
    path for path in FIXTURES.iterdir() if path.is_file() and ".expected." not in path.name
)


def as_json(feed: ParsedFeed) -> Any:
    """The parsed feed as the plain JSON its golden file holds."""
    return json.loads(json.dumps(dataclasses.asdict(feed), default=datetime.isoformat))


def parse(data: bytes, **kwargs: Any) -> ParsedFeed:
    kwargs.setdefault("url", BASE + "feed.xml")
    kwargs.setdefault("now", NOW)
    return parse_feed(data, **kwargs)


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{declaration}<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    ).encode()


# -- golden pairs ---------------------------------------------------------


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_golden(path: Path) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
    parsed = parse_feed(path.read_bytes(), url=BASE + path.name, now=NOW)
    assert as_json(parsed) == expected


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_every_golden_fixture_looks_like_a_feed(path: Path) -> None:
    assert looks_like_feed(path.read_bytes(), None)


def test_golden_fixtures_cover_every_format() -> None:
    names = {path.name for path in GOLDEN}
    assert {"rss091.xml", "rss10.xml", "rss20.xml", "atom10.xml", "jsonfeed11.json"} <= names
    assert {"lying-latin1.xml", "lying-utf8.xml", "bozo.xml"} <= names


# -- refused and not-a-feed documents ------------------------------------

REFUSED = {
    "billion-laughs.xml": "declares entities",
    "quadratic-blowup.xml": "declares entities",
    "xxe.xml": "declares entities",
    "xxe-parameter.xml": "declares entities",
    "xxe-utf16.xml": "declares entities",
    "malformed-with-entities.xml": "malformed and declares entities",
    "html-page.html": "not a feed",
    "svg.xml": "not a feed",
    "random.bin": "not a feed",
    "not-a-json-feed.json": "without a JSON Feed version",
    "json-feed-without-items.json": "without an items list",
    "truncated.json": "invalid JSON",
    "empty.xml": "empty document",
    "whitespace.xml": "empty document",
}


def test_every_rejected_fixture_is_listed() -> None:
    assert {path.name for path in REJECTED.iterdir()} == set(REFUSED)


@pytest.mark.parametrize(("name", "message"), sorted(REFUSED.items()))
def test_rejected(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse((REJECTED / name).read_bytes())


def test_xxe_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    feed = rss("<item><title>&xxe;</title></item>", declaration='<?xml version="1.0"?>' + doctype)
    with pytest.raises(ParseError) as caught:
        parse(feed)
    assert "TOP-SECRET-MARKER" not in str(caught.value)


def test_external_doctype_is_allowed_but_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "feed.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET-MARKER">')
    feed = rss(
        "<item><title>Plain</title><link>https://a.example/1</link></item>",
        declaration=f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}">',
    )
    parsed = parse(feed)
    assert [entry.title for entry in parsed.entries] == ["Plain"]
    assert "TOP-SECRET-MARKER" not in repr(parsed)


def test_a_body_that_is_a_file_path_is_not_opened(tmp_path: Path) -> None:
    """feedparser opens a string that names a file; we must never let it."""
    real_feed = tmp_path / "feed.xml"
    real_feed.write_bytes(rss("<item><title>From disk</title></item>"))
    with pytest.raises(ParseError, match="not a feed"):
        parse(str(real_feed).encode())


def test_deeply_nested_json_is_refused_cleanly() -> None:
    data = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
    data += b"]" * 100_000 + b"}"
    with pytest.raises(ParseError, match="invalid JSON"):
        parse(data)


# -- sniffing -------------------------------------------------------------


def test_looks_like_feed_trusts_the_body_over_the_header() -> None:
    page = (REJECTED / "html-page.html").read_bytes()
    feed = (FIXTURES / "rss20.xml").read_bytes()
    assert not looks_like_feed(page, "application/rss+xml")
    assert looks_like_feed(feed, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    "name", ["html-page.html", "svg.xml", "random.bin", "empty.xml", "not-a-json-feed.json"]
)
def test_looks_like_feed_rejects(name: str) -> None:
    assert not looks_like_feed((REJECTED / name).read_bytes(), None)


def test_looks_like_feed_sees_past_a_long_prolog() -> None:
    prolog = (
        b'<?xml version="1.0"?>\n<!-- ' + b"x" * 5000 + b" -->\n<?xml-stylesheet href='s.xsl'?>"
    )
    assert looks_like_feed(prolog + b'<rdf:RDF xmlns:rdf="r"></rdf:RDF>', None)
    assert looks_like_feed(b'\xef\xbb\xbf  <feed xmlns="http://www.w3.org/2005/Atom"/>', None)
    assert looks_like_feed('<rss version="2.0"/>'.encode("utf-16"), None)


def test_content_type_vouches_for_json_without_a_version() -> None:
    data = b'{"items": []}'
    assert looks_like_feed(data, "application/feed+json; charset=utf-8")
    assert not looks_like_feed(data, "application/json")


# -- encodings ------------------------------------------------------------


def test_header_charset_decodes_an_undeclared_legacy_feed() -> None:
    data = '<rss version="2.0"><channel><title>Caf\xe9</title></channel></rss>'.encode("latin-1")
    parsed = parse(data, content_type="application/rss+xml; charset=iso-8859-1")
    assert parsed.title == "Café"


def test_utf8_body_wins_over_a_header_that_says_latin1() -> None:
    data = '<rss version="2.0"><channel><title>Café — 日本</title></channel></rss>'.encode()
    parsed = parse(data, content_type="text/xml; charset=ISO-8859-1")
    assert parsed.title == "Café — 日本"


def test_utf8_is_the_default_without_header_or_declaration() -> None:
    data = '<rss version="2.0"><channel><title>東京</title></channel></rss>'.encode()
    assert parse(data).title == "東京"


# -- what the feed asks of its readers ------------------------------------

SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'
ATOM = 'xmlns:atom="http://www.w3.org/2005/Atom"'
HOURLY = "<sy:updatePeriod>hourly</sy:updatePeriod>"


def channel(inside: str) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0" {SY} {ATOM}><channel><title>T</title>'
        f"{inside}<item><title>a</title></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("inside", "expected"),
    [
        ("", None),
        ("<ttl>60</ttl>", 3600),
        ("<ttl> 15 </ttl>", 900),
        ("<ttl>0</ttl>", None),
        ("<ttl>-5</ttl>", None),
        ("<ttl>soon</ttl>", None),
        ("<ttl>1.5</ttl>", None),
        ("<ttl>" + "9" * 5000 + "</ttl>", None),  # too many digits to be a count
        ("<ttl>999999999</ttl>", 7 * 86400),  # capped at MAX_TTL
        (HOURLY, 3600),
        (
            "<sy:updatePeriod>Daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>",
            21600,
        ),
        (HOURLY + "<sy:updateFrequency>0</sy:updateFrequency>", 3600),  # 0 counts as 1
        ("<sy:updatePeriod>yearly</sy:updatePeriod>", 7 * 86400),
        ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
        ("<sy:updateFrequency>4</sy:updateFrequency>", None),  # a frequency of no period
        # Both asked: the longer wins.
        ("<ttl>10</ttl>" + HOURLY, 3600),
        ("<ttl>120</ttl>" + HOURLY, 7200),
    ],
)
def test_ttl_seconds(inside: str, expected: int | None) -> None:
    assert parse(channel(inside)).ttl_seconds == expected


def test_hub_and_self_are_absolute_http_urls_and_the_first_usable_wins() -> None:
    parsed = parse(
        channel(
            '<atom:link rel="hub" href="javascript:alert(1)"/>'
            '<atom:link rel="HUB" href="/websub"/>'
            '<atom:link rel="hub" href="https://second.example/"/>'
            '<atom:link rel="self" href="feed.xml"/>'
        )
    )
    assert parsed.hub == "https://news.example.com/websub"
    assert parsed.self_url == BASE + "feed.xml"


def test_a_feed_without_hub_or_self_has_neither() -> None:
    parsed = parse(channel('<atom:link rel="self" href="ftp://files.example/feed.xml"/>'))
    assert (parsed.hub, parsed.self_url) == (None, None)


@pytest.mark.parametrize(
    ("hubs", "expected"),
    [
        ([{"type": "WebSub", "url": "https://hub.example/"}], "https://hub.example/"),
        ([{"type": "rssCloud", "url": "https://cloud.example/"}], None),
        ([{"type": "websub", "url": "file:///etc/passwd"}], None),
        (["junk", {"type": 7}, {"type": "WebSub", "url": "/hub"}], "https://news.example.com/hub"),
        ("not a list", None),
    ],
)
def test_json_feed_hub_is_its_first_websub_hub(hubs: object, expected: str | None) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [], "hubs": hubs}
    assert parse(json.dumps(feed).encode()).hub == expected


# -- entries --------------------------------------------------------------


def test_dates_more_than_a_day_ahead_are_dropped() -> None:
    def item(when: datetime) -> str:
        stamp = when.strftime("%a, %d %b %Y %H:%M:%S +0000")
        return f"<item><title>{stamp}</title><pubDate>{stamp}</pubDate></item>"

    soon, later = NOW + timedelta(hours=23), NOW + timedelta(hours=25)
    parsed = parse(rss(item(soon) + item(later)))
    assert [entry.published for entry in parsed.entries] == [soon, None]


def test_a_naive_now_is_taken_as_utc() -> None:
    stamp = "Sun, 15 Jun 2025 11:00:00 +0000"
    parsed = parse(
        rss(f"<item><title>x</title><pubDate>{stamp}</pubDate></item>"), now=datetime(2025, 6, 15)
    )
    assert parsed.entries[0].published == datetime(2025, 6, 15, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sat, 14 Jun 2025 18:00:00 JST", datetime(2025, 6, 14, 9, tzinfo=UTC)),
        ("Sat, 14 Jun 2025 18:00:00 +0900", datetime(2025, 6, 14, 9, tzinfo=UTC)),
        ("Sat, 14 Jun 2025 18:00:00 EST", datetime(2025, 6, 14, 23, tzinfo=UTC)),
        ("2025-06-14T18:00:00+09:00", datetime(2025, 6, 14, 9, tzinfo=UTC)),
        ("2025-06-14T18:00:00", datetime(2025, 6, 14, 18, tzinfo=UTC)),
        ("the day before yesterday", None),
        ("", None),
    ],
)
def test_dates(raw: str, expected: datetime | None) -> None:
    parsed = parse(rss(f"<item><title>x</title><pubDate>{raw}</pubDate></item>"))
    assert parsed.entries[0].published == expected


def test_json_feed_dates_are_parsed_by_us() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "a", "date_published": "2025-06-14T18:00:00.250+09:00"},
            {"id": "b", "date_published": "Sat, 14 Jun 2025 18:00:00 +0900"},
            {"id": "c", "date_published": 1749891600},
        ],
    }
    parsed = parse(json.dumps(feed).encode())
    assert [entry.published for entry in parsed.entries] == [
        datetime(2025, 6, 14, 9, 0, 0, 250000, tzinfo=UTC),
        datetime(2025, 6, 14, 9, tzinfo=UTC),
        None,
    ]


def test_hashed_ids_are_stable_and_tell_entries_apart() -> None:
    def only_id(title: str) -> str:
        return parse(rss(f"<item><title>{title}</title></item>")).entries[0].id

    assert only_id("Same") == only_id("Same")
    assert only_id("Same") != only_id("Other")
    assert only_id("Same").startswith("sha256:")


def test_relative_links_without_an_http_base_are_dropped() -> None:
    """A local file's feed: its relative links lead nowhere we may fetch."""
    parsed = parse(
        rss(
            "<item><title>a</title><link>/relative</link></item>"
            "<item><title>b</title><link>https://a.example/abs</link></item>"
        ),
        url="file:///srv/feeds/feed.xml",
    )
    assert [entry.url for entry in parsed.entries] == [None, "https://a.example/abs"]


def test_longest_content_wins_and_a_copied_summary_is_dropped() -> None:
    parsed = parse(
        rss(
            '<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>x</title>'
            "<content:encoded>&lt;p&gt;short&lt;/p&gt;</content:encoded></item>"
        )
    )
    assert parsed.entries[0].content == "<p>short</p>"
    assert parsed.entries[0].summary is None


# -- junk that once crashed (found by mutating the fixtures) --------------


def test_references_to_no_character_are_replaced_not_fatal() -> None:
    parsed = parse(rss("<item><title>a&#0;b&#xD800;c&#99999999;d</title></item>"))
    assert parsed.entries[0].title == "a\ufffdb\ufffdc\ufffdd"


def test_html_named_entities_survive_a_strict_parse() -> None:
    parsed = parse(rss("<item><title>caf&eacute;&nbsp;&hellip;</title></item>"))
    assert parsed.entries[0].title == "café …"


def test_an_encoding_name_that_is_not_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="unreadable XML declaration"):
        parse(b'<?xml version="1.0" encoding="utf\xf8-8"?><rss version="2.0"></rss>')
    with pytest.raises(ParseError, match="unreadable XML declaration"):
        parse(b'<?xml version="1.0" encoding="utf-\x008"?><rss version="2.0"></rss>')


def test_a_feedparser_crash_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="feedparser failed"):
        parse(b'<rss version="2.0"><channel><item><link>ht</item>x</link></item></channel></rss>')


def test_lone_surrogates_and_nul_in_json_become_replacement_characters() -> None:
    data = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a\\ud800", '
    data += b'"title": "x\\u0000y", "content_html": "<p>\\udc00</p>"}]}'
    entry = parse(data).entries[0]
    assert (entry.id, entry.title, entry.content) == ("a\ufffd", "x\ufffdy", "<p>\ufffd</p>")
    entry.id.encode()  # storable


MUTATIONS = [
    b"<",
    b">",
    b"&",
    b";",
    b"<!ENTITY",
    b"]]>",
    b"\x00",
    b"\xff",
    b"{",
    b"&#0;",
    b"</item>",
]


def mutants(count: int) -> list[bytes]:
    """Fixtures with bytes cut, inserted and flipped, from a fixed seed."""
    rng = random.Random(20250615)
    seeds = [path.read_bytes() for path in [*GOLDEN, *REJECTED.iterdir()]]
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data) + 1)
            roll = rng.random()
            if roll < 0.35:
                del data[at : at + rng.randint(1, 40)]
            elif roll < 0.7:
                data[at:at] = rng.choice(MUTATIONS)
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        out.append(bytes(data))
    return out


def test_mangled_feeds_parse_or_raise_parse_error() -> None:
    for data in mutants(400):
        looks_like_feed(data, None)
        try:
            parsed = parse(data)
        except ParseError:
            continue
        for entry in parsed.entries:
            assert entry.id
            assert entry.url is None or entry.url.startswith(("http://", "https://"))
            json.dumps(dataclasses.asdict(entry), default=datetime.isoformat).encode()


@pytest.mark.parametrize(
    ("document", "icon"),
    [
        (
            b'<rss version="2.0"><channel><title>T</title><image><url>/logo.png</url>'
            b"<title>T</title><link>https://news.example/</link></image></channel></rss>",
            "https://news.example/logo.png",
        ),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>x</id>'
            b"<icon>https://news.example/favicon.ico</icon>"
            b"<logo>https://news.example/logo.png</logo></feed>",
            "https://news.example/favicon.ico",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [],'
            b' "favicon": "https://news.example/f.png", "icon": "https://news.example/i.png"}',
            "https://news.example/f.png",
        ),
        (
            b'<rss version="2.0"><channel><title>T</title><image><url>javascript:alert(1)'
            b"</url></image></channel></rss>",
            None,
        ),
    ],
    ids=["rss-image", "atom-icon", "json-favicon", "not-a-web-url"],
)
def test_the_publishers_icon_is_the_one_the_feed_names(document: bytes, icon: str | None) -> None:
    assert parse_feed(document, url="https://news.example/feed", now=NOW).icon == icon
