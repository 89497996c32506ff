"""A stream as Google Reader's Atom, which older clients (newsboat's FeedHQ mode)
read instead of the JSON: each entry carries its state for the reader as a category
in Google's scheme (``read``, ``fresh``, ``starred``), which is how such a client
learns what was read elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from xml.sax.xmlreader import AttributesImpl

from django.http import HttpRequest
from django.utils import timezone
from django.utils.xmlutils import SimplerXMLGenerator

from daybook.community.state import ReaderState
from daybook.news.models import Article
from daybook.sync.greader import ids, items, streams
from daybook.web.syndication import clean

GOOGLE_SCHEME = "http://www.google.com/reader/"
GR = "http://www.google.com/schemas/reader/atom/"


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(
    request: HttpRequest,
    stream: streams.Stream,
    articles: list[Article],
    state: ReaderState,
    continuation: str | None,
) -> str:
    out = StringIO()
    xml = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement(
        "feed", AttributesImpl({"xmlns": "http://www.w3.org/2005/Atom", "xmlns:gr": GR})
    )
    xml.addQuickElement("id", f"tag:google.com,2005:reader/{stream.id}")
    xml.addQuickElement("title", clean(stream.title))
    xml.addQuickElement("updated", _time(timezone.now()))
    if continuation:
        xml.addQuickElement("gr:continuation", continuation)
    feeds = items.feeds_of(articles)
    for article in articles:
        stored_ms = int(article.created_at.timestamp() * 1000)
        xml.startElement("entry", AttributesImpl({"gr:crawl-timestamp-msec": str(stored_ms)}))
        xml.addQuickElement("id", ids.long_id(article.pk))
        xml.addQuickElement("title", clean(article.title), {"type": "text"})
        xml.addQuickElement("published", _time(article.published_at or article.created_at))
        xml.addQuickElement("updated", _time(article.updated_at))
        xml.addQuickElement(
            "link", None, {"rel": "alternate", "href": article.url, "type": "text/html"}
        )
        for tag in items.categories(article, state):
            label = tag.rsplit("/", 1)[-1]
            xml.addQuickElement(
                "category", None, {"term": tag, "scheme": GOOGLE_SCHEME, "label": label}
            )
        authors = ", ".join(clean(str(name)) for name in article.authors if name)
        if authors:
            xml.startElement("author", AttributesImpl({}))
            xml.addQuickElement("name", authors)
            xml.endElement("author")
        xml.addQuickElement("content", items.content_html(request, article), {"type": "html"})
        source = {"gr:stream-id": f"feed/{feeds.get(article.source_id or 0, '')}"}
        xml.startElement("source", AttributesImpl(source))
        xml.addQuickElement("title", clean(article.publisher))
        xml.endElement("source")
        xml.endElement("entry")
    xml.endElement("feed")
    xml.endDocument()
    return out.getvalue()
