"""Placing articles in stories, merging stories, and keeping each story's summary.

The decision (join, start, bridge) is ``daybook.ai.cluster.place``; this module loads
the stories active around an article's time, applies the decision in the caller's
transaction, and keeps the story's derived fields (centroid, entities, publishers,
first and last seen, title) in step. A wire copy never goes through clustering: it
joins its original's story.

Placement runs under ``placement_lock`` (see ``news/locks.py``): it reads the
stories around an article and may create one, and two workers doing that at once
for two articles of one event would start two stories. Its cost does not grow
with the collection: candidates come from the time-window index, their members'
vectors in one query, entity weights from counters kept on ``Entity``.

A story's combined summary is rewritten by its own task (``refresh_due_at``), and
its language-model summary by another on the ``llm`` queue (``llm_due_at``), so a
slow provider never holds up placement.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from daybook.ai import cluster
from daybook.ai.embed import Embedder, EmbedFn, Vectors, from_bytes, to_bytes
from daybook.ai.summarise import summarise_story
from daybook.errors import LLMError
from daybook.news import tally, tasks
from daybook.news.ask import as_doc, provider
from daybook.news.locks import placement_lock
from daybook.news.models import Article, ArticleEntity, Story
from daybook.news.work import Stage, lease

log = logging.getLogger("daybook.stories")

MEMBERS_COMPARED = 40
"""Most recent members whose vectors are compared with a new article."""

_Member = tuple[bool, "datetime | None", int, "bytes | memoryview"]
"""A candidate story's member as loaded: (dated, published, id, vector bytes)."""


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
        # The original is not enriched yet (or its enrichment failed): the copy joins
        # a sibling copy's story, else is placed on its own text; the original joins
        # its copies' story later.
        story = _copies_story(original) or _place(article, config or cluster.ClusterConfig())
    else:
        # An earlier publication that arrived late takes over as the original of a
        # group already placed: it joins its copies' story rather than starting one.
        story = _copies_story(article) or _place(article, config or cluster.ClusterConfig())
    article.story = story
    article.save(update_fields=["story"])
    refresh(story)
    return story


def _copies_story(original: Article) -> Story | None:
    """The story a copy of ``original`` was placed in, if one was."""
    return (
        Story.objects.filter(articles__copy_of=original, merged_into__isnull=True)
        .order_by("pk")
        .first()
    )


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
    so that "Japan" in every Japanese story does not glue unrelated ones together.
    Both counts are kept as articles are enriched (``Entity.articles`` and the
    ``originals`` tally), so this is one indexed query, not a count of the collection."""
    mentions = ArticleEntity.objects.filter(article=article).values_list(
        "entity__name", "entity__articles"
    )
    total = tally.value(tally.ORIGINALS) or 1
    return {name: math.log(1 + total / (1 + frequency)) for name, frequency in mentions}


def _candidates(
    article: Article, when: datetime, config: cluster.ClusterConfig
) -> Iterator[cluster.StoryView]:
    window = config.window
    stories = list(
        Story.objects.filter(
            merged_into__isnull=True,
            embedding_model=article.embedding_model,
            last_seen__gte=when - window,
            first_seen__lte=when + window,
        )
        .exclude(centroid=b"")
        .defer("summary", "generated_summary")
    )
    # Copies are set apart and members sorted here, not in SQL: either condition in the
    # query leads SQLite (no statistics) to walk an index over every original in the
    # collection instead of the story index to the few candidates' members.
    originals: dict[int, list[_Member]] = {}
    copies: dict[int, list[_Member]] = {}
    rows = (
        Article.objects.filter(story__in=[story.pk for story in stories])
        .exclude(embedding=b"")
        .values_list("story_id", "copy_of_id", "published_at", "id", "embedding")
    )
    for story_id, copy_of, published_at, pk, data in rows:
        kept = (published_at is not None, published_at, pk, data)
        (copies if copy_of else originals).setdefault(story_id, []).append(kept)
    for story in stories:
        # A story of copies alone (their original not enriched yet) is its copies.
        known = originals.get(story.pk) or copies.get(story.pk, [])
        newest = sorted(known, reverse=True)[:MEMBERS_COMPARED]
        if not newest:
            continue
        yield cluster.StoryView(
            id=story.pk,
            centroid=from_bytes(bytes(story.centroid)),
            members=np.vstack([from_bytes(bytes(member[3])) for member in newest]),
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
    # The originals stand for the story; copies only while no original is enriched.
    standing = [a for a in articles if a.copy_of_id is None and a.embedding] or [
        a for a in articles if a.embedding
    ]
    if standing:
        vectors: Vectors = np.vstack([from_bytes(bytes(a.embedding)) for a in standing])
        story.centroid = to_bytes(cluster.centroid(vectors))
        story.embedding_model = standing[0].embedding_model
        story.title = _title(standing, vectors)
    names: Counter[str] = Counter()
    for name in ArticleEntity.objects.filter(article__story=story).values_list(
        "entity__name", flat=True
    ):
        names[name] += 1
    story.entities = dict(names.most_common(60))
    # Undated members do not stretch the story's span to the time they were stored.
    times = [a.published_at for a in articles if a.published_at] or [moment(a) for a in articles]
    story.first_seen = min(times)
    story.last_seen = max(times)
    story.article_count = len(articles)
    story.publisher_count = len({a.publisher for a in articles})
    story.summary_stale = True
    story.updated_at = timezone.now()
    story.save()


def schedule_summary(story: Story) -> None:
    """Have the story's summary rewritten by its task, once however many articles
    join it before the task runs: a story already due is left as it is."""
    if Story.objects.filter(pk=story.pk, refresh_due_at__isnull=True).update(
        refresh_due_at=lease()
    ):
        tasks.submit(tasks.refresh_story, story.pk)


def place(pk: int, config: cluster.ClusterConfig | None = None) -> Story | None:
    """Place article ``pk`` in its story if it awaits placement (idempotent)."""
    with transaction.atomic():
        placement_lock()
        article = Article.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if article is None or article.stage != Stage.PLACE:
            return None
        story = assign(article, config)
        Article.objects.filter(pk=pk).update(stage=Stage.DONE, work_due_at=None)
    schedule_summary(story)
    return story


def _title(articles: list[Article], vectors: Vectors) -> str:
    """The headline of the article nearest the story's centre: the most typical one."""
    centre = cluster.centroid(vectors)
    best = int(np.argmax(vectors @ centre))
    return articles[best].title


def summarise(pk: int, embed: EmbedFn) -> bool:
    """Rewrite story ``pk``'s combined summary if it is due; when an operator set a
    language model, schedule its written summary on the ``llm`` queue."""
    story = Story.objects.filter(pk=pk).first()
    if story is None or story.refresh_due_at is None:
        return False
    # Cleared first: an article joining while this runs schedules a rewrite of its own.
    Story.objects.filter(pk=pk).update(refresh_due_at=None)
    if story.merged_into_id is not None:
        return False
    members = Article.objects.filter(story=story).select_related("source")
    docs = [as_doc(a) for a in members.order_by("published_at", "id")]
    cited = summarise_story(docs, embed) if docs else ()
    summary = [
        {
            "article": c.article_id,
            "text": c.sentence.text,
            "paragraph": c.sentence.paragraph,
            "sentence": c.sentence.index,
        }
        for c in cited
    ]
    wants_llm = bool(summary) and bool(settings.DAYBOOK_LLM_BASE_URL)
    Story.objects.filter(pk=pk).update(
        summary=summary,
        summary_stale=False,
        **({"llm_due_at": lease()} if wants_llm else {}),
    )
    if wants_llm:
        tasks.submit(tasks.write_story_summary, pk)
    return True


def write_generated_summary(pk: int, embed: EmbedFn) -> bool:
    """Have the language model write story ``pk``'s summary from its own sentences."""
    story = Story.objects.filter(pk=pk, merged_into__isnull=True).first()
    client = provider()
    if story is None or client is None:
        Story.objects.filter(pk=pk).update(llm_due_at=None)
        return False
    try:
        members = Article.objects.filter(story=story).select_related("source")
        docs = [as_doc(a) for a in members.order_by("published_at", "id")]
        # The model gets more sentences than the extractive summary shows, all
        # from the story's own articles, and is told to use only them.
        grounding = summarise_story(docs, embed, limit=8)
        text = client.summarise(story.title, [c.sentence.text for c in grounding])
        Story.objects.filter(pk=pk).update(
            generated_summary=text, generated_by=client.config.model, llm_due_at=None
        )
        return True
    except LLMError as error:
        log.warning("language model failed story=%s error=%s", story.pk, error)
        Story.objects.filter(pk=pk).update(llm_due_at=None)
        return False
    finally:
        client.close()


def summarise_due(embed: EmbedFn) -> int:
    """Rewrite, in this process, every story summary that is due (``daybook enrich``
    and ``stories rebuild``; the service has tasks for this)."""
    done = 0
    for pk in Story.objects.filter(refresh_due_at__isnull=False).values_list("pk", flat=True):
        try:
            done += summarise(pk, embed)
        except Exception:  # one story's failure never stops the others
            log.exception("story summary failed story=%s", pk)
    return done


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
    the rest awaiting placement, and the service (or ``daybook enrich``) places them."""
    with transaction.atomic():
        Article.objects.update(story=None)
        Story.objects.all().delete()
    ids = list(
        Article.objects.exclude(embedding=b"")
        .order_by("published_at", "id")
        .values_list("id", flat=True)
    )
    stats = RebuildStats(total=len(ids))
    Article.objects.filter(pk__in=ids).update(stage=Stage.PLACE)
    with tasks.in_process(queues=("llm",)):  # summaries once, at the end
        for pk in ids:
            try:
                place(pk)
                stats.done += 1
            except Exception:  # one article's failure never stops the rebuild
                stats.failed += 1
                log.exception("story placement failed article=%s", pk)
            if progress:
                progress(stats)
        summarise_due(embedder.embed)
    stats.stories = Story.objects.filter(merged_into__isnull=True, article_count__gt=0).count()
    return stats
