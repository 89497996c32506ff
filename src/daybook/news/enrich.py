"""The enrichment service: runs the ``daybook.ai`` stages on one stored article and saves them.

    article text -> embed -> summarise -> mentions      (no lock, no transaction)
                 -> entities -> quotes -> topics -> save (one transaction, placement lock)

The slow stages run first, on a snapshot of the article, outside any transaction; the
part that reads and writes what every worker shares (the entity registry) runs under
``placement_lock`` in one short transaction, which also saves the article. If the
article's text changed meanwhile, nothing is saved and the newer text is enriched by
the task that change scheduled. A failure is recorded on the article
(``enrich_error``) and retried after a growing delay. Each stage records what produced
it in ``Article.enriched``, and ``Article.producers`` is a digest of that record, so
"stale" is one indexed comparison and a new model redoes only its own stage.

An enriched article moves to the ``place`` stage; ``daybook.news.stories.place``
puts it in a story.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from daybook.ai import cluster, entities, quotes, summarise, topics
from daybook.ai.embed import Embedder, load_embedder, to_bytes
from daybook.ai.text import MAX_TEXT_CHARS, Sentence, paragraphs
from daybook.news import stories, tally, tasks, vectors
from daybook.news.locks import placement_lock
from daybook.news.models import Article, ArticleEntity, Entity, EntitySpelling, Quote
from daybook.news.work import Stage, lease

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


def digest(record: dict[str, str]) -> str:
    """A short fingerprint of an ``enriched`` record, indexed for stale lookups."""
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class EnrichStats:
    total: int = 0
    done: int = 0
    failed: int = 0
    stories: int = 0
    errors: list[str] = field(default_factory=list)


Progress = Callable[[EnrichStats], None]


@dataclass
class _Computed:
    """What the slow stages made of one snapshot of an article."""

    text_hash: str
    title: str
    embedding: bytes | None
    summary: list[dict[str, Any]] | None
    key_points: list[dict[str, Any]] | None
    mentions: list[entities.Mention] | None
    text: list[str]


class Enricher:
    """Enriches articles with one embedder, and an entity registry kept in step with
    the database (``Entity.version``) each time it is used, so that every process
    resolves names against the same canonical entities."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND)
        self.current = producers(self.embedder)
        self.digest = digest(self.current)
        self.registry = entities.EntityRegistry()
        self.registry_version = -1

    def enrich(self, pk: int) -> bool:
        """Enrich article ``pk`` if it is due; True when it now awaits placement."""
        article = Article.objects.select_related("source").filter(pk=pk).first()
        if article is None or article.stage != Stage.ENRICH:
            return False
        computed = self._compute(article)
        with transaction.atomic():
            placement_lock()
            row = Article.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            if (
                row is None
                or (row.text_hash, row.title) != (computed.text_hash, computed.title)
                or row.stage != Stage.ENRICH
            ):
                return False  # changed meanwhile: the change scheduled its own enrichment
            row.source = article.source
            reembedded = self._save(row, computed)
        if reembedded:
            vectors.replace_vector(row)
        return True

    def pending(self, *, stale: bool = False) -> list[int]:
        """Articles awaiting enrichment or placement, oldest publication first so
        stories grow in time order: found through the ``articles_due`` index, never by
        reading every article. A failed article waits out its backoff; anything else
        pending is taken now, even if a worker holds its lease (the steps are
        idempotent, so the worst case is work done twice)."""
        if stale:
            self.mark_stale()
        due = Article.objects.filter(work_due_at__isnull=False).exclude(stage=Stage.DONE)
        waiting = Q(enrich_attempts=0) | Q(work_due_at__lte=timezone.now())
        return list(
            due.filter(waiting, enrich_attempts__lt=MAX_ATTEMPTS)
            .order_by("published_at", "id")
            .values_list("id", flat=True)
        )

    def run(
        self,
        ids: Iterable[int] | None = None,
        *,
        stale: bool = False,
        progress: Progress | None = None,
    ) -> EnrichStats:
        """Enrich and place, in this process, every pending article (or ``ids``), then
        rewrite the summaries of the stories they joined: the same steps the
        service's tasks run, for ``daybook enrich``, the demo and tests."""
        todo = list(ids) if ids is not None else self.pending(stale=stale)
        stats = EnrichStats(total=len(todo))
        # Story summaries are written once at the end, not once per article that
        # joins; the language model's run here too.
        with tasks.in_process(queues=("llm",)):
            for pk in todo:
                try:
                    self.enrich(pk)
                    stories.place(pk)
                    stats.done += 1
                except Exception as error:  # one article's failure never stops the run
                    stats.failed += 1
                    stats.errors.append(f"article {pk}: {error}")
                    log.exception("enrich failed article=%s", pk)
                    record_failure(pk, error)
                if progress:
                    progress(stats)
            stats.stories = stories.summarise_due(self.embedder.embed)
        vectors.save_indexes()
        return stats

    def mark_stale(self) -> int:
        """Schedule again every article some older model or method enriched."""
        return (
            Article.objects.exclude(stage=Stage.ENRICH)
            .exclude(producers=self.digest)
            .update(stage=Stage.ENRICH, work_due_at=timezone.now(), enrich_attempts=0)
        )

    # -- the slow part: no transaction, no lock ------------------------------------

    def _compute(self, article: Article) -> _Computed:
        done: dict[str, Any] = article.enriched or {}
        text = paragraphs(article.text[:MAX_TEXT_CHARS])
        embedding = None
        if done.get("embedding") != self.current["embedding"] or not article.embedding:
            lead = f"{article.title}\n\n{article.text[:EMBED_CHARS]}"
            embedding = to_bytes(self.embedder.embed([lead])[0])
        summary = key_points = None
        if done.get("summary") != self.current["summary"]:
            made = summarise.summarise(text, self.embedder.embed, title=article.title)
            summary = [_sentence(s) for s in made.summary]
            key_points = [_sentence(s) for s in made.key_points]
        english = not article.language or article.language.startswith("en")
        mentions = None
        if english and (
            done.get("entities") != self.current["entities"]
            or done.get("quotes") != self.current["quotes"]
        ):
            mentions = entities.find_mentions(
                text, publisher=(article.publisher, article.site_name)
            )
        return _Computed(
            article.text_hash, article.title, embedding, summary, key_points, mentions, text
        )

    # -- the shared part: under the placement lock -----------------------------------

    def _save(self, article: Article, computed: _Computed) -> bool:
        """Save what was computed, resolve entities and quotes, classify topics."""
        done: dict[str, Any] = article.enriched or {}
        if computed.embedding is not None:
            article.embedding = computed.embedding
            article.embedding_model = self.embedder.model
        if computed.summary is not None:
            article.summary = computed.summary
            article.key_points = computed.key_points or []
        found: list[entities.Entity] = []
        if computed.mentions is not None:
            self._sync_registry()
            found = self.registry.resolve(computed.mentions, evidence=article.copy_of_id is None)
            saved = self._save_entities(article, found)
            self._save_quotes(
                article, quotes.extract_quotes(computed.text, found, computed.mentions), saved
            )
        if done.get("topics") != self.current["topics"]:
            places = [e.name for e in found if e.kind == "place"] or list(
                ArticleEntity.objects.filter(article=article, entity__kind="place")
                .order_by("-count")
                .values_list("entity__name", flat=True)
            )
            result = topics.classify(
                article.title,
                computed.text,
                places,
                self.embedder.embed,
                home=settings.DAYBOOK_HOME_REGION or None,
            )
            article.topics = list(result.topics)
            article.keywords = list(result.keywords)
        if not done and article.copy_of_id is None:
            tally.add(tally.ORIGINALS)
        article.enriched = dict(self.current)
        article.producers = self.digest
        article.enrich_error = ""
        article.enrich_attempts = 0
        article.stage = Stage.PLACE if article.story_id is None else Stage.DONE
        article.work_due_at = lease() if article.story_id is None else None
        article.save()
        return computed.embedding is not None

    def _sync_registry(self) -> None:
        """Learn the entities created or changed since last time, by any process, with
        the collection's count of articles for each (what decides a name's kind) and of
        each spelling (what decides its canonical name)."""
        changed = list(
            Entity.objects.filter(version__gt=self.registry_version)
            .order_by("version")
            .values_list("pk", "name", "kind", "aliases", "articles", "version")
        )
        spellings: dict[int, dict[str, int]] = {}
        # A join, not a list of ids: a new process learns every entity at once, more
        # than SQLite allows as parameters of one query.
        for pk, spelling, count in EntitySpelling.objects.filter(
            entity__version__gt=self.registry_version
        ).values_list("entity_id", "spelling", "articles"):
            spellings.setdefault(pk, {})[spelling] = count
        for pk, name, kind, aliases, votes, version in changed:
            self.registry.learn(
                name,
                cast(entities.Kind, kind),
                aliases,
                votes,
                key=pk,
                spellings=spellings.get(pk, {}),
            )
            self.registry_version = max(self.registry_version, version)
        self.registry_version = max(self.registry_version, 0)

    def _save_entities(self, article: Article, found: list[entities.Entity]) -> dict[str, Entity]:
        """Replace the article's mentions, keeping each entity's count of original
        articles (the document frequency clustering weighs names by) and of each
        spelling (the evidence for its canonical name) in step."""
        original = article.copy_of_id is None
        before = dict(
            ArticleEntity.objects.filter(article=article).values_list("entity_id", "spelling")
        )
        ArticleEntity.objects.filter(article=article).delete()
        saved: dict[str, Entity] = {}
        after: dict[int, str] = {}
        for item in found:
            entity = Entity.objects.filter(pk=item.key).first() if item.key else None
            if entity is None or entity.kind != item.kind:
                entity = Entity.objects.filter(name=item.name, kind=item.kind).first()
            aliases = sorted(set(entity.aliases if entity else ()) | set(item.aliases))
            if entity is None:
                entity, _ = Entity.objects.update_or_create(
                    name=item.name, kind=item.kind, defaults={"aliases": aliases}
                )
            elif aliases != sorted(entity.aliases):
                Entity.objects.filter(pk=entity.pk).update(aliases=aliases)
            ArticleEntity.objects.create(
                article=article, entity=entity, count=item.count, spelling=item.spelling[:300]
            )
            saved[item.name] = entity
            after[entity.pk] = item.spelling[:300]
        if original:
            Entity.objects.filter(pk__in=after.keys() - before.keys()).update(
                articles=F("articles") + 1
            )
            Entity.objects.filter(pk__in=before.keys() - after.keys(), articles__gt=0).update(
                articles=F("articles") - 1
            )
            gained, lost = after.items() - before.items(), before.items() - after.items()
            for pk, spelling in gained:
                _count_spelling(pk, spelling, 1)
            for pk, spelling in lost:
                _count_spelling(pk, spelling, -1)
            # Only a spelling other than the name can overtake it, and only a lost one
            # can leave the name behind.
            names = {e.pk: e.name for e in saved.values()}
            for pk in {pk for pk, s in gained if s != names.get(pk)} | {pk for pk, _ in lost}:
                _rename_to_best(pk)
        if after.keys() | before.keys():
            # Every entity this article changed (aliases, counts or name) takes a new
            # version, and this registry learns them back at once, so each process's
            # registry holds the collection's counts and names, not its own.
            Entity.objects.filter(pk__in=after.keys() | before.keys()).update(
                version=tally.increment(tally.ENTITIES)
            )
            self._sync_registry()
        return saved

    def _save_quotes(
        self, article: Article, found: list[quotes.Quote], saved: dict[str, Entity]
    ) -> None:
        Quote.objects.filter(article=article).delete()
        Quote.objects.bulk_create(
            Quote(
                article=article,
                speaker=saved.get(quote.speaker) if quote.speaker else None,
                unnamed=(quote.unnamed or "")[:200],
                text=quote.text,
                paragraph=quote.paragraph,
                end_paragraph=quote.end_paragraph,
                position=position,
            )
            for position, quote in enumerate(found)
        )


_shared: dict[str, Enricher] = {}
_shared_lock = threading.Lock()


def shared_enricher() -> Enricher:
    """The process's enricher: models load once per process, not once per task."""
    backend = settings.DAYBOOK_EMBEDDING_BACKEND
    with _shared_lock:
        if backend not in _shared:
            _shared[backend] = Enricher()
        return _shared[backend]


def _sentence(sentence: Sentence) -> dict[str, Any]:
    return {"text": sentence.text, "paragraph": sentence.paragraph, "sentence": sentence.index}


def _count_spelling(entity: int, spelling: str, delta: int) -> None:
    """One more (or one fewer) original article spelling the entity this way."""
    if EntitySpelling.objects.filter(entity_id=entity, spelling=spelling).update(
        articles=F("articles") + delta
    ):
        return
    if delta > 0:  # under the placement lock: no other process creates it meanwhile
        EntitySpelling.objects.create(entity_id=entity, spelling=spelling, articles=delta)


def _rename_to_best(pk: int) -> None:
    """Give the entity the spelling most articles use, unless another entity of its
    kind already has that name (the two are then left as they are)."""
    entity = Entity.objects.filter(pk=pk).only("name", "kind").first()
    if entity is None:
        return
    counts = dict(EntitySpelling.objects.filter(entity_id=pk).values_list("spelling", "articles"))
    best = entities.best_spelling(entity.name, counts)
    if best != entity.name and not Entity.objects.filter(name=best, kind=entity.kind).exists():
        Entity.objects.filter(pk=pk).update(name=best)
        log.info("entity %s renamed %r -> %r (%s articles)", pk, entity.name, best, counts[best])


def record_failure(pk: int, error: BaseException) -> None:
    """The article keeps its stage and is due again after a growing delay; after
    ``MAX_ATTEMPTS`` it is left alone (its error shown) until ``enrich --stale``."""
    article = Article.objects.filter(pk=pk).only("enrich_attempts").first()
    if article is None:
        return
    attempts = article.enrich_attempts + 1
    Article.objects.filter(pk=pk).update(
        enrich_error=f"{type(error).__name__}: {error}"[:2000],
        enrich_attempts=attempts,
        work_due_at=(
            timezone.now() + RETRY_BASE * 2 ** (attempts - 1) if attempts < MAX_ATTEMPTS else None
        ),
    )
