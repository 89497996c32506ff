"""Article extraction: an HTML page or a captured page text in, one ``ExtractedArticle`` out.

The body text of an HTML page comes from trafilatura; everything the page says
about itself (title, byline, date, site, image) comes from ``metadata`` and wins
over trafilatura's guesses. Captured plain text goes to ``pagetext``. Every
failure, including a third-party parser's, leaves as an ``ExtractError``.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime

import charset_normalizer
import lxml.etree
import lxml.html
import trafilatura

from daybook.errors import ExtractError
from daybook.pipeline.metadata import (
    clean_authors,
    parse_date,
    parse_html,
    read_metadata_tree,
    strip_site_name,
)
from daybook.pipeline.pagetext import drop_page_chrome, extract_capture, has_prose
from daybook.pipeline.types import ExtractedArticle

# trafilatura's own cap on input size; a real article page is far below it.
MAX_PAGE_CHARS = 20_000_000
# Extraction time grows with the element count (about 0.1 ms each); a long
# article page has a few thousand once scripts and SVG are gone.
MAX_PAGE_ELEMENTS = 50_000
_BINARY_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_TAG = re.compile(
    r"<(?:/?(?:p|div|span|a|br|h[1-6]|article|section|main|header|footer|nav|script|style|"
    r"meta|link|img|ul|ol|li|table|tr|td|figure|figcaption|time|strong|em|b|i)\b[^>]*)>",
    re.IGNORECASE,
)
_DOCUMENT_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_LEADING_BYLINE = re.compile(r"^(?i:by)\s+[A-Z]")
# Class and id words that name page furniture on almost every CMS. Matched as
# whole words of the attribute ("nl-signup", "cc-related"), never as
# substrings: "commentary" is an article, "comments" is not.
_CHROME_WORDS = frozenset(
    {
        "newsletter",
        "newsletters",
        "signup",
        "subscribe",
        "subscription",
        "donate",
        "donation",
        "support",
        "promo",
        "promotion",
        "readmore",
        "related",
        "recommended",
        "recirculation",
        "comments",
        "comment",
        "conversation",
        "reply",
        "replies",
        "popular",
        "trending",
        "sponsor",
        "debate",
        "discussion",
        "share",
        "sharing",
        "social",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "sponsored",
        "outbrain",
        "taboola",
        "paywall",
        "cookie",
        "consent",
    }
)
_CLASS_WORD = re.compile(r"[a-z0-9]+")
_TITLE_SEPARATORS = " |-–—:·•»/"


def extract_document(
    data: bytes | str, *, url: str | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Extract the article from an HTML page or a captured page text, told apart by content.

    ``now`` only matters for captured text, where ages ("5 hours ago") are common.
    """
    text = _decode(data) if isinstance(data, bytes) else data
    if not text.strip():
        raise ExtractError("the document is empty")
    if _looks_binary(text):
        raise ExtractError("the document is binary data, not a page")
    if is_html(text):
        return extract_html(text, url=url)
    return extract_capture(text, url=url, now=now)


def is_html(data: str) -> bool:
    """Markup rather than text: a doctype or ``<html>``/``<body>``, or several HTML tags."""
    head = data[:65536]
    if _DOCUMENT_START.search(head[:4096]):
        return True
    return len(_TAG.findall(head)) >= 3


def extract_html(html: str, *, url: str | None = None) -> ExtractedArticle:
    """The article of an HTML page: trafilatura's body text under the page's own metadata."""
    if len(html) > MAX_PAGE_CHARS:
        raise ExtractError(f"the page is too large to extract ({len(html)} characters)")
    root = parse_html(html)
    meta = read_metadata_tree(root, url=url)
    # Scripts held the JSON-LD, which is read now; the body text never lives there.
    lxml.etree.strip_elements(
        root, "script", "style", "noscript", "template", "svg", with_tail=False
    )
    elements = sum(1 for _ in root.iter())
    if elements > MAX_PAGE_ELEMENTS:
        raise ExtractError(f"the page has too many elements to extract ({elements})")
    _prune_chrome(root)
    _unwrap_layout_tables(root)
    linked = _link_words(root)
    try:
        document = trafilatura.bare_extraction(
            root,
            url=url,
            include_comments=False,
            include_tables=True,  # data tables: each row becomes a line (_table_row)
            include_images=False,
            include_links=False,
            deduplicate=False,  # its cache is process-wide: results would depend on history
            with_metadata=True,
            # A deep search reads any year on the page ("© 2025") as the date.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    # Hostile markup can make trafilatura or lxml fail in many ways (including
    # RecursionError on deep trees); all of them mean "no article here".
    except Exception as exc:
        raise ExtractError(f"the page could not be extracted: {exc!r}") from exc
    if document is None or isinstance(document, dict):
        raise ExtractError("no article text found on the page")

    site_name = meta.site_name or _site_name(document.sitename)
    title = meta.title
    if title and not meta.site_name and document.title:
        title, site_name = _split_title(title, document.title, site_name)
    title = strip_site_name(title or document.title or "", site_name) or None

    known_authors = meta.authors or clean_authors((document.author or "").split(";"))
    paragraphs, byline = _paragraphs(document.text or "", title, known_authors)
    if not paragraphs:
        raise ExtractError("no article text found on the page")
    if not has_prose(paragraphs) and _mostly_links(paragraphs, linked):
        raise ExtractError("no article text found on the page (only menus and links)")
    authors = meta.authors or clean_authors(
        [*(document.author or "").split(";"), byline], drop=[site_name]
    )
    return ExtractedArticle(
        text="\n\n".join(paragraphs),
        url=url,
        canonical_url=meta.canonical_url,
        title=title,
        authors=authors,
        published=meta.published or _day(document.date),
        site_name=site_name,
        language=meta.language,
        image=meta.image,
        description=meta.description or document.description,
        related=(),
    )


def _paragraphs(text: str, title: str | None, authors: tuple[str, ...]) -> tuple[list[str], str]:
    """Paragraphs (one per line of trafilatura's text) and the byline found above them.

    The lines above the first paragraph that repeat the headline, give only a
    date, or only name the authors are the article's header, not its text.
    """
    paragraphs = [_table_row(" ".join(line.split())) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    headline = " ".join((title or "").split()).casefold()
    byline = ""
    while paragraphs and len(paragraphs[0]) < 100:
        first = paragraphs[0]
        if _LEADING_BYLINE.match(first) and not byline:
            byline = first
        elif not (
            first.casefold() == headline
            or parse_date(first) is not None
            or _names_only(first, authors)
        ):
            break
        paragraphs.pop(0)
    return drop_page_chrome(paragraphs), byline


def _table_row(line: str) -> str:
    """trafilatura writes a table row as ``| a | b |`` and a header rule as ``|---|``:
    a row becomes its non-empty cells, joined, and a rule nothing."""
    if not line.startswith("|"):
        return line
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    return " | ".join(cell for cell in cells if cell and not set(cell) <= set("-: "))


def _names_only(line: str, authors: tuple[str, ...]) -> bool:
    """ "Aiko Mitsui (Meridian Wire)" above the text, when Aiko Mitsui is the author."""
    names = clean_authors(line)
    return bool(names) and set(names) <= set(authors)


def _prune_chrome(root: lxml.html.HtmlElement) -> None:
    """Remove boxes whose class or id names them as furniture (newsletter, comments...).

    A box holding most of the page's paragraph text is kept whatever its name:
    some sites put the article itself in a container called "story-share" or similar.
    """
    total = sum(len(p.text_content()) for p in root.iter("p")) or 1
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "article", "main"):
            continue
        if len(_CLASS_WORD.findall(element.get("id") or "")) > _NAME_WORDS:
            del element.attrib["id"]  # a heading's slug; trafilatura would read it as a name
        if not _CHROME_WORDS.intersection(_component_words(element)):
            continue
        text = sum(len(p.text_content()) for p in element.iter("p"))
        if text * 2 < total:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _link_words(root: lxml.html.HtmlElement) -> frozenset[str]:
    """Every word of the page's link texts. A ``javascript:`` link leads nowhere: it
    is a script's handle on its text (a whole article may sit in one), not a menu."""
    return frozenset(
        word
        for link in root.iter("a")
        if not (link.get("href") or "").strip().lower().startswith("javascript:")
        for word in link.text_content().casefold().split()
    )


def _mostly_links(paragraphs: list[str], linked: frozenset[str]) -> bool:
    """Whether most of a short text is made of link texts: a menu or a list of
    headlines, not an article however short (a page of one short paragraph is one)."""
    words = [word for p in paragraphs for word in p.casefold().split()]
    return sum(word in linked for word in words) * 2 >= len(words)


def _unwrap_layout_tables(root: lxml.html.HtmlElement) -> None:
    """Turn tables used for layout into plain boxes, so the article inside one keeps its
    paragraphs: trafilatura writes each table cell on one line. A table is layout when
    a cell holds structure (a heading, another table, paragraphs) or one cell holds
    most of the table's text; a data table spreads its text over its cells."""
    for table in reversed(list(root.iter("table"))):  # inner tables first
        cells = table.xpath("./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th")
        if not _is_layout(cells):
            continue
        for element in [table, *table.xpath("./tr | ./* | ./*/tr | ./tr/* | ./*/tr/*")]:
            if element.tag in ("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
                element.tag = "div"


def _is_layout(cells: list[lxml.html.HtmlElement]) -> bool:
    for cell in cells:
        if cell.xpath("boolean(.//table | .//h1 | .//h2 | .//h3 | .//h4)"):
            return True
        if len(cell.findall(".//p")) >= 2:
            return True
    lengths = [len(cell.text_content().strip()) for cell in cells]
    return bool(lengths) and max(lengths) >= _PROSE_CELL and max(lengths) * 2 >= sum(lengths)


_PROSE_CELL = 200
"""Characters of a cell that, holding most of its table's text, make it the page's column."""


def _component_words(element: lxml.html.HtmlElement) -> set[str]:
    """The words of an element's class and id names. A name of more than three words
    ("sharing-with-a-single-developer") is a heading's slug, not a component's name."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()
    words = [_CLASS_WORD.findall(name) for name in names]
    return {word for parts in words if len(parts) <= _NAME_WORDS for word in parts}


_NAME_WORDS = 3
"""Most words in a component's class or id name ("social-share-bar"); more make a slug."""


def _split_title(page_title: str, headline: str, site_name: str | None) -> tuple[str, str | None]:
    """ "Night buses expand - Daily Planet" with headline "Night buses expand" names the site."""
    if page_title.casefold().startswith(headline.casefold()) and len(page_title) > len(headline):
        rest = page_title[len(headline) :]
        if rest[:1] in _TITLE_SEPARATORS:
            site = rest.strip(_TITLE_SEPARATORS)
            if site and len(site.split()) <= 5:
                return headline, site_name or site
    return page_title, site_name


def _site_name(guess: str | None) -> str | None:
    """trafilatura falls back to the host name, which is not a site's name."""
    if not guess or re.fullmatch(r"[\w-]+(?:\.[\w-]+)+(?::\d+)?", guess.strip()):
        return None
    return guess.strip()


def _day(value: str | None) -> datetime | None:
    """trafilatura's date is a bare day; midnight UTC stands for it."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _decode(data: bytes) -> str:
    """Text from bytes: a BOM, then UTF-8, then a declared charset, then detection."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in data[:8192]:
        raise ExtractError("the document is binary data, not a page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared[1].decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise ExtractError("the document is not text in any encoding we can recognise")
    return data.decode(best.encoding, errors="replace")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return len(_CONTROL.findall(sample)) > _BINARY_SHARE * len(sample)
