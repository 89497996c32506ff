"""The shape of every page's data: one definition for the page builders
(``daybook.web.pages``), the templates that render them, the JSON twin of each page
and the API, whose OpenAPI schema is generated from these same classes.

A key a builder adds must be declared here, or mypy refuses the builder; a key
declared here and not built fails the API's response validation. So a page and its
API twin cannot drift apart. Times are ISO 8601 strings and ids are the database's;
``typing_extensions.TypedDict`` because pydantic reads only that one on Python 3.11.
"""

from __future__ import annotations

from typing import NotRequired

from pydantic import ConfigDict
from typing_extensions import TypedDict


class PublisherRef(TypedDict):
    id: int | None
    name: str
    icon: str | None
    """The icon or logo its feed names (pages show it through ``/media/``); null for none."""


class CardBase(TypedDict):
    id: int
    title: str
    path: str
    """Its HTML page."""
    publisher: PublisherRef
    published: str | None
    """When it says it was published; null when it does not say."""
    stored: str | None
    """When daybook stored it."""
    teaser: str
    image: str | None
    language: str
    topics: list[str]
    copy_of: int | None
    """The original, when this is a republished copy."""
    read: NotRequired[bool]
    """For a signed-in reader: whether they have read it."""


class Card(CardBase):
    """An article as every list shows it."""

    story: int | None


class TimelineCard(Card):
    is_copy: bool


class SearchHit(Card):
    title_html: str
    """The title, escaped, with matches in ``<mark>``."""
    snippet_html: str


class StoryBase(TypedDict):
    id: int
    title: str
    path: str
    generated_summary: str | None
    publisher_count: int
    article_count: int
    publishers: list[PublisherRef]
    """Each publisher covering it, in order of first coverage."""
    first_seen: str | None
    last_seen: str | None
    latest: str | None
    """The newest dated coverage."""
    image: str | None
    lead: Card | None
    topics: list[str]
    read: NotRequired[bool]


class StoryCard(StoryBase):
    """A story as the front page lists it."""

    summary: list[str]


class SummaryLine(TypedDict):
    """A sentence of a story's summary, with the article it is from."""

    text: str
    article: int
    publisher: str
    path: str


class StoryShown(StoryBase):
    summary: list[SummaryLine]


class Section(TypedDict):
    topic: str
    path: str
    articles: list[Card]


class Home(TypedDict):
    stories: list[StoryCard]
    articles: list[Card]
    sections: list[Section]
    as_of: str
    """When the data was read: "mark all as read" marks up to here."""


class EntityCount(TypedDict):
    id: int
    name: str
    kind: str
    articles: int
    path: str


class SpeakerRef(TypedDict):
    id: int
    name: str
    path: str


class QuoteShown(TypedDict):
    """A quote, linked to the paragraph of the article it is in."""

    text: str
    article: int
    publisher: str
    path: str
    paragraph: int


class SpeakerQuotes(TypedDict):
    speaker: SpeakerRef | None
    """A named speaker; null for an unnamed source or an unattributed quote."""
    unnamed: str | None
    """How the article describes an unnamed source ("a ministry spokesperson")."""
    quotes: list[QuoteShown]


class RelatedStory(TypedDict):
    id: int
    title: str
    path: str
    publisher_count: int
    last_seen: str | None


class Coverage(TypedDict):
    publisher: str
    publisher_id: int | None
    articles: list[Card]


class Comment(TypedDict):
    """A comment as its thread shows it. A removed comment keeps its place, with
    "deleted" true and no user or body; only top-level comments have "replies"
    (replies go one level deep)."""

    id: int
    user: str
    body: str
    """As written, in the small formatting subset (for the author's edit form)."""
    body_html: str
    created: str
    edited: str | None
    deleted: bool
    hidden: bool
    """Removed by a moderator."""
    replies: NotRequired[list[Comment]]


class StoryDetail(TypedDict):
    """What the story page shows."""

    story: StoryShown
    timeline: list[TimelineCard]
    """Every article, oldest first."""
    coverage: list[Coverage]
    """Articles grouped by publisher."""
    entities: list[EntityCount]
    quotes: list[SpeakerQuotes]
    related_stories: list[RelatedStory]
    as_of: str
    comments: NotRequired[list[Comment]]


class StoryRef(TypedDict):
    id: int
    title: str
    path: str
    article_count: int
    publisher_count: int


class ArticleShown(CardBase):
    """The card's fields, with its story spelled out, and the text."""

    url: str | None
    authors: list[str]
    reading_minutes: int
    word_count: int
    paragraphs: list[str]
    truncated: bool
    """The text is longer than the page shows."""
    description: str
    story: StoryRef | None


class MentionShown(TypedDict):
    id: int
    name: str
    kind: str
    count: int
    path: str


class ArticleQuote(TypedDict):
    text: str
    paragraph: int
    speaker: SpeakerRef | None
    unnamed: str | None


class TopicRef(TypedDict):
    name: str
    path: str


class Enrichment(TypedDict):
    summary: list[str]
    key_points: list[str]
    entities: list[MentionShown]
    quotes: list[ArticleQuote]
    topics: list[TopicRef]
    keywords: list[str]
    enriched: bool


class SpanShown(TypedDict):
    kind: str
    text: str


class ChangedParagraph(TypedDict):
    kind: str
    original: str | None
    copy: str | None
    spans: list[SpanShown]


class Changes(TypedDict):
    """What a copy added, cut or edited of its original."""

    added: int
    cut: int
    edited: int
    same: int
    identical: bool
    truncated: bool
    paragraphs: list[ChangedParagraph]


class CopyCard(Card):
    changes: Changes | None
    """Null past the first few copies."""


class Republishing(TypedDict):
    """For a copy: its original and what changed. For an original: its copies."""

    original: Card | None
    copies: list[CopyCard]
    changes: Changes | None


class ArticleDetail(TypedDict):
    """What the article page shows."""

    article: ArticleShown
    ai: Enrichment
    related: list[Card]
    republishing: Republishing | None
    comments: NotRequired[list[Comment]]


class ArticlePage(TypedDict):
    """A page of the API's latest articles (the front page's Latest, paged)."""

    articles: list[Card]
    cursor: str | None
    """Pass as ?cursor= for the next page; null at the end."""
    next: str | None
    """This request again for the next page; null at the end."""


class Related(TypedDict):
    articles: list[Card]


class TopStories(TypedDict):
    stories: list[StoryCard]


class Thread(TypedDict):
    comments: list[Comment]


class Listing(TypedDict):
    """One page of a list of articles, newest first."""

    articles: list[Card]
    next: str | None
    """The next page; null at the end."""
    cursor: str | None
    """Pass as ?cursor= for the next page; null at the end."""
    as_of: str


class Feeds(TypedDict):
    rss: str
    atom: str


class PublisherShown(TypedDict):
    id: int
    name: str
    site_url: str | None
    path: str
    feeds: Feeds


class PublisherPage(Listing):
    publisher: PublisherShown


class PublisherRow(TypedDict):
    id: int
    name: str
    site_url: str | None
    articles: int
    path: str


class Publishers(TypedDict):
    publishers: list[PublisherRow]


class TopicShown(TypedDict):
    name: str
    kind: str
    """subject or region"""
    path: str


class TopicDetail(TopicShown):
    feeds: Feeds


class TopicPage(Listing):
    topic: TopicDetail


class Topics(TypedDict):
    topics: list[TopicShown]


class EntityShown(TypedDict):
    id: int
    name: str
    kind: str
    aliases: list[str]
    path: str


class StoryLink(TypedDict):
    id: int
    title: str
    path: str


class EntityPage(Listing):
    entity: EntityShown
    quotes: list[QuoteShown]
    stories: list[StoryLink]


class QueryShown(TypedDict):
    text: str
    publisher: int | None
    topic: str | None
    since: str | None
    until: str | None
    order: str


class SearchPage(TypedDict):
    query: QueryShown | None
    """The search as understood; null for none."""
    hits: list[SearchHit]
    total: int
    ranked: int | None
    """When a word is in very many articles: how many of the newest are ranked (and
    can be paged to); null when all are."""
    page: int
    pages: int


# The docstrings under fields are their descriptions in the OpenAPI schema.
for _shape in list(globals().values()):
    if isinstance(_shape, type) and issubclass(_shape, dict) and _shape is not dict:
        _shape.__pydantic_config__ = ConfigDict(use_attribute_docstrings=True)  # type: ignore[attr-defined]
