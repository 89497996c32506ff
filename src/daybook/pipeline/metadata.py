"""What a page says about itself: JSON-LD, OpenGraph, ``<meta>``, ``<link>``, ``<title>``.

Publishers describe their articles in several overlapping vocabularies. The most
deliberate one wins: JSON-LD (written for search engines, usually generated from
the CMS record), then OpenGraph and ``article:*`` (written for social cards), then
plain ``<meta name=...>``, then the ``<title>`` element (which carries the site's
branding). Body-text extractors only guess at these fields, so what is read here
overrides them.

The byline and date helpers live here too because both the HTML extractor and the
captured-text extractor need them and must agree on what a name or a date is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.etree
import lxml.html

from daybook.errors import ExtractError
from daybook.pipeline.urls import web_url
from daybook.text.zones import zone

# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s+)?"
_TIME = (
    r"(?:\s*(?:,|\bat\b|@|-|–|\|)?\s*(?P<hour>\d{1,2})[:時](?P<minute>\d{2})(?:分)?"
    r"(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
    r"\s*(?P<zone>\(?(?:[a-z]{1,4}|[+-]\d{2}:?\d{2})\)?)?)?"
)
_JA_WEEKDAY = r"(?:\s*[(（][月火水木金土日][)）])?"
_DATE_FORMS = (
    # 2025-11-03, 2025/11/03, 2025.11.03
    r"(?P<year>\d{4})[-/.](?P<mon>\d{1,2})[-/.](?P<day>\d{1,2})" + _JA_WEEKDAY,
    # 03-11-2025, 03/11/2025, 03.11.2025 (see _day_month for the order)
    r"(?P<first>\d{1,2})[-/.](?P<second_>\d{1,2})[-/.](?P<year>\d{4})",
    # Nov 3, 2025 / Monday, November 3rd 2025
    _WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
    # 3 November 2025 / Mon 3 Nov, 2025
    _WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})",
    # 2025年11月3日 (月)
    r"(?P<year>\d{4})年\s*(?P<mon>\d{1,2})月\s*(?P<day>\d{1,2})日" + _JA_WEEKDAY,
    # 11/3(月) 14:05 - Japanese portals leave the year out; it comes from ``now``.
    r"(?P<mon>\d{1,2})/(?P<day>\d{1,2})" + r"\s*[(（][月火水木金土日][)）]",
)
_DATE_RES = tuple(re.compile(form + _TIME, re.IGNORECASE) for form in _DATE_FORMS)
_TRAILING_DATE_RES = tuple(
    re.compile(r"(?P<prefix>.*?)(?P<date>" + form + _TIME + r")\s*$", re.IGNORECASE)
    for form in _DATE_FORMS
)


def parse_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """Read an absolute date (with an optional time) as an aware UTC datetime.

    A time without a zone is taken as UTC: pages rarely say which zone they mean,
    and a fixed rule keeps re-ingestion stable. Numeric dates such as 03-11-2025
    are read day-first (3 November), as most of the world and the Japanese and
    British sites daybook reads write them, unless the second number is over 12,
    which makes it month-first (11-23-2025). A date without a year (Japanese
    portals write "11/3(月) 14:05") takes its year from ``now`` and is None
    without it. Returns None for anything it cannot read, never raises.
    """
    text = " ".join(text.split())
    if not text or len(text) > 80:
        return None
    iso = _parse_iso(text)
    if iso is not None:
        return iso
    for pattern in _DATE_RES:
        match = pattern.fullmatch(text)
        if match:
            return _from_match(match, now)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return to_utc(parsed)


def split_trailing_date(line: str) -> tuple[str, str] | None:
    """Split "Daily Planet03-11-2025" into ("Daily Planet", "03-11-2025").

    Captured pages glue the publisher to the date because they were separate
    elements on screen. The shortest prefix wins, so the whole date is kept.
    """
    best: tuple[str, str] | None = None
    for pattern in _TRAILING_DATE_RES:
        match = pattern.fullmatch(line)
        if match and (best is None or len(match["prefix"]) < len(best[0])):
            best = (match["prefix"], match["date"].strip())
    return best


def to_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.,]+(?:Z|[+-]\d{2}:?\d{2})?)?", text):
        return None
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _from_match(match: re.Match[str], now: datetime | None) -> datetime | None:
    groups = match.groupdict()
    if groups.get("first"):
        day, month = _day_month(int(groups["first"]), int(groups["second_"]))
    else:
        day = int(groups["day"])
        month = _MONTHS[groups["month"][:3].lower()] if groups.get("month") else int(groups["mon"])
    if groups.get("year"):
        year = int(groups["year"])
    elif now is not None:
        year = to_utc(now).year
    else:
        return None
    hour = int(groups["hour"] or 0)
    ampm = (groups["ampm"] or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        naive = datetime(  # noqa: DTZ001 - the zone is attached just below
            year, month, day, hour, int(groups["minute"] or 0), int(groups["second"] or 0)
        )
    except ValueError:
        return None
    result = naive.replace(tzinfo=_zone(groups["zone"]))
    if not groups.get("year") and now is not None and result > to_utc(now) + timedelta(days=1):
        result = result.replace(year=year - 1)  # "12/31" read on 2 January
    return result.astimezone(UTC)


def _day_month(first: int, second: int) -> tuple[int, int]:
    if second > 12:
        return second, first
    return first, second


def _zone(raw: str | None) -> timezone:
    if not raw:
        return UTC
    raw = raw.strip("()").lower()
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", raw)
    if offset:
        sign = -1 if offset[1] == "-" else 1
        return timezone(sign * timedelta(hours=int(offset[2]), minutes=int(offset[3])))
    return zone(raw) or UTC  # an unknown name is not guessed: the time is taken as UTC


# --------------------------------------------------------------------------- names

_BY = re.compile(
    r"^\s*(?:(?:written|words|text|story|reporting|report|posted)\s+)?by\b[:\s]*", re.IGNORECASE
)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URLISH = re.compile(r"https?://\S+|www\.\S+")
_ROLE = re.compile(
    r"\b(?:(?:senior|chief|staff|special|political|foreign|business|news|sports|"
    r"contributing|associate|managing|deputy)\s+)*"
    r"(?:writer|reporter|correspondent|editor|columnist|contributor|journalist|staff)s?\b",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|・|、|•|·|\band\b|\bund\b|\bet\b)\s*", re.IGNORECASE)


def clean_authors(raw: str | Iterable[str], *, drop: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Names from a byline: "By JANE DOE and John Roe, Staff Writers" -> Jane Doe, John Roe.

    ALL-CAPS (and all-lowercase) names are title-cased, as bylines are often
    set in capitals by CSS or by the wire. Roles, e-mail addresses, links and
    any name in ``drop`` (the publisher: "By Jane Doe, Kyodo News") are left out.
    """
    parts = [raw] if isinstance(raw, str) else list(raw)
    dropped = {d.casefold() for d in drop if d}
    names: list[str] = []
    for part in parts:
        text = _URLISH.sub(" ", _EMAIL.sub(" ", part))
        text = re.sub(r"\([^)]*\)", " ", text)
        for piece in _NAME_SPLIT.split(_BY.sub("", text)):
            name = _clean_name(piece)
            if name and name.casefold() not in dropped and name not in names:
                names.append(name)
    return tuple(names)


def _clean_name(piece: str) -> str | None:
    name = " ".join(_ROLE.sub(" ", _BY.sub("", piece)).split()).strip(" .:-–—·•'\"")
    if not name or any(ch.isdigit() for ch in name) or len(name.split()) > 5 or len(name) > 60:
        return None
    if name.isupper() or name.islower():
        name = name.title()
    return name


# ------------------------------------------------------------------------ metadata


@dataclass(frozen=True)
class PageMetadata:
    """The page's own description of its article; every field may be missing."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None  # aware UTC
    modified: datetime | None = None  # aware UTC
    site_name: str | None = None
    image: str | None = None  # absolute http(s) URL
    description: str | None = None
    canonical_url: str | None = None  # absolute http(s) URL
    language: str | None = None  # primary subtag, lowercase: "en", "ja"
    section: str | None = None


_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenews",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "liveblogposting",
    "report",
    "socialmediaposting",
}
_MAX_JSON_DEPTH = 12
_MAX_JSON_CHARS = 2_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, collect_ids=False, huge_tree=False
)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse untrusted HTML into a document tree, or raise ExtractError.

    Control characters are removed first (lxml refuses them) and an XML
    declaration too (lxml refuses it in a ``str``); the parser never touches the
    network and keeps libxml2's limits on tree depth and text size.
    """
    cleaned = _XML_DECL.sub("", _CONTROL.sub("", html.lstrip("\ufeff")))
    if not cleaned.strip():
        raise ExtractError("the page is empty")
    try:
        root = lxml.html.document_fromstring(cleaned, parser=_PARSER)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise ExtractError(f"the page is not readable HTML: {exc}") from exc
    if root is None:
        raise ExtractError("the page is not readable HTML")
    return root


def read_metadata(html: str, *, url: str | None) -> PageMetadata:
    """The metadata of an HTML page; relative URLs are resolved against ``url``."""
    return read_metadata_tree(parse_html(html), url=url)


def read_metadata_tree(root: lxml.html.HtmlElement, *, url: str | None) -> PageMetadata:
    """Same as ``read_metadata`` on an already parsed page (parsing is the costly part)."""
    base = _base_url(root, url)
    metas = _meta_tags(root)
    ld = _LinkedData.from_page(root)
    article = ld.article
    site_name = _first(ld.publisher_name(), _meta(metas, "og:site_name", "application-name"))
    title = _first(
        ld.text(article, "headline", "name"),
        _meta(metas, "og:title", "twitter:title", "title", "dc.title", "headline"),
        _text(root.find(".//title")),
    )
    return PageMetadata(
        title=strip_site_name(title, site_name) if title else None,
        authors=clean_authors(ld.authors() or _meta_authors(metas), drop=[site_name]),
        published=_first_date(
            ld.text(article, "datePublished", "dateCreated"),
            *_meta_all(
                metas,
                "article:published_time",
                "og:published_time",
                "datepublished",
                "publishdate",
                "publish-date",
                "pubdate",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.created",
                "parsely-pub-date",
                "sailthru.date",
            ),
        ),
        modified=_first_date(
            ld.text(article, "dateModified"),
            *_meta_all(metas, "article:modified_time", "og:updated_time", "datemodified"),
        ),
        site_name=site_name,
        image=web_url(
            _first(ld.image(), _meta(metas, "og:image", "og:image:url", "twitter:image")),
            base,
        ),
        description=_first(
            ld.text(article, "description"),
            _meta(metas, "og:description", "description", "twitter:description"),
        ),
        canonical_url=web_url(
            _first(_canonical_link(root), _meta(metas, "og:url"), ld.url()),
            base,
        ),
        language=_language(
            root.get("lang"),
            root.get("xml:lang"),
            _meta(metas, "content-language", "og:locale", "language"),
            ld.text(article, "inLanguage"),
        ),
        section=_first(
            ld.text(article, "articleSection"), _meta(metas, "article:section", "section")
        ),
    )


def strip_site_name(title: str, site_name: str | None) -> str:
    """ "Night buses expand | Daily Planet" -> "Night buses expand" when the site is known."""
    title = " ".join(title.split())
    if not site_name:
        return title
    site = re.escape(" ".join(site_name.split()))
    sep = r"\s*[|\-–—:·•»/]\s*"
    for pattern in (rf"^(?P<t>.+?){sep}{site}$", rf"^{site}{sep}(?P<t>.+)$"):
        match = re.match(pattern, title, re.IGNORECASE)
        if match and match["t"].strip():
            return match["t"].strip()
    return title


def _meta_tags(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(" ".join(content.split()))
    for element in root.iter("time"):
        if element.get("itemprop", "").lower() == "datepublished" and element.get("datetime"):
            found.setdefault("datepublished", []).append(element.get("datetime", ""))
    return found


def _meta(metas: dict[str, list[str]], *keys: str) -> str | None:
    return next(iter(_meta_all(metas, *keys)), None)


def _meta_all(metas: dict[str, list[str]], *keys: str) -> list[str]:
    return [value for key in keys for value in metas.get(key, [])]


def _meta_authors(metas: dict[str, list[str]]) -> list[str]:
    """``article:author`` is often a profile URL, which is not a name."""
    for key in ("article:author", "author", "parsely-author", "sailthru.author", "dc.creator"):
        names = [v for v in metas.get(key, []) if not _URLISH.match(v) and not v.startswith("/")]
        if names:
            return names
    return []


def _canonical_link(root: lxml.html.HtmlElement) -> str | None:
    for element in root.iter("link"):
        rels = str(element.get("rel") or "").lower().split()
        href = element.get("href")
        if "canonical" in rels and href:
            return str(href)
    return None


def _base_url(root: lxml.html.HtmlElement, url: str | None) -> str | None:
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            return web_url(href, url) or url
    return url


def _language(*candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate:
            primary = re.split(r"[-_,;\s]", candidate.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2,3}", primary):
                return primary
    return None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return " ".join(value.split())
    return None


def _first_date(*values: str | None) -> datetime | None:
    for value in values:
        if value:
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def _text(element: lxml.html.HtmlElement | None) -> str | None:
    if element is None:
        return None
    return str(element.text_content())


class _LinkedData:
    """The JSON-LD of a page: every node, the article node, and ``@id`` references."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.nodes = nodes
        # A reference ({"@id": ...}) is itself an object in the walk: the fullest
        # object with an id is the one that describes it.
        self.by_id: dict[str, dict[str, Any]] = {}
        for node in nodes:
            key = node.get("@id")
            if isinstance(key, str) and len(node) > len(self.by_id.get(key, {})):
                self.by_id[key] = node
        articles = [n for n in nodes if _types(n) & _ARTICLE_TYPES]
        # A NewsArticle beats a generic Article/WebPage describing the same page.
        articles.sort(key=lambda n: 0 if any("news" in t for t in _types(n)) else 1)
        self.article: dict[str, Any] = articles[0] if articles else {}

    @classmethod
    def from_page(cls, root: lxml.html.HtmlElement) -> _LinkedData:
        nodes: list[dict[str, Any]] = []
        for script in root.iter("script"):
            if "ld+json" in (script.get("type") or "").lower() and script.text:
                data = _load_json(script.text)
                if data is not None:
                    nodes.extend(_walk(data, 0))
        return cls(nodes)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(value["@id"], value)
        return value

    def text(self, node: dict[str, Any], *keys: str) -> str | None:
        for key in keys:
            value = self.resolve(node.get(key))
            if isinstance(value, list) and value:
                value = self.resolve(value[0])
            if isinstance(value, dict):
                value = value.get("name") or value.get("@value") or value.get("alternateName")
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return None

    def authors(self) -> list[str]:
        value = self.article.get("author") or self.article.get("creator")
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for item in items:
            item = self.resolve(item)
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip() and not _URLISH.match(name.strip()):
                names.append(name)
        return names

    def publisher_name(self) -> str | None:
        name = self.text(self.article, "publisher", "sourceOrganization")
        if name:
            return name
        for node in self.nodes:
            if "website" in _types(node) and isinstance(node.get("name"), str):
                return str(node["name"])
        return None

    def image(self) -> str | None:
        value = self.resolve(self.article.get("image") or self.article.get("thumbnailUrl"))
        if isinstance(value, list) and value:
            value = self.resolve(value[0])
        if isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl")
        return value if isinstance(value, str) else None

    def url(self) -> str | None:
        for key in ("url", "mainEntityOfPage"):
            value = self.article.get(key)
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            if isinstance(value, str):
                return value
        return None


def _load_json(text: str) -> Any:
    """Parse one JSON-LD block, forgiving the common CMS mistakes; None if hopeless."""
    text = text.strip()
    if len(text) > _MAX_JSON_CHARS:
        return None
    candidates = [text]
    repaired = re.sub(
        r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$", "", text
    )
    repaired = re.sub(r",\s*([}\]])", r"\1", repaired).rstrip(";")
    if repaired != text:
        candidates.append(repaired)
    for candidate in candidates:
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document: top level, lists, ``@graph``, nesting."""
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower().rsplit("/", 1)[-1] for v in values if isinstance(v, str)}
