"""The enrichment service: runs the ``daybook.ai`` stages on stored articles and saves them.

    article text -> embed -> summarise -> entities -> quotes -> topics -> story -> index

Each article is enriched in one transaction, so a failure or a kill leaves it as it
was. A failure is recorded on the article (``enrich_error``), logged, and retried after
a growing delay, and the run goes on with the next article. Each stage records what
produced it in ``Article.enriched``; ``stale`` compares that with what would produce it
now, so a new model or algorithm redoes only its own stage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from daybook.ai import cluster, entities, quotes, summarise, topics
from daybook.ai.embed import Embedder, load_embedder, to_bytes
from daybook.ai.text import MAX_TEXT_CHARS, Sentence, paragraphs
from daybook.news import stories, vectors
from daybook.news.models import Article, ArticleEntity, Entity, Quote

log = logging.getLogger("daybook.enrich")

EMBED_CHARS = 4000
"""Characters of an article's text that go into its vector: the lead carries the event."""

RETRY_BASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


def producers(embedder: Embedder) -> dict[str, str]:
    """What would produce each stage now."""
    return {
        "embedding": embedder.model,
        "summary": summarise.METHOD,
        "entities": entities.METHOD,
        "quotes": quotes.METHOD,
        "topics": topics.METHOD,
        "story": cluster.METHOD,
    }


@dataclass
class EnrichStats:
    total: int = 0
    done: int = 0
    failed: int = 0
    stories: int = 0
    errors: list[str] = field(default_factory=list)


Progress = Callable[[EnrichStats], None]


class Enricher:
    """Enriches articles with one embedder and one entity registry for the whole run."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND)
        self.current = producers(self.embedder)
        self.registry = entities.EntityRegistry(
            (name, cast(entities.Kind, kind), aliases)
            for name, kind, aliases in Entity.objects.values_list("name", "kind", "aliases")
        )

    def pending(self, *, stale: bool = False) -> list[int]:
        """Ids to enrich, oldest publication first so stories grow in time order:
        never enriched, failed and due for a retry, left without a story (by a killed
        ``stories rebuild``), and (with ``stale``) enriched by something other than
        what would do it now."""
        now = timezone.now()
        due = Q(enrich_after__isnull=True) | Q(enrich_after__lte=now)
        rows = (
            Article.objects.filter(due, enrich_attempts__lt=MAX_ATTEMPTS)
            .order_by("published_at", "id")
            .values_list("id", "enriched", "enrich_error", "story_id")
        )
        return [
            pk
            for pk, done, error, story in rows
            if not done or error or story is None or (stale and done != self.current)
        ]

    def run(
        self,
        ids: Iterable[int] | None = None,
        *,
        stale: bool = False,
        progress: Progress | None = None,
    ) -> EnrichStats:
        todo = list(ids) if ids is not None else self.pending(stale=stale)
        stats = EnrichStats(total=len(todo))
        for pk in todo:
            try:
                self.enrich(pk)
                stats.done += 1
            except Exception as error:  # one article's failure never stops the run
                stats.failed += 1
                stats.errors.append(f"article {pk}: {error}")
                log.exception("enrich failed article=%s", pk)
                _record_failure(pk, error)
            if progress:
                progress(stats)
        stats.stories = stories.summarise_stale(self.embedder.embed)
        vectors.save_indexes()
        return stats

    def enrich(self, pk: int) -> None:
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(of=("self",)).select_related("source").get(pk=pk)
            )
            reembedded = self._enrich(article)
            article.enriched = dict(self.current)
            article.enrich_error = ""
            article.enrich_attempts = 0
            article.enrich_after = None
            article.save()
            stories.assign(article)
        if reembedded:
            vectors.replace_vector(article)

    def _enrich(self, article: Article) -> bool:
        """Run every stage whose producer changed; True when the vector was remade."""
        done: dict[str, Any] = article.enriched or {}
        text = paragraphs(article.text[:MAX_TEXT_CHARS])
        if done.get("embedding") != self.current["embedding"] or not article.embedding:
            lead = f"{article.title}\n\n{article.text[:EMBED_CHARS]}"
            article.embedding = to_bytes(self.embedder.embed([lead])[0])
            article.embedding_model = self.embedder.model
            reembedded = True
        else:
            reembedded = False
        if done.get("summary") != self.current["summary"]:
            digest = summarise.summarise(text, self.embedder.embed, title=article.title)
            article.summary = [_sentence(s) for s in digest.summary]
            article.key_points = [_sentence(s) for s in digest.key_points]
        english = not article.language or article.language.startswith("en")
        found: list[entities.Entity] = []
        if english and (
            done.get("entities") != self.current["entities"]
            or done.get("quotes") != self.current["quotes"]
        ):
            mentions = entities.find_mentions(text)
            found = self.registry.resolve(mentions)
            saved = self._save_entities(article, found)
            self._save_quotes(article, quotes.extract_quotes(text, found, mentions), saved)
        if done.get("topics") != self.current["topics"]:
            places = [e.name for e in found if e.kind == "place"] or list(
                ArticleEntity.objects.filter(article=article, entity__kind="place")
                .order_by("-count")
                .values_list("entity__name", flat=True)
            )
            result = topics.classify(article.title, text, places, self.embedder.embed)
            article.topics = list(result.topics)
            article.keywords = list(result.keywords)
        return reembedded

    def _save_entities(self, article: Article, found: list[entities.Entity]) -> dict[str, Entity]:
        ArticleEntity.objects.filter(article=article).delete()
        saved: dict[str, Entity] = {}
        for item in found:
            entity, _ = Entity.objects.get_or_create(
                name=item.name, kind=item.kind, defaults={"aliases": list(item.aliases)}
            )
            new_aliases = sorted(set(entity.aliases) | set(item.aliases))
            if new_aliases != sorted(entity.aliases):
                entity.aliases = new_aliases
                entity.save(update_fields=["aliases"])
            ArticleEntity.objects.create(article=article, entity=entity, count=item.count)
            saved[item.name] = entity
        return saved

    def _save_quotes(
        self, article: Article, found: list[quotes.Quote], saved: dict[str, Entity]
    ) -> None:
        Quote.objects.filter(article=article).delete()
        Quote.objects.bulk_create(
            Quote(
                article=article,
                speaker=saved.get(quote.speaker) if quote.speaker else None,
                text=quote.text,
                paragraph=quote.paragraph,
                end_paragraph=quote.end_paragraph,
                position=position,
            )
            for position, quote in enumerate(found)
        )


def _sentence(sentence: Sentence) -> dict[str, Any]:
    return {"text": sentence.text, "paragraph": sentence.paragraph, "sentence": sentence.index}


def _record_failure(pk: int, error: Exception) -> None:
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        return
    attempts = article.enrich_attempts + 1
    Article.objects.filter(pk=pk).update(
        enrich_error=f"{type(error).__name__}: {error}"[:2000],
        enrich_attempts=attempts,
        enrich_after=timezone.now() + RETRY_BASE * 2 ** (attempts - 1),
    )
