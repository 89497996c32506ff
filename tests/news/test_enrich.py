"""Enrichment on a real database: every stage saved, stories formed, re-runs idempotent,
failures recorded and retried, a model change redoing only its own stage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from daybook.ai.embed import Embedder, Vectors, WordLlamaEmbedder, load_embedder
from daybook.demo.server import CORPUS
from daybook.news import stories
from daybook.news.ask import ask_about
from daybook.news.enrich import Enricher
from daybook.news.models import Article, ArticleEntity, Entity, Quote, Source, Story
from daybook.news.related import related_ids
from daybook.news.store import store_article
from daybook.news.vectors import forget_indexes
from daybook.pipeline.normalise import normalise
from daybook.pipeline.types import ExtractedArticle
from tests.ai.test_llm import answers, serve

pytestmark = pytest.mark.django_db

TRUTH = json.loads((CORPUS / "truth.json").read_text("utf-8"))
BY_ID = {a["id"]: a for a in TRUTH["articles"]}
QUAKE = "meridian/news/2026/11/16/magnitude-6-4-quake-strikes-off-northeast"
QUAKE_COPY = "hinode/english/science/20261116-strong-quake-jolts-miyagi-shinkansen-s"
STRANDED = "tokyolantern/2026/11/stranded-at-tokyo-station-quake-leaves-northbound"
GDP = "meridian/news/2026/11/17/japans-economy-contracts-0-4-annualised-in"
FLU = "meridian/news/2026/11/17/japan-declares-flu-epidemic-as-cases-surge"
COURIER_COPY = "courier/en/science/2026/11/16/strong-earthquake-shakes-north-east-japan"
SETO_COPY = "setopost/local/20261116/miyagi-quake-halts-tohoku-bullet-trains-sanyo"


def truth(prefix: str) -> dict:
    return next(a for key, a in BY_ID.items() if key.startswith(prefix))


def store(prefix: str) -> Article:
    article = truth(prefix)
    published = datetime.fromisoformat(article["published"].replace("Z", "+00:00"))
    extracted = ExtractedArticle(
        text="\n\n".join(article["body"]),
        url=article["url"],
        title=article["title"],
        published=published,
        authors=tuple(article["authors"]),
        site_name=article["publisher"],
    )
    normalised = normalise(extracted, url=article["url"], now=published + timedelta(days=1))
    source = Source.objects.filter(name=article["publisher"]).first()
    source = source or Source.objects.create(name=article["publisher"])
    return store_article(normalised, source=source).article


@pytest.fixture(autouse=True)
def fresh_index():
    forget_indexes()
    yield
    forget_indexes()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("wordllama")


@pytest.fixture
def stored() -> dict[str, Article]:
    return {key: store(key) for key in (QUAKE, QUAKE_COPY, STRANDED, GDP, FLU)}


def test_every_stage_is_saved_and_names_what_made_it(stored, embedder) -> None:
    stats = Enricher(embedder).run()
    assert (stats.done, stats.failed) == (5, 0)
    quake = Article.objects.get(pk=stored[QUAKE].pk)
    assert quake.embedding_model == embedder.model
    assert set(quake.enriched) == {"embedding", "summary", "entities", "quotes", "topics", "story"}
    assert 2 <= len(quake.summary) <= 3
    assert 3 <= len(quake.key_points) <= 5
    paragraphs = quake.text.split("\n\n")
    for item in quake.summary + quake.key_points:
        assert item["text"] in paragraphs[item["paragraph"]]
    names = set(quake.mentions.values_list("entity__name", flat=True))
    assert {"Kazuhiro Endo", "Japan Meteorological Agency", "Sendai"} <= names
    endo = Quote.objects.filter(article=quake, speaker__name="Kazuhiro Endo")
    assert endo.count() == 2  # including the "he added" one
    assert "Japan" in quake.topics
    assert quake.keywords


def test_copies_follow_their_original_and_the_same_event_shares_a_story(stored, embedder) -> None:
    Enricher(embedder).run()
    rows = {key: Article.objects.get(pk=a.pk) for key, a in stored.items()}
    assert rows[QUAKE_COPY].copy_of_id == rows[QUAKE].pk
    assert rows[QUAKE_COPY].story_id == rows[QUAKE].story_id
    assert rows[STRANDED].story_id == rows[QUAKE].story_id
    assert rows[GDP].story_id != rows[QUAKE].story_id
    assert rows[FLU].story_id not in {rows[QUAKE].story_id, rows[GDP].story_id}
    story = Story.objects.get(pk=rows[QUAKE].story_id)
    assert story.article_count == 3
    assert story.publisher_count == 3
    assert story.first_seen == rows[QUAKE].published_at
    assert story.last_seen == rows[STRANDED].published_at
    assert 1 <= len(story.summary) <= 3
    for item in story.summary:
        source = Article.objects.get(pk=item["article"])
        assert item["text"] in source.text.split("\n\n")[item["paragraph"]]


def test_running_again_changes_nothing(stored, embedder) -> None:
    Enricher(embedder).run()
    before = (
        list(ArticleEntity.objects.order_by("pk").values_list("pk", "entity_id", "count")),
        list(Quote.objects.order_by("pk").values_list("pk", "text")),
        list(Article.objects.order_by("pk").values_list("story_id", "summary", "topics")),
    )
    enricher = Enricher(embedder)
    assert enricher.pending() == []
    assert enricher.run().total == 0
    after = (
        list(ArticleEntity.objects.order_by("pk").values_list("pk", "entity_id", "count")),
        list(Quote.objects.order_by("pk").values_list("pk", "text")),
        list(Article.objects.order_by("pk").values_list("story_id", "summary", "topics")),
    )
    assert before == after
    # Forcing one article through every stage again rewrites its rows, to the same content.
    quotes = list(Quote.objects.filter(article=stored[QUAKE]).values_list("text", "speaker_id"))
    mentions = list(
        ArticleEntity.objects.filter(article=stored[QUAKE]).values_list("entity_id", "count")
    )
    Article.objects.filter(pk=stored[QUAKE].pk).update(enriched={})
    enricher.enrich(stored[QUAKE].pk)
    assert (
        list(Quote.objects.filter(article=stored[QUAKE]).values_list("text", "speaker_id"))
        == quotes
    )
    assert (
        list(ArticleEntity.objects.filter(article=stored[QUAKE]).values_list("entity_id", "count"))
        == mentions
    )
    assert Entity.objects.filter(name="Kazuhiro Endo").count() == 1


class BrokenOn:
    """The real embedder, except that it fails on one text: a model crash on hostile
    input, which no real model here can be made to do on demand."""

    def __init__(self, real: Embedder, marker: str) -> None:
        self.real, self.marker = real, marker
        self.model, self.dimensions = real.model, real.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        if any(self.marker in text for text in texts):
            raise RuntimeError("model crashed")
        return self.real.embed(texts)


def test_one_failure_is_recorded_and_retried_without_blocking_the_others(stored, embedder) -> None:
    broken = BrokenOn(embedder, "Chief Cabinet Secretary")
    stats = Enricher(broken).run()  # type: ignore[arg-type]
    assert stats.failed == 2  # the wire and its copy name him
    assert stats.done == 3
    quake = Article.objects.get(pk=stored[QUAKE].pk)
    assert "model crashed" in quake.enrich_error
    assert quake.enrich_attempts == 1
    assert quake.enriched == {} and quake.story_id is None and not quake.summary
    assert not quake.mentions.exists()  # nothing half-written
    assert Article.objects.get(pk=stored[GDP].pk).story_id is not None
    # Not due yet: a plain run skips it; once due, it is enriched.
    assert stored[QUAKE].pk not in Enricher(embedder).pending()
    Article.objects.filter(pk=quake.pk).update(work_due_at=timezone.now())
    Article.objects.filter(pk=stored[QUAKE_COPY].pk).update(work_due_at=timezone.now())
    assert Enricher(embedder).run().failed == 0
    quake.refresh_from_db()
    assert quake.enrich_error == "" and quake.story_id is not None


def test_a_copy_whose_original_failed_still_gets_a_story_that_the_original_joins(
    stored, embedder
) -> None:
    # Only the wire's own first sentence says this; the copy rewrote it.
    broken = BrokenOn(embedder, "struck off the coast of Miyagi Prefecture")
    stats = Enricher(broken).run()  # type: ignore[arg-type]
    assert stats.failed == 1
    copy = Article.objects.get(pk=stored[QUAKE_COPY].pk)
    assert copy.story_id is not None
    Article.objects.filter(pk=stored[QUAKE].pk).update(work_due_at=timezone.now())
    assert Enricher(embedder).run().failed == 0
    assert Article.objects.get(pk=stored[QUAKE].pk).story_id == copy.story_id


def test_copies_enriched_before_their_original_hold_one_story_others_can_join(
    stored, embedder
) -> None:
    # Workers take articles in any order: here every copy of the quake wire, then
    # another publisher's report of the quake, then the wire itself.
    more = {key: store(key) for key in (COURIER_COPY, SETO_COPY)}
    assert {a.copy_of_id for a in more.values()} == {stored[QUAKE].pk}
    order = [stored[QUAKE_COPY], *more.values(), stored[STRANDED], stored[QUAKE]]
    assert Enricher(embedder).run([a.pk for a in order]).failed == 0
    placed = {a.pk: Article.objects.get(pk=a.pk).story_id for a in order}
    assert len(set(placed.values())) == 1, placed
    assert Story.objects.get(pk=placed[stored[QUAKE].pk]).article_count == len(order)


def test_a_new_embedding_model_redoes_only_what_it_made(stored, embedder) -> None:
    Enricher(embedder).run()
    mentions = list(ArticleEntity.objects.order_by("pk").values_list("pk", flat=True))
    story_of = dict(Article.objects.values_list("pk", "story_id"))
    small = WordLlamaEmbedder(dimensions=64)
    enricher = Enricher(small)
    assert enricher.pending() == []  # without --stale nothing is redone
    assert sorted(enricher.pending(stale=True)) == sorted(a.pk for a in stored.values())
    enricher.run(stale=True)
    assert set(Article.objects.values_list("embedding_model", flat=True)) == {small.model}
    assert list(ArticleEntity.objects.order_by("pk").values_list("pk", flat=True)) == mentions
    assert dict(Article.objects.values_list("pk", "story_id")) == story_of  # no hopping
    assert Enricher(small).pending(stale=True) == []


def test_rebuild_gives_the_same_stories(stored, embedder) -> None:
    Enricher(embedder).run()

    def partition() -> set[frozenset[int]]:
        groups: dict[int, set[int]] = {}
        for pk, story in Article.objects.values_list("pk", "story_id"):
            groups.setdefault(story, set()).add(pk)
        return {frozenset(g) for g in groups.values()}

    before = partition()
    result = stories.rebuild(embedder)
    assert (result.done, result.failed) == (5, 0)
    assert partition() == before
    assert Story.objects.count() == len(before)


def test_merging_moves_articles_and_leaves_a_trail(stored, embedder) -> None:
    Enricher(embedder).run()
    quake = Story.objects.get(articles=stored[QUAKE])
    gdp = Story.objects.get(articles=stored[GDP])
    stories.merge(quake, [gdp])
    gdp.refresh_from_db()
    quake.refresh_from_db()
    assert gdp.merged_into == quake
    assert gdp.article_count == 0
    assert quake.article_count == 4
    assert Article.objects.get(pk=stored[GDP].pk).story == quake


def test_related_articles_never_include_its_own_copies(stored, embedder) -> None:
    Enricher(embedder).run()
    related = related_ids(stored[QUAKE], limit=5)
    assert stored[QUAKE_COPY].pk not in related
    assert stored[QUAKE].pk not in related
    assert related and related[0] == stored[STRANDED].pk
    copy_related = related_ids(Article.objects.get(pk=stored[QUAKE_COPY].pk), limit=5)
    assert stored[QUAKE].pk not in copy_related
    assert copy_related == related


def test_asking_a_story_returns_sentences_with_their_articles(stored, embedder) -> None:
    Enricher(embedder).run()
    story = Story.objects.get(articles=stored[QUAKE])
    result = ask_about("What was the magnitude of the earthquake?", story_id=story.pk)
    assert result["sentences"]
    first = result["sentences"][0]
    assert "6.4" in first["text"]
    assert first["article"] in set(story.articles.values_list("pk", flat=True))
    assert result["generated"] is None
    with pytest.raises(LookupError):
        ask_about("What happened?", story_id=999_999)
    with pytest.raises(ValueError):
        ask_about("   ", article_id=stored[QUAKE].pk)


def test_a_configured_language_model_writes_story_summaries_and_answers(
    stored, embedder, settings
) -> None:
    with serve(answers("A 6.4 quake hit Miyagi and halted bullet trains [1].")) as server:
        settings.DAYBOOK_LLM_BASE_URL = server.url
        settings.DAYBOOK_LLM_MODEL = "tiny-chat"
        Enricher(embedder).run()
        story = Story.objects.get(articles=stored[QUAKE])
        result = ask_about("How strong was the quake?", story_id=story.pk)
    assert story.generated_summary == "A 6.4 quake hit Miyagi and halted bullet trains [1]."
    assert story.generated_by == "tiny-chat"
    assert result["generated"].startswith("A 6.4 quake")
    assert result["sentences"]  # the extractive answer is there too
    # Every request carried only sentences of stored articles, never anything else.
    texts = " ".join(Article.objects.values_list("text", flat=True))
    for request in server.seen:
        numbered = [
            line.split("] ", 1)[1]
            for line in request.body["messages"][1]["content"].splitlines()
            if line.startswith("[")
        ]
        assert numbered and all(sentence in texts for sentence in numbered)


def test_a_failing_language_model_leaves_the_extractive_answer(stored, embedder, settings) -> None:
    def broken(handler) -> None:
        handler.reply(500, '{"error": {"message": "overloaded"}}')

    with serve(broken) as server:
        settings.DAYBOOK_LLM_BASE_URL = server.url
        settings.DAYBOOK_LLM_MODEL = "tiny-chat"
        stats = Enricher(embedder).run()
        story = Story.objects.get(articles=stored[QUAKE])
        result = ask_about("What was the magnitude of the earthquake?", story_id=story.pk)
    assert stats.failed == 0
    assert story.summary and story.generated_summary == ""
    assert result["generated"] is None
    assert "6.4" in result["sentences"][0]["text"]


def test_a_runaway_article_is_enriched_from_its_top(embedder) -> None:
    """Over a million characters in one paragraph: more than spaCy accepts at once."""
    lead = "The city council approved a new budget on Monday, Mayor Ana Lopez said. "
    filler = " ".join(f"Item {n} of the annex lists a cost of {n} dollars." for n in range(25_000))
    huge = store_article(
        normalise(
            ExtractedArticle(text=lead + filler, url="https://city.example/budget", title="Budget"),
            url="https://city.example/budget",
        )
    ).article
    assert len(huge.text) > 1_000_000
    stats = Enricher(embedder).run()
    assert (stats.done, stats.failed) == (1, 0)
    huge.refresh_from_db()
    assert huge.summary and huge.story_id is not None
    assert huge.summary[0]["text"] in huge.text


NURSE = [
    "Jane-Doe, a nurse at the Kestrel Valley clinic, said on Monday that the clinic would "
    "close its night ward in March because it could not hire enough staff.",
    "Jane Doe told a council meeting in Harwick on Tuesday that nurses had been asked to "
    "work double shifts for six weeks running, and that several had resigned.",
    "Hospital managers met Jane Doe and other union representatives on Wednesday to "
    "discuss pay for night shifts at three sites across the county.",
    "Jane-Doe said on Thursday that the union would ballot its members on a strike if the "
    "night ward closed, with a result expected before the end of the month.",
]


def store_text(number: int, text: str) -> Article:
    url = f"https://paper{number}.example/news/{number}"
    when = timezone.now() - timedelta(hours=10 - number)
    extracted = ExtractedArticle(
        text=text + "\n\nThe county health board declined to comment on the dispute.",
        url=url,
        title=f"Night ward dispute, day {number}",
        published=when,
        site_name=f"Paper {number}",
    )
    source = Source.objects.create(name=f"Paper {number}")
    return store_article(normalise(extracted, url=url, now=when), source=source).article


def test_the_canonical_name_follows_the_spelling_most_articles_use(embedder) -> None:
    """Two enrichers are two worker processes, each with its own registry: the name
    moves to the common spelling once it has more articles, every process follows it,
    and the entity is never doubled."""
    first, second = Enricher(embedder), Enricher(embedder)
    articles = [store_text(n, text) for n, text in enumerate(NURSE, 1)]
    assert first.enrich(articles[0].pk)
    assert Entity.objects.get(kind="person").name == "Jane-Doe"
    assert second.enrich(articles[1].pk)
    assert Entity.objects.get(kind="person").name == "Jane-Doe"  # one each: the first stays
    assert second.enrich(articles[2].pk)
    assert Entity.objects.get(kind="person").name == "Jane Doe"
    assert first.enrich(articles[3].pk)  # this registry saw the old name last

    person = Entity.objects.get(kind="person")
    assert person.name == "Jane Doe" and person.articles == 4
    assert "Jane-Doe" in person.aliases
    assert ArticleEntity.objects.filter(entity=person).count() == 4
    assert dict(person.spellings.values_list("spelling", "articles")) == {
        "Jane-Doe": 2,
        "Jane Doe": 2,
    }
    # Re-enriching an article moves its spelling, never counts it twice.
    Article.objects.filter(pk=articles[3].pk).update(stage="enrich", enriched={})
    assert second.enrich(articles[3].pk)
    assert dict(person.spellings.values_list("spelling", "articles")) == {
        "Jane-Doe": 2,
        "Jane Doe": 2,
    }
