"""Shapes the API documents in its OpenAPI schema.

Outgoing shapes are *open* models: they name the fields a client may rely on,
and let through every other key the page builders return. The data itself comes
from ``daybook.web.pages``, so a key added there reaches API clients at once
instead of being dropped by a schema nobody remembered to update.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(BaseModel):
    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="per-field messages, when a body or a query failed validation"
    )


class Card(Open):
    """An article as every list shows it (pages.card)."""

    id: int
    title: str
    path: str = Field(description="its HTML page")
    publisher: dict[str, Any] = Field(description="{id, name}")
    published: str | None = Field(description="ISO 8601")
    stored: str | None = Field(description="ISO 8601: when daybook stored it")
    read: bool | None = Field(
        default=None, description="for a signed-in reader: whether they have read it"
    )
    teaser: str
    image: str | None
    language: str
    story: int | None
    topics: list[str]
    copy_of: int | None = Field(description="the original, when this is a republished copy")


class Listing(Open):
    """One page of a list of articles, newest first."""

    articles: list[Card]
    cursor: str | None = Field(description="pass as ?cursor= for the next page; null at the end")
    next: str | None = Field(
        description="the next page on the site, which answers ?format=json too; null at the end"
    )


class ArticlePage(Listing):
    next: str | None = Field(description="this request again for the next page; null at the end")


class Related(Open):
    articles: list[Card]


class StoryCard(Open):
    """A story as the front page lists it (pages.story_card)."""

    id: int
    title: str
    path: str
    publisher_count: int
    article_count: int
    publishers: list[dict[str, Any]] = Field(
        description="{id, name} of each publisher covering it, in order of first coverage"
    )
    first_seen: str | None
    last_seen: str | None
    latest: str | None = Field(description="ISO 8601: the newest dated coverage")
    image: str | None
    lead: Card | None
    topics: list[str]


class TopStories(Open):
    stories: list[StoryCard]


class ArticleDetail(Open):
    """What the article page shows (pages.article)."""

    article: dict[str, Any] = Field(
        description="the card's fields plus url, authors, paragraphs, reading time and story"
    )
    ai: dict[str, Any] = Field(
        description="summary, key_points, entities, quotes, topics, keywords, enriched"
    )
    related: list[Card]
    republishing: dict[str, Any] | None = Field(
        description="for a copy: its original and what changed; for an original: its copies"
    )


class StoryDetail(Open):
    """What the story page shows (pages.story)."""

    story: dict[str, Any] = Field(description="a story card whose summary cites its articles")
    timeline: list[Card] = Field(description="every article, oldest first, with is_copy")
    coverage: list[dict[str, Any]] = Field(description="articles grouped by publisher")
    entities: list[dict[str, Any]]
    quotes: list[dict[str, Any]] = Field(description="grouped by speaker")
    related_stories: list[dict[str, Any]]


class Answer(Open):
    """The sentences that answer, each with its article; "generated" is a
    language model's answer grounded in them, or null."""

    question: str
    sentences: list[dict[str, Any]]
    generated: str | None


class Publishers(Open):
    publishers: list[dict[str, Any]] = Field(description="{id, name, site_url, articles, path}")


class PublisherPage(Listing):
    publisher: dict[str, Any]


class Topics(Open):
    topics: list[dict[str, Any]] = Field(description="{name, kind: subject|region, path}")


class TopicPage(Listing):
    topic: dict[str, Any]


class EntityPage(Listing):
    entity: dict[str, Any] = Field(description="{id, name, kind, aliases, path}")
    quotes: list[dict[str, Any]]
    stories: list[dict[str, Any]]


class SearchPage(Open):
    query: dict[str, Any] | None = Field(description="the search as understood; null for none")
    hits: list[Card] = Field(description="cards with title_html and snippet_html (<mark>ed)")
    total: int
    page: int
    pages: int


class Comment(Open):
    """A comment as its thread shows it (comments.thread). A removed comment
    keeps its place, with "deleted" true and no user or body; only top-level
    comments have "replies" (replies go one level deep)."""

    id: int
    user: str
    body: str = Field(description="as written, in the small formatting subset")
    body_html: str = Field(description="rendered and sanitised")
    created: str
    edited: str | None
    deleted: bool
    hidden: bool = Field(description="removed by a moderator")
    replies: list[Comment] | None = None


class Thread(Open):
    comments: list[Comment]


class NewComment(Schema):
    """Give exactly one of article and story. A reply to a reply joins
    the same top-level comment."""

    article: int | None = None
    story: int | None = None
    parent: int | None = Field(None, description="the comment this replies to")
    body: str = Field(description="Markdown subset: emphasis, code, links, quotes, lists")


class CommentEdit(Schema):
    body: str
