"""Placing articles in stories, merging stories, and keeping each story's summary.

The decision (join, start, bridge) is ``daybook.ai.cluster.place``; this module loads
the stories active around an article's time, applies the decision in the caller's
transaction, and keeps the story's derived fields (centroid, entities, publishers,
first and last seen, title) in step. A wire copy never goes through clustering: it
joins its original's story.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from daybook.ai import cluster
from daybook.ai.embed import Embedder, EmbedFn, Vectors, from_bytes, to_bytes
from daybook.ai.llm import LLMClient
from daybook.ai.summarise import summarise_story
from daybook.errors import LLMError
from daybook.news.ask import as_doc, provider
from daybook.news.models import Article, ArticleEntity, Story

log = logging.getLogger("daybook.stories")

MEMBERS_COMPARED = 40
"""Most recent members whose vectors are compared with a new article."""


def moment(article: Article) -> datetime:
    return article.published_at or article.created_at


def assign(article: Article, config: cluster.ClusterConfig | None = None) -> Story:
    """Put ``article`` in a story (it must have its vector and entities saved)."""
    if article.story_id is not None:
        return article.story  # type: ignore[return-value]
    original = Article.objects.filter(pk=article.copy_of_id).first() if article.copy_of_id else None
    if original is not None and (original.story_id is not None or original.embedding):
        story = assign(original, config)
    elif original is not None:
        # The original is not enriched yet (or its enrichment failed): the copy is
        # placed on its own text, and the original joins its copies' story later.
        story = _place(article, config or cluster.ClusterConfig())
    else:
        # An earlier publication that arrived late takes over as the original of a
        # group already placed: it joins its copies' story rather than starting one.
        placed = (
            Story.objects.filter(articles__copy_of=article, merged_into__isnull=True)
            .order_by("pk")
            .first()
        )
        story = placed or _place(article, config or cluster.ClusterConfig())
    article.story = story
    article.save(update_fields=["story"])
    refresh(story)
    return story


def _place(article: Article, config: cluster.ClusterConfig) -> Story:
    vector = from_bytes(bytes(article.embedding))
    when = moment(article)
    features = cluster.Features(vector, _entity_weights(article), when)
    placement = cluster.place(features, list(_candidates(article, when, config)), config)
    if placement.story is None:
        return Story.objects.create(
            title=article.title,
            first_seen=when,
            last_seen=when,
            embedding_model=article.embedding_model,
        )
    target = Story.objects.get(pk=placement.story)
    if placement.merge:
        merge(target, list(Story.objects.filter(pk__in=placement.merge)))
    return target


def _entity_weights(article: Article) -> dict[str, float]:
    """Entity name -> weight, rarer names weighing more (an inverse document frequency),
    so that "Japan" in every Japanese story does not glue unrelated ones together."""
    mentions = list(
        ArticleEntity.objects.filter(article=article).values_list("entity_id", "entity__name")
    )
    if not mentions:
        return {}
    total = Article.objects.filter(copy_of__isnull=True).count() or 1
    frequency = dict(
        ArticleEntity.objects.filter(
            entity_id__in=[entity for entity, _ in mentions], article__copy_of__isnull=True
        )
        .values_list("entity_id")
        .annotate(n=Count("article_id"))
        .values_list("entity_id", "n")
    )
    return {name: math.log(1 + total / (1 + frequency.get(entity, 0))) for entity, name in mentions}


def _candidates(
    article: Article, when: datetime, config: cluster.ClusterConfig
) -> Iterator[cluster.StoryView]:
    window = config.window
    stories = Story.objects.filter(
        merged_into__isnull=True,
        embedding_model=article.embedding_model,
        first_seen__lte=when + window,
        last_seen__gte=when - window,
    )
    for story in stories:
        members = (
            Article.objects.filter(story=story, copy_of__isnull=True)
            .exclude(embedding=b"")
            .order_by("-published_at", "-id")
            .values_list("embedding", flat=True)[:MEMBERS_COMPARED]
        )
        rows = [from_bytes(bytes(data)) for data in members]
        if not rows or not story.centroid:
            continue
        yield cluster.StoryView(
            id=story.pk,
            centroid=from_bytes(bytes(story.centroid)),
            members=np.vstack(rows),
            entities=story.entities,
            first_seen=story.first_seen,
            last_seen=story.last_seen,
            size=story.article_count,
        )


def merge(target: Story, others: list[Story]) -> None:
    """Fold ``others`` into ``target``: their articles move, they point at it."""
    for other in others:
        Article.objects.filter(story=other).update(story=target)
        Story.objects.filter(merged_into=other).update(merged_into=target)
        other.merged_into = target
        other.article_count = 0
        other.publisher_count = 0
        other.save(update_fields=["merged_into", "article_count", "publisher_count"])
        log.info("story merged story=%s into=%s", other.pk, target.pk)
    refresh(target)


def refresh(story: Story) -> None:
    """Recompute what a story derives from its articles."""
    articles = list(
        Article.objects.filter(story=story).select_related("source").order_by("published_at", "id")
    )
    if not articles:
        return
    originals = [a for a in articles if a.copy_of_id is None and a.embedding]
    if originals:
        vectors: Vectors = np.vstack([from_bytes(bytes(a.embedding)) for a in originals])
        story.centroid = to_bytes(cluster.centroid(vectors))
        story.embedding_model = originals[0].embedding_model
        story.title = _title(originals, vectors)
    names: Counter[str] = Counter()
    for name in ArticleEntity.objects.filter(article__story=story).values_list(
        "entity__name", flat=True
    ):
        names[name] += 1
    story.entities = dict(names.most_common(60))
    times = [moment(a) for a in articles]
    story.first_seen = min(times)
    story.last_seen = max(times)
    story.article_count = len(articles)
    story.publisher_count = len({a.publisher for a in articles})
    story.summary_stale = True
    story.updated_at = timezone.now()
    story.save()


def _title(originals: list[Article], vectors: Vectors) -> str:
    """The headline of the article nearest the story's centre: the most typical one."""
    centre = cluster.centroid(vectors)
    best = int(np.argmax(vectors @ centre))
    return originals[best].title


def summarise_stale(embed: EmbedFn) -> int:
    """Rewrite the combined summary of every story whose articles changed; and, when
    an operator set a language model, its written summary from those sentences."""
    client = provider()
    done = 0
    try:
        for story in Story.objects.filter(summary_stale=True, merged_into__isnull=True):
            try:
                _summarise(story, embed, client)
                done += 1
            except Exception:  # one story's failure never stops the others
                log.exception("story summary failed story=%s", story.pk)
    finally:
        if client is not None:
            client.close()
    return done


def _summarise(story: Story, embed: EmbedFn, client: LLMClient | None) -> None:
    members = Article.objects.filter(story=story).select_related("source")
    docs = [as_doc(a) for a in members.order_by("published_at", "id")]
    cited = summarise_story(docs, embed) if docs else ()
    story.summary = [
        {
            "article": c.article_id,
            "text": c.sentence.text,
            "paragraph": c.sentence.paragraph,
            "sentence": c.sentence.index,
        }
        for c in cited
    ]
    story.summary_stale = False
    if client is not None and story.summary:
        try:
            # The model gets more sentences than the extractive summary shows, all
            # from the story's own articles, and is told to use only them.
            grounding = summarise_story(docs, embed, limit=8)
            story.generated_summary = client.summarise(
                story.title, [c.sentence.text for c in grounding]
            )
            story.generated_by = client.config.model
        except LLMError as error:
            log.warning("language model failed story=%s error=%s", story.pk, error)
    story.save()


@dataclass
class RebuildStats:
    total: int = 0
    done: int = 0
    failed: int = 0
    stories: int = 0


def rebuild(
    embedder: Embedder, progress: Callable[[RebuildStats], None] | None = None
) -> RebuildStats:
    """Forget every story and place every enriched article again, oldest first.

    One transaction per article, like enrichment: a rebuild killed half-way leaves
    the rest without a story, and ``daybook enrich`` places them."""
    with transaction.atomic():
        Article.objects.update(story=None)
        Story.objects.all().delete()
    ids = list(
        Article.objects.exclude(embedding=b"")
        .order_by("published_at", "id")
        .values_list("id", flat=True)
    )
    stats = RebuildStats(total=len(ids))
    for pk in ids:
        try:
            with transaction.atomic():
                assign(Article.objects.select_for_update().get(pk=pk))
            stats.done += 1
        except Exception:  # one article's failure never stops the rebuild
            stats.failed += 1
            log.exception("story placement failed article=%s", pk)
        if progress:
            progress(stats)
    summarise_stale(embedder.embed)
    stats.stories = Story.objects.filter(merged_into__isnull=True, article_count__gt=0).count()
    return stats
