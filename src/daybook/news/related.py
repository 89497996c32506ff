"""Related articles and related stories, computed when asked, so a list never goes
stale as new articles land.

Articles: nearest neighbours from the vector index, diversified by
``daybook.ai.related.choose``; the index keeps the lookup cheap at any collection
size. Stories: the nearest story centres among those around the story's time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import numpy as np

from daybook.ai.embed import from_bytes
from daybook.ai.related import Candidate, RelatedConfig, choose
from daybook.news.models import Article, ArticleEntity, Story
from daybook.news.vectors import article_index

STORY_WINDOW = timedelta(days=7)
"""Stories further apart in time than this are not related, however alike."""
STORY_CANDIDATES = 500
STORY_SIMILARITY = 0.3

NEIGHBOURS = 40
"""Neighbours fetched before diversifying: enough to fill five slots after dropping
copies, the article's own group and repeats of one publisher."""


def related_ids(article: Article, limit: int = 5, config: RelatedConfig | None = None) -> list[int]:
    """Ids of the articles most related to ``article``, best first."""
    # Read the vector from the row, not the instance: the caller's copy may predate
    # its enrichment. A copy's neighbours are its original's.
    group = article.copy_of_id or article.pk
    found = (
        Article.objects.filter(pk=group)
        .values_list("embedding", "embedding_model", "story_id")
        .first()
    )
    if found is None or not found[0]:
        return []
    embedding, model, story = found
    index = article_index()
    if index.model != model:  # embedded by another model; re-embedding will bring it back
        return []
    hits = index.search(from_bytes(bytes(embedding)), NEIGHBOURS, exclude={group})
    if not hits:
        return []
    similarity = dict(hits)
    rows = Article.objects.filter(pk__in=similarity).select_related("source")
    names: dict[int, set[str]] = defaultdict(set)
    actors: dict[int, set[str]] = defaultdict(set)
    for pk, name, kind in ArticleEntity.objects.filter(
        article_id__in=[*similarity, group]
    ).values_list("article_id", "entity__name", "entity__kind"):
        names[pk].add(name)
        if kind != "place":
            actors[pk].add(name)
    candidates = [
        Candidate(
            id=row.pk,
            similarity=similarity[row.pk],
            publisher=row.publisher,
            story=row.story_id,
            group=row.copy_of_id or row.pk,
            entities=frozenset(names[row.pk]),
            actors=frozenset(actors[row.pk]),
        )
        for row in rows
    ]
    chosen = choose(group, story, names[group], candidates, limit, config, actors[group])
    return [c.id for c in chosen]


def similar_stories(story: Story, limit: int = 5) -> list[Story]:
    """Stories whose centre lies nearest ``story``'s, best first."""
    if not story.centroid:
        return []
    others = list(
        Story.objects.filter(
            merged_into=None,
            embedding_model=story.embedding_model,
            last_seen__gte=story.first_seen - STORY_WINDOW,
            first_seen__lte=story.last_seen + STORY_WINDOW,
        )
        .exclude(pk=story.pk)
        .exclude(centroid=b"")
        .only("id", "title", "publisher_count", "last_seen", "centroid")
        .order_by("-last_seen")[:STORY_CANDIDATES]
    )
    if not others:
        return []
    centre = from_bytes(bytes(story.centroid))
    matrix = np.vstack([from_bytes(bytes(s.centroid)) for s in others])
    scores = matrix @ centre
    return [others[int(i)] for i in np.argsort(-scores)[:limit] if scores[i] > STORY_SIMILARITY]
