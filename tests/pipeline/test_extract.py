"""Extraction of HTML pages: golden pairs, page metadata, bytes handling, hostile input."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from daybook.errors import ExtractError
from daybook.pipeline.extract import (
    MAX_PAGE_CHARS,
    MAX_PAGE_ELEMENTS,
    extract_document,
    extract_html,
    is_html,
)
from daybook.pipeline.metadata import (
    clean_authors,
    parse_date,
    read_metadata,
    split_trailing_date,
    strip_site_name,
)

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
PAGE_NAMES = sorted(p.stem for p in PAGES.glob("*.html"))

ARTICLE_BODY = "".join(
    f"<p>Paragraph {n} of the invented report says that the council met again on Monday "
    "and agreed to look at the plan once more before the end of the year.</p>"
    for n in range(1, 4)
)


def _page(head: str, body: str = ARTICLE_BODY) -> str:
    return f"<!doctype html><html><head>{head}</head><body><article>{body}</article></body></html>"


# ------------------------------------------------------------------ golden pairs


def test_there_are_enough_golden_pages() -> None:
    assert len(PAGE_NAMES) >= 5


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_golden_page(name: str) -> None:
    expected: dict[str, Any] = json.loads((PAGES / f"{name}.expected.json").read_text("utf-8"))
    article = extract_document((PAGES / f"{name}.html").read_bytes(), url=expected["url"])

    assert article.title == expected["title"]
    assert article.site_name == expected["site_name"]
    assert list(article.authors) == expected["authors"]
    published = article.published.isoformat() if article.published else None
    assert published == expected["published"]
    assert article.text.split("\n\n") == expected["text"]
    assert "\n\n\n" not in article.text
    assert article.canonical_url == expected["canonical_url"]
    assert article.image == expected["image"]
    assert article.language == expected["language"]
    assert article.url == expected["url"]
    assert [
        {"title": r.title, "publisher": r.publisher, "age": r.age, "text": r.text}
        for r in article.related
    ] == expected["related"]


def test_extract_html_matches_extract_document_on_text() -> None:
    html = (PAGES / "og_only.html").read_text("utf-8")
    assert extract_html(html, url=None) == extract_document(html)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        b"   \n\t ",
        bytes(random.Random(7).randrange(256) for _ in range(20_000)),
        b"\x89PNG\r\n\x1a\n" + bytes(random.Random(8).randrange(256) for _ in range(5_000)),
        b"%PDF-1.7\n\x00\x01\x02\x03 binary stream \x00\x00\x00",
        "<html></html>",
        "<!doctype html><html><head><title>Only a title</title></head></html>",
        "<html><body><nav><a href=/>Home</a> <a href=/w>World</a> <a href=/s>Sport</a></nav>"
        "<footer>© 2025 Daily Planet</footer></body></html>",
        "<script>var a = 1;</script><script>var b = 2;</script><script>var c = 3;</script>",
        "<html><body><ul>"
        + "".join(f"<li><a href=/{n}>Headline {n}</a></li>" for n in range(40))
        + "</ul></body></html>",
    ],
    ids=[
        "empty-bytes",
        "empty-str",
        "whitespace",
        "random-bytes",
        "png",
        "pdf",
        "html-no-body",
        "title-only",
        "menu-only",
        "scripts-only",
        "link-list",
    ],
)
def test_no_article_raises_extract_error(data: bytes | str) -> None:
    with pytest.raises(ExtractError):
        extract_document(data)


def test_huge_page_is_refused_with_a_clear_message() -> None:
    html = "<html><body><p>" + "a" * MAX_PAGE_CHARS + "</p></body></html>"
    with pytest.raises(ExtractError, match="too large"):
        extract_html(html)


def test_page_with_too_many_elements_is_refused() -> None:
    html = "<html><body>" + "<p>Text.</p>" * (MAX_PAGE_ELEMENTS + 1) + "</body></html>"
    with pytest.raises(ExtractError, match="too many elements"):
        extract_html(html)


def test_scripts_and_svg_do_not_count_against_the_element_cap() -> None:
    bloat = "<svg>" + "<path d='M0 0'/>" * MAX_PAGE_ELEMENTS + "</svg>"
    html = _page("<script>var a = 1;</script>", bloat + ARTICLE_BODY)
    assert "council met again" in extract_html(html).text


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 50_000 + "<p>" + "Deep text in a deep tree. " * 20 + "</p>",
        "<html><body>" + "<b><i>" * 20_000 + "unclosed",
        "<html><body><p>" + "\x00\x01\x02 text with control characters. " * 30 + "</p>",
        '<?xml version="1.0" encoding="utf-8"?><html><body></body></html>',
        "<html><head><script type='application/ld+json'>" + "[" * 100_000 + "</script></head>"
        "<body><article>" + ARTICLE_BODY + "</article></body></html>",
    ],
    ids=["deep-divs", "unclosed-inline", "control-chars", "xml-declaration", "deep-json"],
)
def test_hostile_markup_never_raises_anything_but_extract_error(html: str) -> None:
    try:
        article = extract_html(html)
    except ExtractError:
        return
    assert article.text.strip()


def test_deeply_nested_json_ld_is_ignored_not_fatal() -> None:
    html = _page("<script type='application/ld+json'>" + "[" * 100_000 + "</script>")
    assert "council met again" in extract_html(html).text


def test_furniture_boxes_are_left_out_but_never_the_article() -> None:
    body = (
        ARTICLE_BODY
        + '<div class="nl-signup"><h4>The Morning Owl</h4><p>Start your day, free.</p></div>'
        + '<section class="reader-comments"><p>Great piece, thank you. — owl_fan</p></section>'
        + "<p>(Reporting by Jane Doe; Editing by John Roe)</p>"
    )
    text = extract_html(_page("", body)).text
    assert "Morning Owl" not in text and "owl_fan" not in text and "Reporting by" not in text
    assert text.count("council met again") == 3
    wrapped = _page("", f'<div class="story share-enabled">{ARTICLE_BODY}</div>')
    assert extract_html(wrapped).text.count("council met again") == 3


def test_a_section_named_after_its_heading_is_not_furniture() -> None:
    # "sharing" is a furniture word in a class name, not in a heading's slug.
    section = (
        '<section id="sharing-with-a-single-developer"><h2>Sharing with one developer</h2>'
        "<p>When the draft is pushed to the second repository, the council of maintainers "
        "reads it once more and agrees on the plan before it is published.</p></section>"
    )
    text = extract_html(_page("", ARTICLE_BODY + section)).text
    assert "council of maintainers" in text
    assert text.count("council met again") == 3


def test_an_article_laid_out_in_a_table_keeps_its_paragraphs() -> None:
    layout = (
        "<table><tr><td><a href=/>Home</a><br><a href=/w>World</a></td>"
        f"<td><h1>Ferry fares</h1>{ARTICLE_BODY}</td></tr></table>"
    )
    text = extract_html(_page("", layout)).text
    assert [p for p in text.split("\n\n") if "council met again" in p] == [
        p for p in extract_html(_page("", ARTICLE_BODY)).text.split("\n\n")
    ]


def test_a_data_table_keeps_its_rows_as_lines() -> None:
    table = (
        "<table><tr><th>Line</th><th>Fare</th></tr>"
        "<tr><td>Harbour</td><td>310 yen</td></tr><tr><td>Airport</td><td>450 yen</td></tr>"
        "</table>"
    )
    lines = extract_html(_page("", ARTICLE_BODY + table)).text.split("\n\n")
    assert lines[-3:] == ["Line | Fare", "Harbour | 310 yen", "Airport | 450 yen"]


def test_a_copyright_line_ends_the_text_only_below_most_of_it() -> None:
    head = "<p>© 2014 The Trust and the persons named as the authors.</p>"
    top = extract_html(_page("", head + ARTICLE_BODY)).text
    assert top.count("council met again") == 3 and "©" not in top
    foot = "<p>© 2025 Daily Planet. All rights reserved.</p><p>Follow our new podcast now.</p>"
    bottom = extract_html(_page("", ARTICLE_BODY + foot)).text
    assert bottom.count("council met again") == 3
    assert "podcast" not in bottom and "©" not in bottom


def test_a_page_of_one_short_paragraph_is_an_article_but_a_menu_is_not() -> None:
    short = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>"
    assert (
        extract_html(_page("", short)).text
        == "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
    )
    menu = "<p><a href=/a>Ferry fares</a> <a href=/b>Night buses</a></p>"
    with pytest.raises(ExtractError, match="links"):
        extract_html(_page("", menu))
    # A script's link leads nowhere: the short text it holds is still the article.
    scripted = (
        '<a href="javascript:void(0)"><p>Ferry fares rise in May.</p><p>Buses do not.</p></a>'
    )
    assert extract_html(_page("", scripted)).text == "Ferry fares rise in May.\n\nBuses do not."


# ------------------------------------------------------------------ detection and decoding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><p>x</p>", True),
        ("\ufeff  <html lang=en>", True),
        ("<body><p>Hello</p></body>", True),
        ("<div><p>One</p><p>Two</p></div>", True),
        ("Daily Planet\nHeadline\nBy JANE DOE\nIf a < b and c > d the rule holds.", False),
        ("Metro Wire2 hours ago\nThe <em> tag is mentioned here once.", False),
    ],
)
def test_is_html(text: str, expected: bool) -> None:
    assert is_html(text) is expected


def test_bytes_with_utf8_bom_and_crlf_are_read() -> None:
    capture = (PAGES.parent / "captures" / "newshub_daily_planet.txt").read_text("utf-8")
    data = b"\xef\xbb\xbf" + capture.replace("\n", "\r\n").encode("utf-8")
    article = extract_document(data)
    assert article.title == "Ministry unveils plan to expand night bus routes in regional cities"
    assert "\r" not in article.text


def test_utf16_bytes_are_read() -> None:
    html = (PAGES / "og_only.html").read_text("utf-8")
    article = extract_document(html.encode("utf-16"))
    assert article.title == "Coastal towns test drone deliveries of medicine"


def test_undeclared_legacy_encoding_is_detected() -> None:
    html = _page(
        "<title>Café terraces</title>",
        "<p>Les propriétaires de cafés ont manifesté lundi devant la mairie contre les "
        "nouvelles règles des terrasses, qui les obligeraient à tout ranger à 22 heures. "
        "« Nous payons ce loyer toute l'année », a déclaré un propriétaire très fâché.</p>" * 3,
    )
    article = extract_document(html.encode("cp1252"))
    assert "propriétaires de cafés" in article.text


def test_declared_charset_is_used_when_not_utf8() -> None:
    article = extract_document((PAGES / "japanese_page.html").read_bytes())
    assert article.site_name == "毎日新報"


# ------------------------------------------------------------------ metadata


def test_metadata_prefers_json_ld_then_open_graph_then_meta() -> None:
    meta = read_metadata(
        _page(
            '<meta property="og:title" content="OG title">'
            '<meta name="title" content="Meta title"><title>Title element</title>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD title",'
            ' "author": "By SAM LEE"}</script>'
            '<meta name="author" content="Meta Author">'
        ),
        url=None,
    )
    assert meta.title == "LD title"
    assert meta.authors == ("Sam Lee",)
    meta = read_metadata(
        _page('<meta name="title" content="Meta title"><meta property="og:title" content="OG">'),
        url=None,
    )
    assert meta.title == "OG"
    meta = read_metadata(
        _page('<meta name="title" content="Meta title"><title>Title element</title>'), url=None
    )
    assert meta.title == "Meta title"


def test_title_element_loses_the_site_suffix_only_when_the_site_is_known() -> None:
    known = read_metadata(
        _page(
            '<meta property="og:site_name" content="Daily Planet">'
            "<title>Night buses expand | Daily Planet</title>"
        ),
        url=None,
    )
    assert known.title == "Night buses expand"
    unknown = read_metadata(_page("<title>Night buses expand | Daily Planet</title>"), url=None)
    assert unknown.title == "Night buses expand | Daily Planet"
    assert strip_site_name("Daily Planet - Night buses", "daily planet") == "Night buses"
    assert strip_site_name("Daily Planet", "Daily Planet") == "Daily Planet"


def test_article_author_urls_are_not_names_and_relative_urls_are_resolved() -> None:
    meta = read_metadata(
        _page(
            '<base href="/news/">'
            '<meta property="article:author" content="https://x.example/staff/jo">'
            '<meta name="author" content="Jo Bloggs, jo@x.example">'
            '<meta property="og:image" content="img/a.jpg">'
            '<meta property="og:url" content="javascript:alert(1)">'
            '<link rel="canonical" href="../story?id=1">'
        ),
        url="https://x.example/a/b",
    )
    assert meta.authors == ("Jo Bloggs",)
    assert meta.image == "https://x.example/news/img/a.jpg"
    assert meta.canonical_url == "https://x.example/story?id=1"


def test_json_ld_shapes() -> None:
    meta = read_metadata(
        _page(
            '<script type="application/ld+json">{"@type": "BreadcrumbList", oops}</script>'
            '<script type="application/ld+json">[{"@type": "WebPage", "name": "Page",'
            ' "mainEntity": {"@type": "BlogPosting", "name": "Nested post",'
            ' "author": {"@type": "Person", "name": "Ana Ruiz"},'
            ' "image": [{"@type": "ImageObject", "url": "https://x.example/1.jpg"}],'
            ' "publisher": "Plain Publisher", "datePublished": "2025-11-03T10:00:00",'
            ' "inLanguage": "es-ES"}}]</script>'
        ),
        url=None,
    )
    assert meta.title == "Nested post"
    assert meta.authors == ("Ana Ruiz",)
    assert meta.image == "https://x.example/1.jpg"
    assert meta.site_name == "Plain Publisher"
    assert meta.published == datetime(2025, 11, 3, 10, 0, tzinfo=UTC)  # naive: taken as UTC
    assert meta.language == "es"


def test_dates_from_meta_tags_become_aware_utc() -> None:
    meta = read_metadata(
        _page(
            '<meta property="article:published_time" content="2025-11-03T09:30:00+09:00">'
            '<meta property="article:modified_time" content="Mon, 03 Nov 2025 07:15:00 +0100">'
        ),
        url=None,
    )
    assert meta.published == datetime(2025, 11, 3, 0, 30, tzinfo=UTC)
    assert meta.modified == datetime(2025, 11, 3, 6, 15, tzinfo=UTC)


def test_unparseable_page_raises_extract_error() -> None:
    with pytest.raises(ExtractError):
        read_metadata("   ", url=None)


# ------------------------------------------------------------------ names and dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By JANE DOE and John Roe", ("Jane Doe", "John Roe")),
        ("BY JANE DOE, STAFF WRITER", ("Jane Doe",)),
        ("By Jane Doe, Kyodo News", ("Jane Doe",)),
        ("Written by Ana Ruiz & Li Wei (jane@example.com)", ("Ana Ruiz", "Li Wei")),
        ("By Mika Sato, Senior Correspondent | mika@example.com", ("Mika Sato",)),
        ("by o'brien and JEAN-LUC PICARD", ("O'Brien", "Jean-Luc Picard")),
        ("山田 花子", ("山田 花子",)),
        ("https://example.com/staff/jane", ()),
        ("", ()),
    ],
)
def test_clean_authors(raw: str, expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, drop=["Kyodo News"]) == expected


JST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03-11-2025", datetime(2025, 11, 3, tzinfo=UTC)),  # day first
        ("11-23-2025", datetime(2025, 11, 23, tzinfo=UTC)),  # 23 cannot be a month
        ("23/11/2025", datetime(2025, 11, 23, tzinfo=UTC)),
        ("03.11.2025 14:05", datetime(2025, 11, 3, 14, 5, tzinfo=UTC)),
        ("2025-11-03", datetime(2025, 11, 3, tzinfo=UTC)),
        ("2025-11-03T14:05:00+09:00", datetime(2025, 11, 3, 14, 5, tzinfo=JST)),
        ("2025/11/03 08:30", datetime(2025, 11, 3, 8, 30, tzinfo=UTC)),
        ("Nov 3, 2025", datetime(2025, 11, 3, tzinfo=UTC)),
        ("Monday, November 3rd, 2025 at 2:05 p.m.", datetime(2025, 11, 3, 14, 5, tzinfo=UTC)),
        ("3 November 2025", datetime(2025, 11, 3, tzinfo=UTC)),
        ("Nov 3, 2025 14:05 JST", datetime(2025, 11, 3, 14, 5, tzinfo=JST)),
        ("2025年11月3日", datetime(2025, 11, 3, tzinfo=UTC)),
        ("2025年11月3日(月) 14時05分", datetime(2025, 11, 3, 14, 5, tzinfo=UTC)),
        ("Mon, 03 Nov 2025 07:15:00 +0100", datetime(2025, 11, 3, 6, 15, tzinfo=UTC)),
        ("31-02-2025", None),
        ("yesterday", None),
        ("not a date", None),
        ("11/3(月) 14:05", None),  # no year and no `now`
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_takes_a_missing_year_from_now() -> None:
    now = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    assert parse_date("1/1(木) 14:05", now=now) == datetime(2026, 1, 1, 14, 5, tzinfo=UTC)
    assert parse_date("12/31(水) 23:00", now=now) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Daily Planet03-11-2025", ("Daily Planet", "03-11-2025")),
        ("Metro WireNov 3, 2025", ("Metro Wire", "Nov 3, 2025")),
        ("毎日新報2025年11月3日(月) 14:05", ("毎日新報", "2025年11月3日(月) 14:05")),
        ("Daily Planet", None),
    ],
)
def test_split_trailing_date(line: str, expected: tuple[str, str] | None) -> None:
    assert split_trailing_date(line) == expected
