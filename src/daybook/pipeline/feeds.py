"""Feeds: the bytes of an RSS 0.9x/1.0/2.0, Atom 1.0 or JSON Feed document in, a ParsedFeed out.

XML is decoded the way feedparser will decode it, then read once by defusedxml,
so a document that declares entities (billion laughs, quadratic blowup, XXE) is
refused before feedparser, which would expand or fetch them, ever sees it. A
document that is merely malformed still goes to feedparser, whose loose parser
recovers what it can: a broken feed loses an item, not the whole poll.

JSON Feed is parsed here with ``json``, since feedparser does not read it.

``summary`` and ``content`` come out as unsanitised HTML: sanitising is the
last step before HTML is stored or shown, not this one.
"""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from feedparser.encodings import convert_to_utf8

from daybook.errors import ParseError
from daybook.pipeline.types import FeedEntry, ParsedFeed
from daybook.pipeline.urls import web_url
from daybook.text.zones import rfc822_offset

# A date more than this far ahead of now is a publisher's mistake (a swapped
# day and month, a wrong year); within it, it is clock skew or a time zone slip.
MAX_FUTURE = timedelta(days=1)
# The longest a feed's own word (<ttl>, sy:updatePeriod) may quiet it: a longer
# one is a mistake (minutes taken for seconds) or hostile, and would silence the
# feed for months.
MAX_TTL = timedelta(days=7)

# Enough of the start of a document to get past its prolog to the root element.
_SNIFF_BYTES = 64 * 1024
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(r"\s*<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
# The five XML entities are left alone; name2codepoint has all but &apos;.
_REFERENCE = re.compile(
    rb"&(?:(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31})|#([0-9]{1,20})|#[xX]([0-9A-Fa-f]{1,20}));"
)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_JSON_FEED_VERSION = "jsonfeed.org/version/"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_TAG = re.compile(r"<[^>]*>")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
# Zone names outside RFC 822 that publishers put at the end of pubDate; feedparser
# reads unknown names as UTC, hours off (``text/zones.py`` says what each means).
_ZONE_NAME = re.compile(r"\s([A-Za-z]{3,4})$")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
# The syndication module's sy:updatePeriod values, in seconds.
_UPDATE_PERIODS = {
    "hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}  # fmt: skip
_SMALL_INT = re.compile(r"[0-9]{1,9}")


def looks_like_feed(data: bytes, content_type: str | None) -> bool:
    """Whether ``data`` is a feed rather than an HTML page or anything else.

    The body decides: servers label feeds ``text/html`` and pages
    ``application/rss+xml`` often enough that the header is only a tie-breaker,
    used for a JSON document that does not name its JSON Feed version.
    """
    head = _head(data)
    if head.startswith("{"):
        return _JSON_FEED_VERSION in _decode(data) or _media_type(content_type) == (
            "application/feed+json"
        )
    return _root_name(head) in _FEED_ROOTS


def parse_feed(
    data: bytes, *, url: str, content_type: str | None = None, now: datetime | None = None
) -> ParsedFeed:
    """Parse a feed fetched from ``url`` (the base for relative links).

    Dates more than ``MAX_FUTURE`` ahead of ``now`` (default: the current time)
    are dropped, not clamped: a clamped date would be the time of each poll,
    so the entry would look changed on every poll. An entry with only an
    updated time (Atom and JSON Feed make the published one optional) gets it
    as its published time too, since later stages need one time to show.
    Entries that repeat an id are kept once (the first); an entry with no id,
    link, title, summary or content is left out.

    Raises ParseError for an empty document, a document that is not a feed,
    and XML that declares entities.
    """
    if not data.strip():
        raise ParseError(f"empty document at {url}")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if _head(data).startswith("{"):
        return _parse_json_feed(data, url=url, now=now)
    return _parse_xml_feed(data, url=url, content_type=content_type, now=now)


# -- sniffing -------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Text in whichever Unicode encoding the first bytes show (UTF-8 by default)."""
    return data.decode(json.detect_encoding(data[:4]), errors="replace")


def _head(data: bytes) -> str:
    return _decode(data[:_SNIFF_BYTES]).lstrip("\ufeff \t\r\n")


def _root_name(head: str) -> str | None:
    position = 0
    while (prolog := _PROLOG.match(head, position)) and prolog.end() > position:
        position = prolog.end()
    root = _ROOT.match(head, position)
    return root.group(1).lower() if root else None


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


# -- XML ------------------------------------------------------------------


def _parse_xml_feed(
    data: bytes, *, url: str, content_type: str | None, now: datetime
) -> ParsedFeed:
    try:
        utf8 = convert_to_utf8(_xml_headers(data, content_type), data, {})
    except ValueError as error:  # a declared encoding name that is not one (bytes, NUL)
        raise ParseError(f"not a feed at {url}: unreadable XML declaration") from error
    utf8 = _character_references(utf8)
    _refuse_entities(utf8, url=url)
    try:
        result = feedparser.parse(
            io.BytesIO(utf8),  # bytes, never a str: feedparser opens a str that looks like a path
            response_headers={
                "content-type": "application/xml; charset=utf-8",
                "content-location": url,
            },
            sanitize_html=False,
            resolve_relative_uris=True,
        )
    except Exception as error:
        # feedparser's loose parser meets every malformed input there is, and a
        # few of them raise from deep inside it (a KeyError on an unclosed
        # link) instead of setting bozo. Whatever it is, the feed is unreadable.
        raise ParseError(f"not a feed at {url}: feedparser failed ({error!r})") from error
    if not result.get("version"):
        raise ParseError(f"not a feed at {url}: no RSS, Atom or JSON Feed document found")
    feed = result.get("feed") or {}
    feed_authors = _names(feed.get("authors")) if result["version"].startswith("atom") else ()
    entries = (
        _xml_entry(entry, url=url, now=now, inherited=feed_authors)
        for entry in _dicts(result.get("entries"))
    )
    feed_links = _dicts(feed.get("links"))
    return ParsedFeed(
        url=url,
        title=_detail_text(feed.get("title"), feed.get("title_detail")),
        site_url=_http_url(feed.get("link"), url),
        entries=_unique(entries),
        ttl_seconds=_ttl_seconds(feed),
        hub=_feed_link(feed_links, "hub", url),
        self_url=_feed_link(feed_links, "self", url),
        # Atom's <icon> is square and small; RSS's <image> (and Atom's <logo>) a logo.
        icon=_http_url(feed.get("icon"), url) or _http_url(_image_href(feed.get("image")), url),
    )


def _image_href(image: Any) -> Any:
    return image.get("href") or image.get("url") if isinstance(image, Mapping) else None


def _feed_link(links: list[Mapping[str, Any]], rel: str, base: str) -> str | None:
    """The first http(s) URL of the feed's ``rel`` links (<atom:link> in RSS too)."""
    return next(
        (
            found
            for link in links
            if (_str(link.get("rel")) or "").lower() == rel
            and (found := _http_url(link.get("href"), base))
        ),
        None,
    )


def _ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    """Seconds the feed asks to be left alone between polls, at most ``MAX_TTL``.

    The longer of RSS's ``<ttl>`` (minutes) and the syndication module's
    period divided by its frequency (updates per period, 1 when missing); None
    when it asks neither.
    """
    asked = []
    if ttl := _small_int(feed.get("ttl")):
        asked.append(ttl * 60)
    if period := _UPDATE_PERIODS.get((_str(feed.get("sy_updateperiod")) or "").strip().lower()):
        asked.append(period // (_small_int(feed.get("sy_updatefrequency")) or 1))
    longest = max(asked, default=0)
    return min(longest, int(MAX_TTL.total_seconds())) if longest > 0 else None


def _small_int(value: object) -> int | None:
    """A count written as plain digits, else None: int() of any string a feed
    gives could be thousands of digits long."""
    text = (_str(value) or "").strip()
    return int(text) if _SMALL_INT.fullmatch(text) else None


def _xml_headers(data: bytes, content_type: str | None) -> dict[str, str]:
    """The content type feedparser should decode ``data`` by.

    A body that is valid UTF-8 with non-ASCII bytes in it is UTF-8, whatever the
    header or the XML declaration claims: text in a legacy 8-bit encoding almost
    never happens to be valid UTF-8, while servers and templates that mislabel
    UTF-8 as ISO-8859-1 are common. Without a content type the XML default,
    UTF-8 unless declared otherwise, applies (feedparser would assume Latin-1).
    """
    media_type = _media_type(content_type) or "application/xml"
    charset = next(
        (
            part.split("=", 1)[1].strip().strip("\"'")
            for part in (content_type or "").split(";")[1:]
            if part.strip().lower().startswith("charset=")
        ),
        None,
    )
    if not data.isascii():
        try:
            data.decode("utf-8")
            charset = "utf-8"
        except UnicodeDecodeError:
            pass
    return {"content-type": f"{media_type}; charset={charset}" if charset else media_type}


def _character_references(utf8: bytes) -> bytes:
    """Character references XML can read: HTML's named ones made numeric, and
    numeric ones to no character (``&#0;``, ``&#xD800;``, ``&#99999999;``) made U+FFFD.

    RSS 0.91 declares HTML's names in its DTD and many other feeds use them
    without one; expat knows neither, so it drops them silently or calls the
    feed malformed. A reference to no character crashes feedparser's loose
    parser. Numeric references mean the same in XML and in the HTML a value
    may carry.
    """

    def fix(match: re.Match[bytes]) -> bytes:
        name, decimal, hexadecimal = match.groups()
        if name:
            codepoint = name2codepoint.get(name.decode())
            return b"&#%d;" % codepoint if codepoint else match.group(0)
        codepoint = int(decimal) if decimal else int(hexadecimal, 16)
        return match.group(0) if _xml_char(codepoint) else b"&#65533;"

    return _REFERENCE.sub(fix, utf8)


def _xml_char(codepoint: int) -> bool:
    return (
        codepoint in (0x9, 0xA, 0xD)
        or 0x20 <= codepoint <= 0xD7FF
        or 0xE000 <= codepoint <= 0xFFFD
        or 0x10000 <= codepoint <= 0x10FFFF
    )


class _Discard:
    """An XML parser target that keeps nothing: the read is only a safety check."""

    def close(self) -> None:
        return None


def _refuse_entities(utf8: bytes, *, url: str) -> None:
    parser = DefusedXMLParser(
        target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(utf8)
        parser.close()
    except DefusedXmlException as error:
        raise ParseError(f"refused XML at {url}: it declares entities ({error!r})") from error
    except (XMLSyntaxError, ValueError, LookupError):
        # Malformed, so expat stopped early and may not have reached a DOCTYPE
        # that feedparser's loose parser would still read: look for one by hand.
        if _ENTITY_DECLARATION.search(utf8):
            raise ParseError(
                f"refused XML at {url}: it is malformed and declares entities"
            ) from None


def _xml_entry(
    entry: Mapping[str, Any], *, url: str, now: datetime, inherited: tuple[str, ...]
) -> FeedEntry | None:
    base = _entry_base(entry, url)
    contents = [
        body
        for item in _dicts(entry.get("content"))
        if (body := _html(item.get("value"), item.get("type")))
    ]
    content = max(contents, key=len) if contents else None
    detail = entry.get("summary_detail")
    summary = _html(
        entry.get("summary"), detail.get("type") if isinstance(detail, Mapping) else None
    )
    updated = _date(_own(entry, "updated_parsed"), _own(entry, "updated"), now)
    return _entry(
        raw_id=entry.get("id"),
        url=_http_url(entry.get("link"), base),
        title=_detail_text(entry.get("title"), entry.get("title_detail")),
        published=_date(entry.get("published_parsed"), entry.get("published"), now) or updated,
        updated=updated,
        authors=_names(entry.get("authors")) or inherited,
        # feedparser copies the content into a missing summary; that is no summary.
        summary=None if summary == content else summary,
        content=content,
        image=_xml_image(entry, base),
    )


def _own(entry: Mapping[str, Any], key: str) -> object:
    """``entry[key]`` if the feed gave it: for a missing ``updated``, feedparser's
    ``get`` answers with ``published``, while its ``in`` tells the truth."""
    return entry[key] if key in entry else None  # noqa: SIM401 (get is what lies)


def _entry_base(entry: Mapping[str, Any], url: str) -> str:
    """The entry's xml:base as feedparser resolved it, else the feed's URL."""
    details = [
        entry.get("title_detail"),
        entry.get("summary_detail"),
        *_dicts(entry.get("content")),
    ]
    for detail in details:
        if isinstance(detail, Mapping) and isinstance(base := detail.get("base"), str) and base:
            return base
    return url


def _xml_image(entry: Mapping[str, Any], base: str) -> str | None:
    candidates: list[object] = []
    for media in _dicts(entry.get("media_content")):
        medium, media_type, media_url = media.get("medium"), media.get("type"), media.get("url")
        if (
            medium == "image"
            or (isinstance(media_type, str) and media_type.startswith("image/"))
            or (
                medium is None
                and media_type is None
                and isinstance(media_url, str)
                and urlsplit(media_url).path.lower().endswith(_IMAGE_SUFFIXES)
            )
        ):
            candidates.append(media_url)
    candidates += [thumb.get("url") for thumb in _dicts(entry.get("media_thumbnail"))]
    candidates += [  # from links, not feedparser's "enclosures", which crashes on junk
        link.get("href")
        for link in _dicts(entry.get("links"))
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    image = entry.get("image")
    if isinstance(image, Mapping):
        candidates.append(image.get("href"))
    return next((url for c in candidates if (url := _http_url(c, base))), None)


def _detail_text(value: object, detail: object) -> str | None:
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    return _plain(value, markup=kind in _HTML_TYPES)


# -- JSON Feed ------------------------------------------------------------


def _parse_json_feed(data: bytes, *, url: str, now: datetime) -> ParsedFeed:
    try:
        document: dict[str, Any] = json.loads(_decode(data))  # it starts with "{"
    except (ValueError, RecursionError) as error:
        raise ParseError(f"not a feed at {url}: invalid JSON ({error})") from error
    version = document.get("version")
    if not isinstance(version, str) or _JSON_FEED_VERSION not in version:
        raise ParseError(f"not a feed at {url}: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError(f"not a feed at {url}: JSON Feed without an items list")
    feed_authors = _json_authors(document)
    entries = (
        _json_entry(item, url=url, now=now, inherited=feed_authors) for item in _dicts(items)
    )
    hubs = (
        hub.get("url")
        for hub in _dicts(document.get("hubs"))
        if (_str(hub.get("type")) or "").lower() == "websub"
    )
    return ParsedFeed(
        url=url,
        title=_plain(document.get("title"), markup=False),
        site_url=_http_url(document.get("home_page_url"), url),
        entries=_unique(entries),
        hub=next((found for hub in hubs if (found := _http_url(hub, url))), None),
        self_url=_http_url(document.get("feed_url"), url),
        icon=_http_url(document.get("favicon"), url) or _http_url(document.get("icon"), url),
    )


def _json_entry(
    item: Mapping[str, Any], *, url: str, now: datetime, inherited: tuple[str, ...]
) -> FeedEntry | None:
    raw_id = item.get("id")
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)  # JSON Feed 1.0 feeds often give numbers
    content_html = item.get("content_html")
    content_text = item.get("content_text")
    summary = item.get("summary")
    updated = _date(None, item.get("date_modified"), now)
    return _entry(
        raw_id=raw_id,
        url=_http_url(item.get("url"), url) or _http_url(item.get("external_url"), url),
        title=_plain(item.get("title"), markup=False),
        published=_date(None, item.get("date_published"), now) or updated,
        updated=updated,
        authors=_json_authors(item) or inherited,
        summary=_html(summary, "text/plain"),
        content=_html(content_html, "text/html") or _html(content_text, "text/plain"),
        image=_http_url(item.get("image"), url) or _http_url(item.get("banner_image"), url),
    )


def _json_authors(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """``authors`` (JSON Feed 1.1), else the single ``author`` of 1.0."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        author = obj.get("author")
        authors = [author] if isinstance(author, dict) else []
    return _names(authors)


# -- shared ---------------------------------------------------------------


def _entry(
    *,
    raw_id: object,
    url: str | None,
    title: str | None,
    published: datetime | None,
    updated: datetime | None,
    authors: tuple[str, ...],
    summary: str | None,
    content: str | None,
    image: str | None,
) -> FeedEntry | None:
    """An entry with a stable id, or None when it carries nothing to identify or show.

    Without a guid or a link, the id is a hash of what a reader sees (title,
    summary and, when both are missing, content), so the same item polled again
    gets the same id.
    """
    entry_id = (_str(raw_id) or "").strip()
    if not entry_id:
        entry_id = url or ""
    if not entry_id:
        if not (title or summary or content):
            return None
        seen = "\x1f".join(
            [title or "", summary or "", "" if (title or summary) else content or ""]
        )
        entry_id = "sha256:" + hashlib.sha256(seen.encode()).hexdigest()
    return FeedEntry(
        id=entry_id,
        url=url,
        title=title,
        published=published,
        updated=updated,
        authors=authors,
        summary=summary,
        content=content,
        image=image,
    )


def _unique(entries: Iterator[FeedEntry | None]) -> tuple[FeedEntry, ...]:
    """Entries with the first of each id: a feed that repeats an id means one item."""
    seen: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry is not None and entry.id not in seen:
            seen[entry.id] = entry
    return tuple(seen.values())


def _dicts(value: object) -> list[Mapping[str, Any]]:
    """The mappings in a list, so junk in a hostile document is skipped, not crashed on."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _names(people: object) -> tuple[str, ...]:
    names = (_plain(person.get("name"), markup=False) for person in _dicts(people))
    return tuple(dict.fromkeys(name for name in names if name))


def _str(value: object) -> str | None:
    """A string with NUL and lone surrogates (JSON's ``"\\ud800"``, a loose
    parser's leftovers) made U+FFFD: no UTF-8 encoder or database takes them."""
    return _UNSAFE.sub("\ufffd", value) if isinstance(value, str) else None


def _plain(value: object, *, markup: bool) -> str | None:
    """Text for a title or a name: tags dropped if it is HTML, entities decoded
    (feeds double-escape them often), whitespace collapsed; None when empty."""
    if (text := _str(value)) is None:
        return None
    if markup:
        text = _TAG.sub("", text)
    return " ".join(html.unescape(text).split()) or None


def _html(value: object, kind: object) -> str | None:
    """An HTML body; plain text is escaped and its blank lines become paragraphs."""
    if not (text := _str(value)) or not text.strip():
        return None
    if kind != "text/plain":
        return text.strip()
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", text))
    return "".join(f"<p>{html.escape(part)}</p>" for part in paragraphs if part)


def _http_url(value: object, base: str) -> str | None:
    """``value`` made absolute against ``base`` if it is a web address (``urls.web_url``)."""
    return web_url(_str(value), base)


def _date(parsed: object, raw: object, now: datetime) -> datetime | None:
    """A UTC datetime from feedparser's UTC struct_time, else from the raw string."""
    text = raw.strip() if isinstance(raw, str) else ""
    value: datetime | None = None
    if (name := _ZONE_NAME.search(text)) and (offset := rfc822_offset(name.group(1))):
        value = _parse_date(text[: name.start()] + " " + offset)
    if value is None and isinstance(parsed, time.struct_time):
        try:
            value = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
        except (OverflowError, ValueError, OSError):
            value = None
    if value is None:
        value = _parse_date(text)
    if value is None or value > now + MAX_FUTURE:
        return None
    return value


def _parse_date(raw: str) -> datetime | None:
    """RFC 822 (RSS), else ISO 8601 (Atom, JSON Feed); a time without a zone is UTC."""
    if not raw:
        return None
    value: datetime | None
    try:
        value = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
