"""An article as a reader app shows it: Google Reader's item JSON, whose content is
the extracted text as escaped paragraphs with a link to the original and to the
article's page here (the text is someone else's: nothing of it reaches the HTML
unescaped)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape

from daybook.ai.text import paragraphs
from daybook.community.state import ReaderState
from daybook.news.models import Article
from daybook.sync.greader import ids, streams
from daybook.web.syndication import clean


def page_url(request: HttpRequest, article: Article) -> str:
    return request.build_absolute_uri(reverse("article", args=[article.pk]))


def content_html(request: HttpRequest, article: Article) -> str:
    body = "".join(f"<p>{escape(clean(part))}</p>" for part in paragraphs(article.text))
    publisher = escape(clean(article.publisher or "the publisher"))
    links = (
        f'<p><a href="{escape(article.url)}">Read it at {publisher}</a> · '
        f'<a href="{escape(page_url(request, article))}">On daybook</a></p>'
    )
    return body + links


def categories(article: Article, state: ReaderState) -> list[str]:
    """The item's tags: its state for this reader, then its topics as labels."""
    tags = [streams.READING_LIST]
    read = state.reading.is_read(
        article.pk, article.created_at, article.source_id, article.story_id, article.topics
    )
    tags.append(streams.READ if read else streams.STATE + "fresh")
    if article.pk in state.bookmarks:
        tags.append(streams.STARRED)
    tags += [streams.LABEL + str(topic) for topic in article.topics]
    return tags


def item(
    request: HttpRequest, article: Article, state: ReaderState, feeds: dict[int, str]
) -> dict[str, Any]:
    """``feeds`` maps a publisher to its feed URL (``feeds_of``), found once per answer."""
    published = article.published_at or article.created_at
    stored_us = int(article.created_at.timestamp() * 1_000_000)
    feed = feeds.get(article.source_id or 0, "")
    return {
        "id": ids.long_id(article.pk),
        "crawlTimeMsec": str(stored_us // 1000),
        "timestampUsec": str(stored_us),
        "published": int(published.timestamp()),
        "updated": int(article.updated_at.timestamp()),
        "title": clean(article.title),
        "author": ", ".join(clean(str(name)) for name in article.authors if name),
        "canonical": [{"href": article.url}],
        "alternate": [{"href": article.url, "type": "text/html"}],
        "categories": categories(article, state),
        "origin": {
            "streamId": f"feed/{feed}",
            "title": clean(article.publisher),
            "htmlUrl": article.source.site_url if article.source else "",
        },
        "summary": {"direction": "ltr", "content": content_html(request, article)},
    }


def feeds_of(articles: list[Article]) -> dict[int, str]:
    return {
        source: streams.feed_url(source)
        for source in {a.source_id for a in articles if a.source_id is not None}
    }
