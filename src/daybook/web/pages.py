"""What each page shows, as plain data: built once, then rendered as HTML by a
template, served as JSON (``?format=json``), and reused by the API.

Builders return JSON-ready dicts (ids, strings, ISO times) so a page's data can
be cached and sent as it is. Relative times ("14 hours ago") are not stored
here: the template turns each ISO time into one when it renders, so a cached
page never shows a stale age for long. Nothing here knows who is reading;
``daybook.web.reader`` applies a signed-in reader's mutes and follows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from daybook.ai.embed import from_bytes
from daybook.ai.text import MAX_TEXT_CHARS, paragraphs
from daybook.ai.topics import REGIONS, TOPICS
from daybook.news.models import Article, ArticleEntity, Entity, Quote, Source, Story
from daybook.news.related import related_ids
from daybook.pipeline.compare import Span, compare
from daybook.pipeline.urls import is_web_url
from daybook.text.script import unspaced
from daybook.web import paging

TOP_STORIES = 12
LATEST = 20
SECTION_SIZE = 4
TEASER_WORDS = 40
TOP_STORY_WINDOW = timedelta(days=3)
MOMENTUM_WINDOW = timedelta(hours=6)
COMPARED_COPIES = 5
TOPIC_NAMES = (*TOPICS, *REGIONS)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _teaser(article: Article) -> str:
    """The article's own description, else its summary, else its opening words."""
    if article.description:
        text = article.description
    elif article.summary:
        text = " ".join(s["text"] for s in article.summary)
    else:
        text = article.text[:2000]
    words = text.split()
    return " ".join(words[:TEASER_WORDS]) + ("…" if len(words) > TEASER_WORDS else "")


def card(article: Article) -> dict[str, Any]:
    """An article as lists show it (``source`` should be selected)."""
    return {
        "id": article.pk,
        "title": article.title,
        "path": reverse("article", args=[article.pk]),
        "publisher": {"id": article.source_id, "name": article.publisher},
        "published": _iso(article.published_at or article.created_at),
        "teaser": _teaser(article),
        "image": article.image if is_web_url(article.image) else None,
        "language": article.language or "en",
        "story": article.story_id,
        "topics": article.topics,
        "copy_of": article.copy_of_id,
    }


def cards(articles: Iterable[Article]) -> list[dict[str, Any]]:
    return [card(a) for a in articles]


HEAVY = ("embedding", "signature")
"""Columns no page shows: left in the database when loading lists."""


def originals() -> QuerySet[Article]:
    return Article.objects.filter(copy_of=None).select_related("source").defer(*HEAVY)


def tagged(name: str) -> Q:
    """Articles tagged with topic ``name``. JSON containment is PostgreSQL-only, so
    the JSON text is matched instead: a topic is stored as the quoted string."""
    return Q(topics__icontains=f'"{name}"')


def with_topic(articles: QuerySet[Article], name: str) -> QuerySet[Article]:
    return articles.filter(tagged(name))


# -- home -----------------------------------------------------------------------------


def home() -> dict[str, Any]:
    latest = list(originals()[:LATEST])
    sections = []
    for name in TOPICS:
        rows = list(with_topic(originals(), name)[:SECTION_SIZE])
        if rows:
            sections.append({"topic": name, "path": _topic_path(name), "articles": cards(rows)})
    return {"stories": top_stories(), "articles": cards(latest), "sections": sections}


def top_stories(limit: int = TOP_STORIES) -> list[dict[str, Any]]:
    """Stories ranked by how many publishers cover them, how recent they are and
    how fast they are growing.

    Recency is measured from the newest story, not from the clock, so a collection
    that stopped updating (a demo, an archive) still has a front page.
    """
    newest = Story.objects.filter(merged_into=None).order_by("-last_seen").first()
    if newest is None:
        return []
    since = newest.last_seen - TOP_STORY_WINDOW
    recent_since = newest.last_seen - MOMENTUM_WINDOW
    # Rank on the stories' own columns and a count; only the winners' articles load.
    stories = list(
        Story.objects.filter(merged_into=None, last_seen__gte=since, article_count__gt=0)
        .defer("centroid", "entities")
        .annotate(
            recent=Count(
                "articles",
                filter=Q(articles__published_at__gte=recent_since)
                | Q(articles__published_at=None, articles__created_at__gte=recent_since),
            )
        )
    )

    def score(story: Story) -> float:
        # Breadth counts most (a story three outlets cover beats one outlet's scoop of
        # the same hour); interest halves every 36 hours; a story still gaining
        # articles in the last six hours gets up to half again.
        age_hours = (newest.last_seen - story.last_seen).total_seconds() / 3600
        momentum = story.recent / max(1, story.article_count)  # type: ignore[attr-defined]
        return float(story.publisher_count**1.5 * 0.5 ** (age_hours / 36) * (1 + momentum / 2))

    ranked = sorted(stories, key=lambda s: (-score(s), -s.pk))[:limit]
    members: dict[int, list[Article]] = defaultdict(list)
    for article in (
        Article.objects.filter(story__in=ranked)
        .select_related("source")
        .defer("text", *HEAVY)
        .order_by("published_at")
    ):
        members[article.story_id].append(article)  # type: ignore[index]
    return [story_card(s, members[s.pk]) for s in ranked]


def story_card(story: Story, articles: list[Article]) -> dict[str, Any]:
    lead = next((a for a in articles if a.copy_of_id is None), articles[0] if articles else None)
    image = next((a.image for a in articles if is_web_url(a.image)), None)
    topics = Counter(t for a in articles for t in a.topics)
    return {
        "id": story.pk,
        "title": story.title or (lead.title if lead else ""),
        "path": reverse("story", args=[story.pk]),
        "summary": [s["text"] for s in story.summary],
        "generated_summary": story.generated_summary or None,
        "publisher_count": story.publisher_count,
        "article_count": story.article_count,
        "first_seen": _iso(story.first_seen),
        "last_seen": _iso(story.last_seen),
        "image": image,
        "lead": card(lead) if lead else None,
        "topics": [t for t, _ in topics.most_common(3)],
    }


# -- story ----------------------------------------------------------------------------


def resolve_story(pk: int) -> Story:
    """The story with ``pk``, following merges; Http404 if there is none."""
    story = Story.current(pk)
    if story is None:
        raise Http404("No such story.")
    return story


def story(story: Story) -> dict[str, Any]:
    articles = list(
        Article.objects.filter(story=story)
        .select_related("source")
        .defer(*HEAVY)
        .order_by("published_at", "id")
    )
    # By id, not by joining on the story: the planner would walk every original.
    ids = [a.pk for a in articles]
    original_ids = [a.pk for a in articles if a.copy_of_id is None]
    by_publisher: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_publisher[a.publisher].append(a)
    titles = {a.pk: a for a in articles}
    summary = [
        {
            "text": s["text"],
            "article": s["article"],
            "publisher": titles[s["article"]].publisher if s["article"] in titles else "",
            "path": reverse("article", args=[s["article"]]),
        }
        for s in story.summary
    ]
    return {
        "story": {**story_card(story, articles), "summary": summary},
        "timeline": [{**card(a), "is_copy": a.copy_of_id is not None} for a in articles],
        "coverage": [
            {"publisher": name, "publisher_id": rows[0].source_id, "articles": cards(rows)}
            for name, rows in sorted(by_publisher.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "entities": _entities(ArticleEntity.objects.filter(article_id__in=ids), limit=20),
        # A copy's quotes are its original's words again: only originals count.
        "quotes": _quotes_by_speaker(Quote.objects.filter(article_id__in=original_ids)),
        "related_stories": related_stories(story),
    }


def _entities(mentions: QuerySet[ArticleEntity], limit: int) -> list[dict[str, Any]]:
    rows = (
        mentions.values("entity_id", "entity__name", "entity__kind")
        .annotate(total=Count("id"))
        .order_by("-total", "entity__name")[:limit]
    )
    return [
        {
            "id": r["entity_id"],
            "name": r["entity__name"],
            "kind": r["entity__kind"],
            "articles": r["total"],
            "path": reverse("entity", args=[r["entity_id"]]),
        }
        for r in rows
    ]


def _with_articles(quotes: QuerySet[Quote]) -> QuerySet[Quote]:
    """Quotes with the little of their article a quote shows (not its text)."""
    return quotes.select_related("speaker", "article", "article__source").defer(
        "article__text", *(f"article__{column}" for column in HEAVY)
    )


def _quote(q: Quote) -> dict[str, Any]:
    return {
        "text": q.text,
        "article": q.article_id,
        "publisher": q.article.publisher,
        "path": reverse("article", args=[q.article_id]) + f"#p{q.paragraph}",
        "paragraph": q.paragraph,
    }


def _quotes_by_speaker(quotes: QuerySet[Quote]) -> list[dict[str, Any]]:
    """Quotes grouped by who said them (a named speaker, or an unnamed source as the
    article describes it), most-quoted first, the unattributed last."""
    grouped: dict[int | str | None, list[Quote]] = defaultdict(list)
    speakers: dict[int, Entity] = {}
    rows = _with_articles(quotes)
    for q in rows.order_by("article__published_at", "article_id", "position"):
        grouped[q.speaker_id or (q.unnamed.casefold() if q.unnamed else None)].append(q)
        if q.speaker is not None:
            speakers[q.speaker.pk] = q.speaker
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0] is None, -len(kv[1])))
    return [
        {
            "speaker": (
                {
                    "id": key,
                    "name": speakers[key].name,
                    "path": reverse("entity", args=[key]),
                }
                if isinstance(key, int)
                else None
            ),
            "unnamed": found[0].unnamed if isinstance(key, str) else None,
            "quotes": [_quote(q) for q in found],
        }
        for key, found in ordered
    ]


def related_stories(story: Story, limit: int = 5) -> list[dict[str, Any]]:
    """Stories whose centre lies nearest this one's, among those around its time."""
    if not story.centroid:
        return []
    window = timedelta(days=7)
    others = list(
        Story.objects.filter(
            merged_into=None,
            embedding_model=story.embedding_model,
            last_seen__gte=story.first_seen - window,
            first_seen__lte=story.last_seen + window,
        )
        .exclude(pk=story.pk)
        .exclude(centroid=b"")
        .only("id", "title", "publisher_count", "last_seen", "centroid")
        .order_by("-last_seen")[:500]
    )
    if not others:
        return []
    centre = from_bytes(bytes(story.centroid))
    matrix = np.vstack([from_bytes(bytes(s.centroid)) for s in others])
    scores = matrix @ centre
    best = [int(i) for i in np.argsort(-scores)[:limit] if scores[i] > 0.3]
    return [
        {
            "id": others[i].pk,
            "title": others[i].title,
            "path": reverse("story", args=[others[i].pk]),
            "publisher_count": others[i].publisher_count,
            "last_seen": _iso(others[i].last_seen),
        }
        for i in best
    ]


# -- article --------------------------------------------------------------------------


def article(pk: int) -> dict[str, Any]:
    found = Article.objects.select_related("source", "story", "copy_of__source").filter(pk=pk)
    row = found.first()
    if row is None:
        raise Http404("No such article.")
    entities = [
        {
            "id": m.entity_id,
            "name": m.entity.name,
            "kind": m.entity.kind,
            "count": m.count,
            "path": reverse("entity", args=[m.entity_id]),
        }
        for m in ArticleEntity.objects.filter(article=row).select_related("entity")[:30]
    ]
    quotes = [
        {
            "text": q.text,
            "paragraph": q.paragraph,
            "speaker": (
                {
                    "id": q.speaker_id,
                    "name": q.speaker.name,
                    "path": reverse("entity", args=[q.speaker_id]),
                }
                if q.speaker is not None
                else None
            ),
            "unnamed": q.unnamed or None,
        }
        for q in Quote.objects.filter(article=row).select_related("speaker")
    ]
    story_row = row.story
    return {
        "article": {
            **card(row),
            "url": row.url if is_web_url(row.url) else None,
            "authors": row.authors,
            "reading_minutes": row.reading_minutes,
            "word_count": row.word_count,
            "paragraphs": paragraphs(row.text[:MAX_TEXT_CHARS]),
            "truncated": len(row.text) > MAX_TEXT_CHARS,
            "description": row.description,
            "story": (
                {
                    "id": story_row.pk,
                    "title": story_row.title,
                    "path": reverse("story", args=[story_row.pk]),
                    "article_count": story_row.article_count,
                    "publisher_count": story_row.publisher_count,
                }
                if story_row is not None
                else None
            ),
        },
        "ai": {
            "summary": [s["text"] for s in row.summary],
            "key_points": [s["text"] for s in row.key_points],
            "entities": entities,
            "quotes": quotes,
            "topics": [{"name": t, "path": _topic_path(t)} for t in row.topics],
            "keywords": row.keywords,
            "enriched": bool(row.enriched),
        },
        "related": _related(row),
        "republishing": republishing(row),
    }


def related(pk: int) -> list[dict[str, Any]]:
    row = Article.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("No such article.")
    return _related(row)


def _related(row: Article) -> list[dict[str, Any]]:
    order = related_ids(row)
    found = Article.objects.select_related("source").in_bulk(order)
    return [card(found[i]) for i in order if i in found]


def republishing(row: Article) -> dict[str, Any] | None:
    """For a wire copy: the original and what this outlet added or cut. For an
    original that others republished: who did, each with their changes."""
    if row.copy_of is not None:
        return {
            "original": card(row.copy_of),
            "copies": [],
            "changes": _changes(row.copy_of.text, row.text),
        }
    copies = list(row.copies.select_related("source").order_by("published_at", "id"))
    if not copies:
        return None
    return {
        "original": None,
        "copies": [
            {**card(c), "changes": _changes(row.text, c.text) if i < COMPARED_COPIES else None}
            for i, c in enumerate(copies)
        ],
        "changes": None,
    }


def _changes(original: str, copy: str) -> dict[str, Any]:
    result = compare(original, copy)
    return {
        "added": result.added,
        "cut": result.cut,
        "edited": result.edited,
        "same": result.same,
        "identical": result.identical,
        "truncated": result.truncated,
        "paragraphs": [
            {
                "kind": c.kind,
                "original": c.original,
                "copy": c.copy,
                "spans": _spaced(c.spans),
            }
            for c in result.changes
        ],
    }


def _spaced(spans: tuple[Span, ...]) -> list[dict[str, str]]:
    """Spans with the space that separates them in the text, so a template can
    print them back to back: none between two characters of a script written
    without spaces (Japanese is compared character by character)."""
    shown = []
    for i, span in enumerate(spans):
        following = spans[i + 1].text[:1] if i + 1 < len(spans) else ""
        space = "" if not following or (unspaced(span.text[-1:]) and unspaced(following)) else " "
        shown.append({"kind": span.kind, "text": span.text + space})
    return shown


# -- lists: publishers, topics, entities ---------------------------------------------


def _listing(rows: QuerySet[Article], cursor: str | None, limit: int, path: str) -> dict[str, Any]:
    found, following = paging.page(rows, cursor, limit)
    return {
        "articles": cards(found),
        "next": f"{path}?cursor={following}" if following else None,
        "cursor": following,
    }


def publishers() -> dict[str, Any]:
    rows = Source.objects.annotate(count=Count("articles")).order_by("name")
    return {
        "publishers": [
            {
                "id": s.pk,
                "name": s.name,
                "site_url": s.site_url if is_web_url(s.site_url) else None,
                "articles": s.count,
                "path": reverse("publisher", args=[s.pk]),
            }
            for s in rows
        ]
    }


def publisher(pk: int, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    source = Source.objects.filter(pk=pk).first()
    if source is None:
        raise Http404("No such publisher.")
    path = reverse("publisher", args=[pk])
    return {
        "publisher": {
            "id": source.pk,
            "name": source.name,
            "site_url": source.site_url if is_web_url(source.site_url) else None,
            "path": path,
            "feeds": {"rss": f"/feeds/publishers/{pk}.rss", "atom": f"/feeds/publishers/{pk}.atom"},
        },
        **_listing(
            Article.objects.filter(source=source).select_related("source"), cursor, limit, path
        ),
    }


def _topic_path(name: str) -> str:
    return reverse("topic", args=[name])


def topics() -> dict[str, Any]:
    return {
        "topics": [{"name": t, "kind": "subject", "path": _topic_path(t)} for t in TOPICS]
        + [{"name": r, "kind": "region", "path": _topic_path(r)} for r in REGIONS]
    }


def topic(name: str, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    if name not in TOPIC_NAMES:
        raise Http404("No such topic.")
    path = _topic_path(name)
    return {
        "topic": {
            "name": name,
            "kind": "subject" if name in TOPICS else "region",
            "path": path,
            "feeds": {"rss": f"/feeds/topics/{name}.rss", "atom": f"/feeds/topics/{name}.atom"},
        },
        **_listing(with_topic(originals(), name), cursor, limit, path),
    }


def entity(pk: int, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    row = Entity.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("No such entity.")
    path = reverse("entity", args=[pk])
    quotes = _with_articles(Quote.objects.filter(speaker=row, article__copy_of=None))
    story_ids = (
        ArticleEntity.objects.filter(entity=row, article__story__merged_into=None)
        .exclude(article__story=None)
        .values("article__story")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    stories = Story.objects.in_bulk([s["article__story"] for s in story_ids])
    return {
        "entity": {
            "id": row.pk,
            "name": row.name,
            "kind": row.kind,
            "aliases": [a for a in row.aliases if a != row.name],
            "path": path,
        },
        "quotes": [_quote(q) for q in quotes.order_by("-article__published_at", "position")[:20]],
        "stories": [
            {"id": s.pk, "title": s.title, "path": reverse("story", args=[s.pk])}
            for s in (stories.get(r["article__story"]) for r in story_ids)
            if s is not None
        ],
        **_listing(originals().filter(mentions__entity=row), cursor, limit, path),
    }
