"""OPML: the subscription lists feed readers import and export.

Read through defusedxml like every XML document here, so a list that declares
entities is refused before anything expands them.
"""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from daybook.errors import ParseError

# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class OpmlOutline:
    url: str
    title: str | None
    site_url: str | None
    category: str | None


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """Every feed outline (one with an ``xmlUrl``), in document order, each URL once.

    An outline without ``xmlUrl`` is a folder: its text becomes the category of
    the feeds directly or deeply inside it (the nearest folder wins). Feeds
    whose URL is not http(s) are skipped: nothing else can be polled.
    """
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise ParseError(f"refused OPML: it declares entities ({error!r})") from error
    except (ET.ParseError, ValueError, LookupError) as error:
        raise ParseError(f"not an OPML document: malformed XML ({error})") from error
    if _local(root.tag) != "opml":
        raise ParseError(f"not an OPML document: the root element is <{_local(root.tag)}>")
    found: dict[str, OpmlOutline] = {}
    # An explicit stack rather than recursion: a hostile file may nest deeply.
    stack: list[tuple[ET.Element, str | None]] = [
        (child, None) for body in root if _local(body.tag) == "body" for child in body
    ]
    stack.reverse()
    while stack:
        element, category = stack.pop()
        if _local(element.tag) != "outline":
            continue
        attributes = {_local(key).lower(): value for key, value in element.attrib.items()}
        label = _text(attributes.get("title")) or _text(attributes.get("text"))
        url = _http_url(attributes.get("xmlurl"))
        if url is not None and url not in found:
            found[url] = OpmlOutline(
                url=url,
                title=label if label != url else None,
                site_url=_http_url(attributes.get("htmlurl")),
                category=category,
            )
        inner = category if url is not None else label or category
        stack.extend((child, inner) for child in reversed(element))
    return list(found.values())


def write_opml(outlines: Iterable[OpmlOutline], *, title: str = "daybook sources") -> bytes:
    """OPML 2.0 in UTF-8; feeds with a category are grouped in a folder of that name."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = email.utils.format_datetime(
        datetime.now(UTC), usegmt=True
    )
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for outline in outlines:
        parent = body
        if outline.category:
            parent = folders.get(outline.category) or ET.SubElement(
                body, "outline", text=_clean(outline.category)
            )
            folders[outline.category] = parent
        attributes = {"type": "rss", "text": _clean(outline.title or outline.url)}
        if outline.title:
            attributes["title"] = _clean(outline.title)
        attributes["xmlUrl"] = _clean(outline.url)
        if outline.site_url:
            attributes["htmlUrl"] = _clean(outline.site_url)
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _local(name: str) -> str:
    """An element or attribute name without its ``{namespace}``."""
    return name.rpartition("}")[2]


def _text(value: str | None) -> str | None:
    return (" ".join(value.split()) or None) if value else None


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _http_url(value: str | None) -> str | None:
    url = (value or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
