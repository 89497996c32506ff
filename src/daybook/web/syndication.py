"""RSS 2.0 and Atom 1.0 feeds of the site's articles, and the OPML list of its sources.

Every feed links to the local article page, not the publisher's: the reader
subscribed to daybook, and the page there shows the story, its copies and its
summary. Article text comes from other people's sites, so everything put in a
feed is cleaned of the characters XML 1.0 cannot carry (the framework would
refuse the whole feed over one) and escaped where the format reads HTML.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from daybook.news.models import Article, Source, Story
from daybook.news.sources import export_opml
from daybook.web.pages import TOPIC_NAMES, resolve_story, with_topic
from daybook.web.paging import newest_first

LIMIT = 50

# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


# The stubs make Feed generic in its items and object; Django's class cannot be
# subscripted at run time.
if TYPE_CHECKING:
    _Feed = Feed[Article, Any]
else:
    _Feed = Feed


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def newest(articles: QuerySet[Article]) -> QuerySet[Article]:
    """The latest ``LIMIT``, in the lists' order: by publication time, else by when
    stored (so an undated article is not sorted first, as PostgreSQL sorts NULL)."""
    rows = articles.select_related("source").defer("text", "embedding", "signature", "related")
    return newest_first(rows)[:LIMIT]


class _Atom(Atom1Feed):
    """Atom with ``xml:lang`` on each entry whose language differs from the feed's."""

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        language = item.get("language")
        if language and language != self.feed.get("language"):
            return {"xml:lang": language}
        return {}


class _ArticleFeed(_Feed):
    """The items every feed shares; subclasses choose the articles and the titles.

    Titles are plain text in both formats, escaped once by the XML writer: Atom
    declares them so, and RSS readers take a title without markup as text, so a
    headline like "AT&T <Q3>" reads as written. Descriptions are HTML in both
    formats (Atom's ``type="html"``), so the plain-text summary is escaped first.
    """

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_feed(self, obj: Any, request: HttpRequest) -> SyndicationFeed:
        """The feed, declaring a language only when every item shares it."""
        feed = super().get_feed(obj, request)
        languages = {item.get("language") for item in feed.items}
        feed.feed["language"] = languages.pop() if len(languages) == 1 else None
        return feed

    def item_title(self, item: Article) -> str:
        return clean(item.title)

    def item_description(self, item: Article) -> str:
        sentences = [s.get("text", "") for s in item.summary if isinstance(s, dict)]
        text = " ".join(s for s in sentences if isinstance(s, str) and s) or item.description
        return escape(clean(text))

    def item_link(self, item: Article) -> str:
        return reverse("article", args=[item.pk])

    def item_pubdate(self, item: Article) -> datetime:
        return item.published_at or item.created_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str | None:
        names = [clean(str(name)) for name in item.authors if name]
        return ", ".join(names) or None

    def item_categories(self, item: Article) -> list[str]:
        return [clean(str(topic)) for topic in item.topics]

    def item_extra_kwargs(self, item: Article) -> dict[str, Any]:
        language = item.language.strip()
        return {"language": language if _LANGUAGE.fullmatch(language) else None}


class HomeRss(_ArticleFeed):
    title = "daybook: latest"
    description = "The latest articles on daybook, each story once (republished copies left out)."
    subtitle = description

    def link(self) -> str:
        return reverse("home")

    def items(self) -> QuerySet[Article]:
        return newest(Article.objects.filter(copy_of=None))


class HomeAtom(HomeRss):
    feed_type = _Atom


class TopicRss(_ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        name = str(kwargs["name"])
        if name not in TOPIC_NAMES:
            raise Http404("no such topic")
        return name

    def title(self, obj: str) -> str:
        return f"daybook: {obj}"

    def description(self, obj: str) -> str:
        return f"The latest articles on daybook about {obj}."

    subtitle = description

    def link(self, obj: str) -> str:
        return reverse("topic", args=[obj])

    def items(self, obj: str) -> QuerySet[Article]:
        return newest(with_topic(Article.objects.filter(copy_of=None), obj))


class TopicAtom(TopicRss):
    feed_type = _Atom


class PublisherRss(_ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Source:
        return get_object_or_404(Source, pk=kwargs["pk"])

    def title(self, obj: Source) -> str:
        return f"daybook: {clean(obj.name)}"

    def description(self, obj: Source) -> str:
        return f"The latest articles from {clean(obj.name)} on daybook."

    subtitle = description

    def link(self, obj: Source) -> str:
        return reverse("publisher", args=[obj.pk])

    def items(self, obj: Source) -> QuerySet[Article]:
        return newest(Article.objects.filter(source=obj))


class PublisherAtom(PublisherRss):
    feed_type = _Atom


class StoryRss(_ArticleFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Story:
        """The story, or the one it was merged into: its articles moved there."""
        return resolve_story(kwargs["pk"])

    def title(self, obj: Story) -> str:
        return f"daybook: {clean(str(obj))}"

    def description(self, obj: Story) -> str:
        return "Every article daybook has on this story, republished copies included."

    subtitle = description

    def link(self, obj: Story) -> str:
        return reverse("story", args=[obj.pk])

    def items(self, obj: Story) -> QuerySet[Article]:
        return newest(Article.objects.filter(story=obj))


class StoryAtom(StoryRss):
    feed_type = _Atom


def sources_opml(request: HttpRequest) -> HttpResponse:
    """Every source's feed as OPML, for importing daybook's sources into a feed reader."""
    response = HttpResponse(export_opml(), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="daybook-sources.opml"'
    return response
