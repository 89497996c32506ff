"""Related articles: nearest neighbours from the vector index, diversified by
``daybook.ai.related.choose``. Computed when asked, so a list never goes stale as
new articles land; the index keeps the lookup cheap at any collection size."""

from __future__ import annotations

from collections import defaultdict

from daybook.ai.embed import from_bytes
from daybook.ai.related import Candidate, RelatedConfig, choose
from daybook.news.models import Article, ArticleEntity
from daybook.news.vectors import article_index

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
