"""A synthetic news collection for bench/web.py, written straight into the database.

Ingesting and enriching 10,000 articles for real would take longer than the benchmark
itself, and what a page costs depends on row counts, text sizes and how rows relate
(stories with many members, wire copies beside their originals, vectors that have near
neighbours), not on whether a summary is any good. So every row enrichment would leave
is made up here, shaped like the real thing:

- English text from small grammars, so search, teasers and sentence citations see
  words and sentences; a story's articles share sentences about its people, places
  and theme, as real coverage of one event does;
- story sizes skewed like news (a few big stories, many with one or two articles);
- vectors clustered by story (a random centre plus noise per article), because
  uniformly random vectors have no near neighbours and would make "related
  articles" an empty list rather than a realistic lookup;
- wire copies that are their original trimmed by a paragraph or two plus a credit line.

Everything is seeded, so two runs build the same collection. Import this module only
after ``django.setup()``: it imports the models.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from daybook.ai.embed import load_embedder, to_bytes
from daybook.ai.topics import REGIONS, TOPICS
from daybook.news import revision
from daybook.news.models import Article, ArticleEntity, Entity, Quote, Source, Story

SEED = 20240611
DAYS = 30
ARTICLES_PER_STORY = 5
"""Originals per story on average: 10,000 originals make 2,000 stories."""
COPY_SHARE = 0.1
NOISE = 0.08
"""Per coordinate, as in bench/index.py: an article's cosine to its story's centre is
about 0.6 in 256 dimensions."""
COPY_NOISE = 0.02
STORY_SHARE = 0.15
"""Share of an article's sentences about its story rather than general news talk."""
SOURCES = 20
QUOTE_SHARE = 0.5
STORY_SENTENCES = 25
BATCH = 500

COMMON_WORD = "government"
"""A word in one of the general subjects, so most articles contain it: the search
page's heavy case (thousands of matches to rank and count)."""

# -- vocabulary ------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Akiko Hiroshi Maria James Fatima Chen Olga Kwame Sofia Daniel Yuki Amir Elena Samuel "
    "Priya Lucas Aisha Kenji Laura Mateo Nadia Thomas Mei Omar Claire Ravi Hannah Diego "
    "Ingrid Tariq"
)
LAST = _words(
    "Tanaka Okafor Schmidt Garcia Novak Haddad Sato Mensah Rossi Kowalski Nguyen Johansson "
    "Ortiz Kim Watanabe Petrov Silva Brennan Dubois Yamamoto Farah Lindqvist Moreau Castillo "
    "Ito Abubakar Fischer Reyes Hughes Nakamura"
)
ROLES = (
    "the finance minister",
    "a spokesperson for the ministry",
    "the chief executive",
    "the mayor",
    "a senior economist",
    "the head of the union",
    "a professor of public policy",
    "the opposition leader",
    "the health minister",
    "a lead researcher",
    "the company's chairman",
    "the deputy mayor",
    "a government adviser",
    "the party's deputy leader",
    "the central bank governor",
)
ORG_PREFIXES = _words(
    "National Northern Pacific United Central Eastern Royal Metropolitan Atlantic Federal "
    "Coastal Global"
)
ORG_KINDS = (
    "Transit Authority",
    "Energy Company",
    "Medical Association",
    "Teachers' Union",
    "Development Bank",
    "Science Council",
    "Football League",
    "Arts Foundation",
    "Water Board",
    "Farmers' Cooperative",
    "Steel Group",
    "Shipping Line",
    "Broadcasting Corporation",
    "Chamber of Commerce",
    "Climate Institute",
)
PLACES = {
    "Japan": ("Tokyo", "Osaka", "Sapporo", "Fukuoka", "Nagoya", "Sendai"),
    "Asia": ("Seoul", "Jakarta", "Mumbai", "Manila", "Hanoi", "Taipei"),
    "Europe": ("Berlin", "Madrid", "Warsaw", "Lisbon", "Vienna", "Dublin"),
    "Americas": ("Toronto", "Chicago", "Lima", "Bogota", "Denver", "Santiago"),
    "Middle East": ("Amman", "Doha", "Beirut", "Muscat"),
    "Africa": ("Nairobi", "Accra", "Lagos", "Dakar"),
    "Oceania": ("Auckland", "Perth", "Brisbane", "Suva"),
}
THEMES = {
    "World": ("border talks", "ceasefire plan", "refugee support", "aid convoy", "peace summit"),
    "Politics": ("election reform", "coalition talks", "pension reform", "tax cuts", "new cabinet"),
    "Business": (
        "merger talks",
        "port expansion",
        "airline strike",
        "bank merger",
        "steel tariffs",
    ),
    "Economy": (
        "interest rates",
        "budget deficit",
        "minimum wage",
        "housing shortage",
        "inflation",
    ),
    "Technology": ("chip plant", "data breach", "cyber attack", "broadband rollout", "robot taxis"),
    "Science": (
        "space mission",
        "fusion reactor",
        "ocean survey",
        "gene study",
        "telescope project",
    ),
    "Health": (
        "vaccine rollout",
        "hospital waiting lists",
        "nurse shortage",
        "flu season",
        "drug prices",
    ),
    "Sports": (
        "league final",
        "stadium project",
        "marathon route",
        "transfer window",
        "doping case",
    ),
    "Culture": (
        "film festival",
        "museum reopening",
        "book prize",
        "concert hall",
        "theatre season",
    ),
    "Environment": (
        "flood defences",
        "wildfire season",
        "solar farm",
        "coal phase-out",
        "drought relief",
    ),
}
SUBJECTS = (
    "The government",
    "Officials",
    "The central bank",
    "Local residents",
    "Analysts",
    "The company",
    "Researchers",
    "The ministry",
    "Lawmakers",
    "Investors",
    "The city council",
    "Union leaders",
    "Health authorities",
    "The committee",
    "Police",
    "Environmental groups",
    "The coalition",
    "Economists",
    "Prosecutors",
    "The opposition",
    "Regulators",
    "Business leaders",
)
VERBS = _words(
    "announced approved rejected criticised proposed delayed expanded reviewed defended "
    "questioned confirmed suspended launched revised welcomed postponed investigated unveiled "
    "endorsed scrapped"
)
INFINITIVES = _words(
    "increase reduce replace extend support limit protect streamline fund overhaul simplify expand"
)
ADJECTIVES = _words(
    "new controversial long-awaited ambitious revised temporary national regional emergency "
    "annual proposed modest sweeping local digital costly"
)
NOUNS = _words(
    "budget plan policy agreement investment programme measure project report reform contract "
    "proposal strategy deal law tax subsidy regulation survey study"
)
THINGS = (
    "public transport",
    "schools",
    "hospitals",
    "housing",
    "research",
    "roads",
    "clean energy",
    "childcare",
    "broadband",
    "the water supply",
    "local businesses",
    "farmers",
)
DAYS_OF_WEEK = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
TAILS = (
    "after months of negotiations",
    "despite strong opposition",
    "in a statement late on {day}",
    "ahead of next month's vote",
    "following weeks of protests",
    "for the second time this year",
    "amid rising costs",
    "at a press conference on {day}",
    "earlier this week",
    "without giving further details",
    "after an independent review",
    "in a narrow vote on {day}",
)
GENERAL = (
    "{subject} {verb} the {adj} {noun} {tail}.",
    "{subject} said the {noun} would {inf} spending on {thing} {tail}.",
    "The {noun} is expected to cost about {n} million dollars over the next {k} years.",
    "About {pct} percent of those surveyed said they {opinion} the {noun}, up from {pct2} "
    "percent a year earlier.",
    "It was not immediately clear {unclear}.",
    "Critics argue that the {adj} {noun} {critique}.",
    "{subject} {verb} the {noun} last {day}, saying it would {inf} support for {thing}.",
    "Supporters say the {noun} will {inf} {thing}, while opponents warn of higher costs.",
    "The figures, published on {day}, showed a {change} of {pct} percent compared with the "
    "same period last year.",
)
UNCLEAR = (
    "whether the {noun} would survive a legal challenge",
    "how the {noun} would be paid for",
    "when the {noun} would take effect",
    "how many people would be affected",
)
CRITIQUES = (
    "does little to help those most affected",
    "came too late",
    "will be hard to enforce",
    "favours large companies over small ones",
    "lacks a clear timetable",
    "could push up prices",
)
ABOUT = (
    "{person}, {role}, said the {theme} in {place} would be {judgement}.",
    "The {org} said on {day} that the {theme} had {progress}.",
    "In {place}, the {theme} has {effect}.",
    "{person} told reporters that the {org} was {stance} the {theme}.",
    "The {theme} follows {context} in {place} {ago}.",
    "Talks between the {org} and officials in {place} over the {theme} are set to resume "
    "next week.",
    "Residents of {place} said the {theme} had {effect}.",
    "{person} of the {org} said more details on the {theme} would be released by {day}.",
)
JUDGEMENTS = ("a turning point", "a difficult test", "long overdue", "a costly mistake")
PROGRESS = (
    "made slower progress than planned",
    "reached its final stage",
    "been put on hold",
    "drawn thousands of complaints",
    "exceeded early estimates",
)
EFFECTS = (
    "dominated local politics for weeks",
    "divided opinion among residents",
    "raised questions about oversight",
    "drawn attention from across the region",
)
STANCES = ("ready to compromise on", "firmly opposed to", "still reviewing", "fully committed to")
CONTEXTS = ("a similar dispute", "years of debate", "a string of setbacks", "a sharp rise in costs")
AGO = ("last year", "two years ago", "earlier this decade", "in the spring")
QUOTES = (
    "We are doing everything we can to keep the {theme} on track",
    "We will not accept a deal that leaves {place} behind",
    "I am confident the {org} will deliver what it promised",
    "We are asking for patience while the details are worked out",
    "Everyone affected by the {theme} deserves a straight answer",
)
TITLES = (
    "{org} {backs} {theme} in {place}",
    "{Theme} in {place} {news}",
    "{person} calls {theme} {judgement}",
    "What the {theme} means for {place}",
    "{place} braces for {theme} as {org} {backs} plan",
)
BACKS = ("backs", "delays", "reviews", "defends", "rethinks", "pushes ahead with", "pauses")
NEWS = ("draws fresh criticism", "enters final stage", "faces new delay", "divides residents")
FILLERS = (
    "More details are expected in the coming days.",
    "The situation remains fluid.",
    "Officials declined to comment further.",
)
SOURCE_FIRST = _words(
    "Morning Evening Daily Weekly Northern Southern Coastal Capital Metro Pacific"
)
SOURCE_LAST = _words("Ledger Times Post Herald Courier Observer Wire Chronicle Gazette Tribune")


@dataclass(frozen=True)
class Corpus:
    sources: int
    entities: int
    mentions: int
    quotes: int
    originals: tuple[int, ...]
    copies: tuple[int, ...]
    stories: tuple[int, ...]


@dataclass
class _Story:
    pk: int
    person: str
    role: str
    org: str
    place: str
    theme: str
    topics: list[str]
    start: datetime
    sentences: list[tuple[str, int]] = field(default_factory=list)
    """Its pool of sentences about the event, with their word counts."""
    members: list[Article] = field(default_factory=list)


class _Writer:
    """Sentences, titles and bodies from the grammars above."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.general = [self.counted(self._general()) for _ in range(6000)]

    @staticmethod
    def counted(sentence: str) -> tuple[str, int]:
        return sentence, len(sentence.split())

    def _fill(self, template: str, **known: str) -> str:
        pick = self.rng.choice
        return template.format(
            subject=pick(SUBJECTS),
            verb=pick(VERBS),
            inf=pick(INFINITIVES),
            adj=pick(ADJECTIVES),
            noun=pick(NOUNS),
            thing=pick(THINGS),
            day=pick(DAYS_OF_WEEK),
            n=self.rng.randint(2, 900),
            k=self.rng.randint(2, 12),
            pct=self.rng.randint(3, 80),
            pct2=self.rng.randint(3, 80),
            opinion=pick(("supported", "opposed", "were unsure about")),
            change=pick(("rise", "fall")),
            judgement=pick(JUDGEMENTS),
            progress=pick(PROGRESS),
            effect=pick(EFFECTS),
            stance=pick(STANCES),
            context=pick(CONTEXTS),
            ago=pick(AGO),
            backs=pick(BACKS),
            news=pick(NEWS),
            **known,
        )

    def _general(self) -> str:
        template = self.rng.choice(GENERAL)
        template = template.replace("{tail}", self.rng.choice(TAILS))
        template = template.replace("{unclear}", self.rng.choice(UNCLEAR))
        template = template.replace("{critique}", self.rng.choice(CRITIQUES))
        return self._fill(template)

    @staticmethod
    def _story_words(story: _Story) -> dict[str, str]:
        return {
            "person": story.person,
            "role": story.role,
            "org": story.org,
            "place": story.place,
            "theme": story.theme,
            "Theme": story.theme[0].upper() + story.theme[1:],
        }

    def about(self, story: _Story) -> str:
        return self._fill(self.rng.choice(ABOUT), **self._story_words(story))

    def title(self, story: _Story) -> str:
        return self._fill(self.rng.choice(TITLES), **self._story_words(story))

    def quote(self, story: _Story) -> tuple[str, str]:
        """A quoting sentence and the words it quotes."""
        words = self._fill(self.rng.choice(QUOTES), **self._story_words(story))
        return f'"{words}," said {story.person}, {story.role}.', words

    def body(self, story: _Story) -> list[list[str]]:
        """6 to 15 paragraphs of 80 to 200 words, opening on the story."""
        paragraphs = []
        for index in range(self.rng.randint(6, 15)):
            target = self.rng.randint(80, 200)
            sentences: list[str] = []
            words = 0
            while words < target:
                first = index == 0 and not sentences
                pool = story.sentences if first or self.rng.random() < STORY_SHARE else None
                sentence, count = self.rng.choice(pool or self.general)
                sentences.append(sentence)
                words += count
            paragraphs.append(sentences)
        return paragraphs


def generate(originals: int, seed: int = SEED) -> Corpus:
    """Write a fresh collection of ``originals`` articles plus 10% wire copies."""
    rng = random.Random(seed)
    embedder = load_embedder("wordllama")
    now = timezone.now().replace(microsecond=0)
    writer = _Writer(rng)
    sources = _sources(rng)
    entities = _entities(rng)
    entity_id = {e.name: e.pk for e in entities}
    people = [e.name for e in entities if e.kind == Entity.Kind.PERSON]
    orgs = [e.name for e in entities if e.kind == Entity.Kind.ORGANISATION]
    stories = [
        _new_story(rng, writer, pk, now, people, orgs)
        for pk in range(1, max(1, originals // ARTICLES_PER_STORY) + 1)
    ]
    # Every story gets one article, the rest go to stories with weights falling off
    # as 1/sqrt(rank): the biggest of 2,000 stories gets about 90 articles.
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(stories))]
    ranked = rng.sample(stories, len(stories))
    homes = stories[:originals] + rng.choices(ranked, weights, k=originals - len(stories))

    hashes: set[str] = set()
    rows: list[Article] = []
    bodies: dict[int, list[list[str]]] = {}
    quoted: dict[int, tuple[str, int]] = {}
    """Article -> the words it quotes and the paragraph they open."""
    for pk, story in enumerate(homes, start=1):
        paragraphs = writer.body(story)
        if rng.random() < QUOTE_SHARE:
            sentence, words = writer.quote(story)
            at = rng.randint(1, min(3, len(paragraphs) - 1))
            paragraphs[at].insert(0, sentence)
            quoted[pk] = (words, at)
        delay = timedelta(hours=rng.expovariate(1 / 8)) if story.members else timedelta()
        published = min(now, story.start + delay)
        title = writer.title(story)
        row = _article(rng, pk, story, rng.choice(sources), title, published, paragraphs, hashes)
        row.summary = _cited(paragraphs, [(0, 0), (1, 0), (2, min(1, len(paragraphs[2]) - 1))])
        spots = [(p, s) for p, sentences in enumerate(paragraphs) for s in range(len(sentences))]
        row.key_points = _cited(paragraphs, sorted(rng.sample(spots, 4)))
        bodies[pk] = paragraphs
        rows.append(row)
        story.members.append(row)

    for pk in range(originals + 1, originals + int(originals * COPY_SHARE) + 1):
        original = rows[rng.randrange(originals)]
        story = stories[original.story_id - 1]
        source = rng.choice([s for s in sources if s.pk != original.source_id])
        paragraphs = [list(p) for p in bodies[original.pk][: -rng.randint(1, 2)]]
        kept = len(paragraphs)
        paragraphs.append([f"This article was first published by {original.publisher}."])
        published = min(now, original.published_at + timedelta(minutes=rng.randint(10, 360)))
        row = _article(rng, pk, story, source, original.title, published, paragraphs, hashes)
        row.copy_of = original
        row.copy_similarity = round(rng.uniform(0.75, 0.98), 3)
        row.summary = [c for c in original.summary if c["paragraph"] < kept]
        row.key_points = [c for c in original.key_points if c["paragraph"] < kept]
        if original.pk in quoted and quoted[original.pk][1] < kept:
            quoted[pk] = quoted[original.pk]
        rows.append(row)
        story.members.append(row)

    vectors = _embed(rows, len(stories), seed, embedder.dimensions, embedder.model)
    story_rows = [_story_row(s, vectors, embedder.model) for s in stories]
    mentions = [
        ArticleEntity(article_id=row.pk, entity_id=entity_id[name], count=count)
        for row in rows
        for name in _story_names(stories[row.story_id - 1])
        if (count := row.text.count(name))
    ]
    quotes = [
        Quote(
            article_id=pk,
            speaker_id=entity_id[stories[rows[pk - 1].story_id - 1].person],
            text=words,
            paragraph=at,
            end_paragraph=at,
            position=rows[pk - 1].text.find(words),
        )
        for pk, (words, at) in quoted.items()
    ]
    with transaction.atomic():
        Source.objects.bulk_create(sources)
        Entity.objects.bulk_create(entities, batch_size=BATCH)
        Story.objects.bulk_create(story_rows, batch_size=BATCH)
        Article.objects.bulk_create(rows[:originals], batch_size=BATCH)
        Article.objects.bulk_create(rows[originals:], batch_size=BATCH)
        ArticleEntity.objects.bulk_create(mentions, batch_size=BATCH)
        Quote.objects.bulk_create(quotes, batch_size=BATCH)
        revision.bump(revision.NEWS)
    return Corpus(
        sources=len(sources),
        entities=len(entities),
        mentions=len(mentions),
        quotes=len(quotes),
        originals=tuple(r.pk for r in rows[:originals]),
        copies=tuple(r.pk for r in rows[originals:]),
        stories=tuple(s.pk for s in stories),
    )


def _sources(rng: random.Random) -> list[Source]:
    names = rng.sample([f"The {a} {b}" for a in SOURCE_FIRST for b in SOURCE_LAST], SOURCES)
    return [
        Source(pk=pk, name=name, site_url=f"https://{_slug(name)}.example/")
        for pk, name in enumerate(names, start=1)
    ]


def _entities(rng: random.Random) -> list[Entity]:
    people = rng.sample([f"{first} {last}" for first in FIRST for last in LAST], 300)
    orgs = [f"{prefix} {kind}" for prefix in ORG_PREFIXES for kind in ORG_KINDS]
    places = [place for found in PLACES.values() for place in found]
    kinds = [
        *((name, Entity.Kind.PERSON) for name in people),
        *((name, Entity.Kind.ORGANISATION) for name in orgs),
        *((name, Entity.Kind.PLACE) for name in places),
    ]
    return [
        Entity(pk=pk, name=name, kind=kind, aliases=[name])
        for pk, (name, kind) in enumerate(kinds, start=1)
    ]


def _new_story(
    rng: random.Random,
    writer: _Writer,
    pk: int,
    now: datetime,
    people: list[str],
    orgs: list[str],
) -> _Story:
    """An event: who, where, what about, when it broke, and its topics (one or two
    subjects, then usually the region of its place, as the classifier orders them)."""
    subjects = sorted(rng.sample(TOPICS, 2 if rng.random() < 0.3 else 1), key=TOPICS.index)
    region = rng.choice(REGIONS)
    story = _Story(
        pk=pk,
        person=rng.choice(people),
        role=rng.choice(ROLES),
        org=rng.choice(orgs),
        place=rng.choice(PLACES[region]),
        theme=rng.choice(THEMES[subjects[0]]),
        topics=subjects + ([region] if rng.random() < 0.8 else []),
        start=now - timedelta(seconds=rng.uniform(0, DAYS * 86400)),
    )
    story.sentences = [_Writer.counted(writer.about(story)) for _ in range(STORY_SENTENCES)]
    return story


def _article(
    rng: random.Random,
    pk: int,
    story: _Story,
    source: Source,
    title: str,
    published: datetime,
    paragraphs: list[list[str]],
    hashes: set[str],
) -> Article:
    """An article row with its text made unique (one more sentence on a collision:
    text_hash is a unique column)."""
    while True:
        text = "\n\n".join(" ".join(sentences) for sentences in paragraphs)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest not in hashes:
            break
        paragraphs[-1].append(rng.choice(FILLERS))
    hashes.add(digest)
    words = len(text.split())
    url = f"{source.site_url}news/{published:%Y/%m/%d}/{_slug(title)}-{pk}"
    return Article(
        pk=pk,
        source=source,
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        authors=[f"{rng.choice(FIRST)} {rng.choice(LAST)}"],
        published_at=published,
        site_name=source.name,
        language="en",
        image=f"https://images.example.org/{pk}.jpg" if rng.random() < 0.4 else "",
        word_count=words,
        reading_minutes=max(1, round(words / 230)),
        text_hash=digest,
        story_id=story.pk,
        topics=story.topics,
        keywords=[story.theme, story.place, story.org],
        enriched={"x": "synthetic"},
        stage="done",  # enriched already: nothing for the server's worker to redo
        work_due_at=None,
        created_at=published,
        updated_at=published,
    )


def _cited(paragraphs: list[list[str]], spots: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"text": paragraphs[p][s], "paragraph": p, "sentence": s} for p, s in spots]


def _story_names(story: _Story) -> tuple[str, str, str]:
    return story.person, story.org, story.place


def _embed(
    rows: list[Article], stories: int, seed: int, dimensions: int, model: str
) -> dict[int, np.ndarray]:
    """Each original near its story's centre, each copy nearer still to its original."""
    noise = np.random.default_rng(seed)
    centres = _unit(noise.standard_normal((stories, dimensions)))
    originals = [row for row in rows if row.copy_of_id is None]
    spread = NOISE * noise.standard_normal((len(originals), dimensions))
    matrix = _unit(centres[[row.story_id - 1 for row in originals]] + spread)
    vectors = {row.pk: vector for row, vector in zip(originals, matrix, strict=True)}
    for row in rows:
        if row.copy_of_id is not None:
            near = vectors[row.copy_of_id] + COPY_NOISE * noise.standard_normal(dimensions)
            vectors[row.pk] = _unit(near)
        row.embedding = to_bytes(vectors[row.pk])
        row.embedding_model = model
    return vectors


def _story_row(story: _Story, vectors: dict[int, np.ndarray], model: str) -> Story:
    """The story as enrichment leaves it: counts, times and centre from its members,
    a summary cited from its first two originals."""
    members = story.members
    times = [m.published_at for m in members]
    originals = [m for m in members if m.copy_of_id is None]
    summary = [{"article": originals[0].pk, **c} for c in originals[0].summary[:2]]
    said = {c["text"] for c in summary}
    second = [c for m in originals[1:2] for c in m.summary if c["text"] not in said]
    summary += [{"article": originals[1].pk, **c} for c in second[:1]]
    centre = _unit(np.mean([vectors[m.pk] for m in members], axis=0))
    return Story(
        pk=story.pk,
        title=originals[0].title,
        summary=summary,
        centroid=to_bytes(centre),
        embedding_model=model,
        entities={name: sum(m.text.count(name) for m in members) for name in _story_names(story)},
        first_seen=min(times),
        last_seen=max(times),
        article_count=len(members),
        publisher_count=len({m.source_id for m in members}),
        summary_stale=False,
        created_at=min(times),
        updated_at=max(times),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _unit(matrix: np.ndarray) -> np.ndarray:
    unit: np.ndarray = matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)
    return unit.astype(np.float32)
