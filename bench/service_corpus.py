"""Invented news for bench/service.py, and the stored collections it grows.

Three things live here:

- ``make_corpus``: a seeded corpus of distinct news articles about invented events
  (1 to 6 articles each, from different publishers, published within hours of each
  other), with each publisher's RSS feeds and each article's HTML page. The text is
  generated from the templates and word lists below, nothing is taken from real
  writing (nor from ``../shared/corpora``): every person, place, organisation and
  publisher is an invented name made of syllables, and the sentences around them
  use common English words of eight fields of news. An event's articles share its
  names and a handful of its field's words, so stories form around events.

  Why not invented content words too: the embedding model (wordllama) maps word
  pieces it has never seen to nearly one direction, so two texts of disjoint
  invented words score a cosine of about 0.93, every text looks like every other
  and all articles fall into one story. With real common words, articles of one
  event score about 0.93 and unrelated ones about 0.15.
- ``Served``: the corpus on 127.0.0.1, one small threaded HTTP server per publisher,
  so each publisher is its own host for the fetcher's per-host limit.
- ``fill`` (Django set up first): a stored collection of articles written straight
  into the database as enrichment leaves it, for the growth figure. Run as
  ``python bench/service_corpus.py fill|grow ...`` by bench/service.py, in a child
  process whose environment names the database.

The corpus and page code imports nothing from Django; ``fill`` and ``grow`` import it
inside, after ``django.setup()``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import random
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SEED = 4021
PUBLISHERS = 10
ENTRIES_PER_FEED = 100
EVENT_SIZES = (1, 2, 3, 4, 5, 6)
EVENT_SPREAD = timedelta(hours=6)
"""An event's articles are published within this long of its first."""

# -- the language -------------------------------------------------------------------

_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_CLUSTERS = ("br", "dr", "gr", "kr", "pl", "st", "tr", "sk")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou")
_CODAS = ("", "", "n", "r", "l", "s", "k", "m", "t", "nd", "rk")
SYLLABLES = tuple(o + v + c for o in _ONSETS + _CLUSTERS for v in _VOWELS for c in _CODAS)


def _invent(
    rng: random.Random, count: int, syllables: tuple[int, int], taken: set[str]
) -> list[str]:
    """``count`` new capitalised invented names of ``syllables`` syllables."""
    names: list[str] = []
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))
        if name not in taken:
            taken.add(name)
            names.append(name.capitalize())
    return names


@dataclass(frozen=True)
class Topic:
    """A field of news: its common words (verbs as base and past forms)."""

    nouns: tuple[str, ...]
    verbs: tuple[tuple[str, str], ...]
    adjectives: tuple[str, ...]
    org_kinds: tuple[str, ...]


def _topic(nouns: str, verbs: str, adjectives: str, org_kinds: str) -> Topic:
    return Topic(
        nouns=tuple(nouns.split()),
        verbs=tuple(tuple(pair.split("/")) for pair in verbs.split()),  # type: ignore[misc]
        adjectives=tuple(adjectives.split()),
        org_kinds=tuple(kind.replace("_", " ") for kind in org_kinds.split()),
    )


TOPICS = (
    _topic(
        "bank budget tax loan market price wage factory export tariff investor share bond "
        "pension debt profit deficit currency payment retailer supplier contract subsidy "
        "salary mortgage merger dividend forecast index inflation",
        "raise/raised cut/cut borrow/borrowed invest/invested lend/lent trade/traded "
        "hire/hired fund/funded spend/spent approve/approved delay/delayed freeze/froze",
        "fiscal monetary quarterly annual cautious steep modest volatile profitable unpaid",
        "Bank Trading_Group Holdings Treasury",
    ),
    _topic(
        "storm flood river dam forest rainfall drought harvest wildfire coastline glacier "
        "reservoir levee wind heatwave tide crop soil landslide evacuation shelter lake "
        "hurricane snowfall wetland irrigation pump embankment orchard valley",
        "flood/flooded burn/burned evacuate/evacuated rebuild/rebuilt warn/warned "
        "monitor/monitored drain/drained protect/protected damage/damaged restore/restored "
        "clear/cleared reinforce/reinforced",
        "heavy dry coastal severe seasonal rising northern southern torrential parched",
        "Water_Authority Forestry_Service Weather_Office Rivers_Trust",
    ),
    _topic(
        "railway train station airport runway bridge tunnel highway bus ferry port freight "
        "commuter timetable platform carriage terminal route driver ticket junction lane "
        "toll cargo depot signal locomotive taxi tram airline",
        "open/opened close/closed extend/extended repair/repaired cancel/cancelled "
        "expand/expanded reroute/rerouted suspend/suspended electrify/electrified "
        "inspect/inspected resume/resumed divert/diverted",
        "electric overnight regional crowded suburban international busy congested late new",
        "Rail Transit_Authority Airways Ports_Board",
    ),
    _topic(
        "hospital clinic vaccine patient nurse doctor virus outbreak ward surgery medicine "
        "trial infection pharmacy ambulance symptom treatment dose screening epidemic "
        "diagnosis therapy surgeon bed midwife antibiotic paramedic transplant allergy cancer",
        "treat/treated vaccinate/vaccinated test/tested admit/admitted "
        "discharge/discharged prescribe/prescribed screen/screened isolate/isolated "
        "diagnose/diagnosed recruit/recruited cure/cured operate/operated",
        "contagious chronic clinical medical rural elderly urgent mild preventive acute",
        "Health_Trust Medical_Council Institute_of_Health Hospitals_Board",
    ),
    _topic(
        "match goal coach stadium league striker final tournament referee penalty season "
        "championship medal keeper fan squad transfer trophy sprint race derby captain "
        "defender midfielder marathon relay podium pitch kickoff semifinal",
        "win/won score/scored beat/beat sign/signed defend/defended train/trained "
        "qualify/qualified draw/drew sack/sacked promote/promoted relegate/relegated "
        "injure/injured",
        "unbeaten dramatic home away young veteran decisive late injured promoted",
        "United Athletic_Club Rovers Sports_Federation",
    ),
    _topic(
        "election vote parliament minister ballot coalition senator campaign bill mayor "
        "council candidate referendum policy reform opposition cabinet constituency "
        "amendment treaty governor party lawmaker speaker poll manifesto motion debate "
        "budget committee",
        "elect/elected veto/vetoed pass/passed propose/proposed resign/resigned "
        "debate/debated reject/rejected nominate/nominated appoint/appointed "
        "impeach/impeached endorse/endorsed oppose/opposed",
        "ruling rival narrow constitutional local federal provisional contested centrist "
        "conservative",
        "Party Assembly Electoral_Commission League_of_Voters",
    ),
    _topic(
        "software chip network satellite robot battery server startup smartphone algorithm "
        "database cable sensor laboratory engineer patent app telescope processor rocket "
        "drone browser encryption cloud router firmware semiconductor laser antenna modem",
        "launch/launched test/tested hack/hacked upgrade/upgraded develop/developed "
        "install/installed encrypt/encrypted build/built patch/patched design/designed "
        "release/released assemble/assembled",
        "digital wireless experimental automated secure faster orbital portable quantum robotic",
        "Labs Systems Technologies Space_Agency",
    ),
    _topic(
        "museum festival film novel gallery concert theatre painting orchestra author "
        "exhibition sculpture library opera album poet director archive premiere choir "
        "manuscript ballet studio composer playwright mural symphony curator actor audience",
        "exhibit/exhibited perform/performed publish/published restore/restored "
        "film/filmed curate/curated stage/staged record/recorded compose/composed "
        "acquire/acquired donate/donated screen/screened",
        "acclaimed historic modern rare classical touring restored celebrated experimental baroque",
        "Foundation Arts_Council Philharmonic Heritage_Society",
    ),
)
ROLES = (
    "director",
    "chair",
    "head",
    "chief executive",
    "spokesperson",
    "secretary",
    "president",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Names:
    """Invented names of people, places and organisations."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    places: tuple[str, ...]
    orgs: tuple[str, ...]

    @classmethod
    def make(cls, seed: int = SEED) -> Names:
        rng = random.Random(seed)
        taken: set[str] = set()
        return cls(
            first=tuple(_invent(rng, 300, (2, 2), taken)),
            last=tuple(_invent(rng, 600, (2, 3), taken)),
            places=tuple(_invent(rng, 800, (2, 3), taken)),
            orgs=tuple(_invent(rng, 400, (2, 3), taken)),
        )


NAMES = Names.make()

GENERAL = (
    "The {adj} {noun} was {verbed} by the {noun2} on {day}.",
    "{n} {nouns} were {verbed} last year, according to the figures.",
    "A spokesperson said the {noun2} would {verb} the {adj} {noun3} before the end of the year.",
    "Critics of the {noun} said it would {verb} the {noun2} and leave the {noun3} {adj}.",
    "The {noun2} has {verbed} more than {n} {nouns} since the {adj} {noun3} began.",
    "It was not clear whether the {adj} {noun} would {verb} the {noun2} in time.",
    "About {pct} percent of {nouns} were {verbed} in the first half, a survey found.",
    "The number of {nouns} is expected to rise by {pct} percent this year.",
    "Several people said they had waited {k} years for the {noun2} to {verb} the {noun3}.",
)
EVENT = (
    "{person}, the {role} of {org}, said on {day} that the {term} would {verb} the {term2}.",
    "The {term} in {place} {verbed} {n} {terms2} on {day}, according to {org}.",
    '"We will {verb} the {term} and the {term2} in {place}," {person} said.',
    "{org} said the {adj} {term} in {place} had {verbed} the {term2}.",
    "In {place}, the {term} was {verbed} as {org} and {person} met to {verb2} the {term2}.",
    "{person} told residents of {place} that the {term2} was {adj} and would be {verbed}.",
    "It was the first time in {k} years that {org} had {verbed} a {term} in {place}.",
    "Officials of {org} in {place} said {n} {terms} had been {verbed} since {day}.",
)
TITLES = (
    "{person} says {term} in {place} will {verb} the {term2}",
    "{org} {verbed} {term} as {place} {term2} grows",
    "{place} {term} {verbed} after {org} decision",
    "{n} {terms} {verbed} in {place}, {org} says",
    "{person} and {org} to {verb} {place} {term}",
    "What the {term} in {place} means for the {term2}",
)


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


@dataclass(frozen=True)
class Event:
    """Who, where, what and when: what an event's articles share. Its words are a
    few of its topic's and of one other topic's, so two events of one field do not
    read alike."""

    number: int
    person: str
    role: str
    org: str
    place: str
    terms: tuple[str, ...]
    nouns: tuple[str, ...]
    verbs: tuple[tuple[str, str], ...]
    adjectives: tuple[str, ...]
    start: datetime


@dataclass(frozen=True)
class Item:
    """One article as its publisher serves it."""

    number: int
    event: int
    publisher: int
    feed: int
    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]


class Writer:
    """Sentences, titles and bodies about events."""

    def __init__(self, rng: random.Random, names: Names = NAMES) -> None:
        self.rng = rng
        self.names = names

    def event(self, number: int, start: datetime) -> Event:
        rng = self.rng
        main, other = rng.sample(TOPICS, 2)
        return Event(
            number=number,
            person=self.person(),
            role=rng.choice(ROLES),
            org=f"{rng.choice(self.names.orgs)} {rng.choice(main.org_kinds)}",
            place=rng.choice(self.names.places),
            terms=tuple(rng.sample(main.nouns, 3)),
            nouns=tuple(rng.sample(main.nouns, 6) + rng.sample(other.nouns, 3)),
            verbs=tuple(rng.sample(main.verbs, 4)),
            adjectives=tuple(rng.sample(main.adjectives, 3)),
            start=start,
        )

    def _fill(self, template: str, event: Event) -> str:
        rng = self.rng
        term, term2 = rng.sample(event.terms, 2)
        noun, noun2, noun3 = rng.sample(event.nouns, 3)
        (verb, verbed), (verb2, _) = rng.sample(event.verbs, 2)
        return template.format(
            person=event.person,
            role=event.role,
            org=event.org,
            place=event.place,
            term=term,
            term2=term2,
            terms=_plural(term),
            terms2=_plural(term2),
            noun=noun,
            noun2=noun2,
            noun3=noun3,
            nouns=_plural(noun),
            verb=verb,
            verbed=verbed,
            verb2=verb2,
            adj=rng.choice(event.adjectives),
            day=rng.choice(DAYS),
            n=rng.randint(2, 900),
            k=rng.randint(2, 30),
            pct=rng.randint(3, 80),
        )

    def title(self, event: Event) -> str:
        text = self._fill(self.rng.choice(TITLES), event)
        return text[0].upper() + text[1:]

    def sentence(self, event: Event, about_event: bool) -> str:
        text = self._fill(self.rng.choice(EVENT if about_event else GENERAL), event)
        return text[0].upper() + text[1:]

    def body(
        self, event: Event, paragraphs: tuple[int, int], sentences: tuple[int, int]
    ) -> list[str]:
        """Paragraphs opening on the event, then mixing it with its field's news talk."""
        out = []
        for index in range(self.rng.randint(*paragraphs)):
            count = self.rng.randint(*sentences)
            out.append(
                " ".join(
                    self.sentence(event, index == 0 or self.rng.random() < 0.5)
                    for _ in range(count)
                )
            )
        return out

    def person(self) -> str:
        return f"{self.rng.choice(self.names.first)} {self.rng.choice(self.names.last)}"

    author = person


# -- the corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    name: str
    feeds: int


@dataclass
class Corpus:
    publishers: list[Publisher]
    items: list[Item]
    events: int
    label: str
    by_feed: dict[tuple[int, int], list[Item]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items:
            self.by_feed.setdefault((item.publisher, item.feed), []).append(item)


def publisher_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"The {rng.choice(NAMES.orgs)} {rng.choice(('Post', 'Herald', 'Times', 'Wire'))}")
    return sorted(names)


def make_corpus(
    articles: int,
    *,
    seed: int = SEED,
    label: str = "a",
    publishers: int = PUBLISHERS,
    entries_per_feed: int = ENTRIES_PER_FEED,
    now: datetime | None = None,
    span: timedelta = timedelta(hours=36),
) -> Corpus:
    """``articles`` distinct articles over ``span`` before ``now``, in events of 1 to 6
    articles, spread over ``publishers`` (each with enough feeds of at most
    ``entries_per_feed`` entries: 5000 articles make 50 feeds of 100)."""
    rng = random.Random(seed)
    writer = Writer(rng)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    feeds_total = max(publishers, math.ceil(articles / entries_per_feed))
    per_publisher = math.ceil(feeds_total / publishers)
    names = publisher_names(rng, publishers)
    items: list[Item] = []
    published_by = [0] * publishers
    events = 0
    while len(items) < articles:
        size = min(rng.choice(EVENT_SIZES), articles - len(items))
        start = (
            now - span + timedelta(seconds=rng.uniform(0, (span - EVENT_SPREAD).total_seconds()))
        )
        event = writer.event(events, start)
        outlets = rng.sample(range(publishers), min(size, publishers))
        outlets += rng.choices(range(publishers), k=size - len(outlets))
        for publisher in outlets:
            number = len(items)
            published_by[publisher] += 1
            title = writer.title(event)
            items.append(
                Item(
                    number=number,
                    event=events,
                    publisher=publisher,
                    feed=published_by[publisher] % per_publisher,
                    slug=f"{label}{number}-{_slug(title)}",
                    title=title,
                    author=writer.author(),
                    published=start
                    + timedelta(seconds=rng.uniform(0, EVENT_SPREAD.total_seconds())),
                    paragraphs=tuple(writer.body(event, (5, 9), (2, 4))),
                )
            )
        events += 1
    return Corpus(
        publishers=[Publisher(name, per_publisher) for name in names],
        items=items,
        events=events,
        label=label,
    )


def _slug(text: str) -> str:
    return "-".join(text.lower().replace('"', "").replace(",", "").split())[:60]


def render_feed(corpus: Corpus, publisher: int, feed: int, base: str) -> bytes:
    """The feed's RSS 2.0, newest first."""
    name = corpus.publishers[publisher].name
    items = sorted(
        corpus.by_feed.get((publisher, feed), []), key=lambda i: i.published, reverse=True
    )
    rows = "".join(
        f"<item><title>{html.escape(item.title)}</title>"
        f"<link>{base}/news/{item.slug}.html</link><guid>{base}/news/{item.slug}.html</guid>"
        f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
        f"<author>{html.escape(item.author)}</author>"
        f"<description>{html.escape(item.paragraphs[0][:200])}</description></item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(name)} section {feed}</title><link>{base}/</link>"
        f"<description>News from {html.escape(name)}</description>{rows}</channel></rss>"
    ).encode()


def render_page(corpus: Corpus, item: Item, base: str) -> bytes:
    """The article's HTML page: metadata, site chrome and the article itself."""
    name = html.escape(corpus.publishers[item.publisher].name)
    title = html.escape(item.title)
    url = f"{base}/news/{item.slug}.html"
    stamp = item.published.isoformat()
    body = "".join(f"<p>{html.escape(p)}</p>" for p in item.paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | {name}</title>"
        f'<link rel="canonical" href="{url}"><meta property="og:title" content="{title}">'
        f'<meta property="og:site_name" content="{name}"><meta name="author" '
        f'content="{html.escape(item.author)}"><meta property="article:published_time" '
        f'content="{stamp}"></head><body><header><a href="{base}/">{name}</a><nav>'
        f'<a href="{base}/world">World</a> <a href="{base}/money">Money</a></nav></header>'
        f'<main><article><h1>{title}</h1><p class="byline">By {html.escape(item.author)}</p>'
        f'<time datetime="{stamp}">{stamp}</time>{body}</article></main>'
        f"<footer><p>Copyright {name}</p></footer></body></html>"
    ).encode()


# -- serving ------------------------------------------------------------------------

Reply = tuple[int, dict[str, str], bytes]
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
NOT_FOUND: Reply = (404, {"Content-Type": "text/plain"}, b"not found")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the fetcher's client expects
    server: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, headers, body = self.server.routes.get(self.path.split("?", 1)[0], NOT_FOUND)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Site(ThreadingHTTPServer):
    """One publisher's web server: fixed replies by path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Reply] = {}
        self.host_port = f"127.0.0.1:{self.server_address[1]}"
        self.base_url = f"http://{self.host_port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing a kept-alive connection is not news


@dataclass
class Served:
    """A corpus on 127.0.0.1: one server per publisher, and its feeds' URLs."""

    corpus: Corpus
    sites: list[Site]

    @property
    def hosts(self) -> list[str]:
        return [site.host_port for site in self.sites]

    def feeds(self) -> list[tuple[str, str]]:
        """(publisher name, feed URL) for every feed that has entries."""
        return [
            (
                self.corpus.publishers[p].name,
                f"{self.sites[p].base_url}{_feed_path(self.corpus, f)}",
            )
            for p, f in sorted(self.corpus.by_feed)
        ]

    def opml(self) -> bytes:
        from daybook.pipeline.opml import OpmlOutline, write_opml

        return write_opml(
            OpmlOutline(url=url, title=name, site_url=None, category=None)
            for name, url in self.feeds()
        )


def _feed_path(corpus: Corpus, feed: int) -> str:
    return f"/feeds/{corpus.label}{feed}.xml"


@contextmanager
def served(corpus: Corpus) -> Iterator[Served]:
    """Serve ``corpus`` until the block ends. Pages are rendered once, up front, so the
    servers' threads do little work beside the processes that ingest them."""
    sites = [Site() for _ in corpus.publishers]
    threads = [threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True) for s in sites]
    for (publisher, feed), items in corpus.by_feed.items():
        site = sites[publisher]
        site.routes[_feed_path(corpus, feed)] = (
            200,
            RSS,
            render_feed(corpus, publisher, feed, site.base_url),
        )
        for item in items:
            page = render_page(corpus, item, site.base_url)
            site.routes[f"/news/{item.slug}.html"] = (200, HTML, page)
    for thread in threads:
        thread.start()
    try:
        yield Served(corpus, sites)
    finally:
        for site in sites:
            site.shutdown()
            site.server_close()


# -- a stored collection (Django) ---------------------------------------------------

BATCH = 2000


@dataclass(frozen=True)
class Filled:
    articles: int
    stories: int
    entities: int
    days: float
    seconds: float


def fill(size: int, per_day: float, seed: int = SEED) -> Filled:
    """Write ``size`` stored articles into the (migrated) database, as enrichment and
    placement leave them: vectors (random unit vectors around a random centre per
    story, so stories are tight and unrelated ones far apart), stories with centroids,
    entities with their counts, mentions, links, LSH band rows, and the ``originals``
    tally. They span ``size / per_day`` days ending an hour ago, so the density of
    articles per day does not depend on ``size``; the entity registry grows with the
    collection (a name per four articles). Rows are written a few thousand at a time,
    so memory stays flat at any size."""
    from django.db import transaction
    from django.utils import timezone

    from daybook.news import tally
    from daybook.news.models import Entity, Source, Tally

    started = time.perf_counter()
    rng = random.Random(seed)
    end = timezone.now() - timedelta(hours=1)
    sources = [
        Source(pk=n + 1, name=name, site_url=f"https://stored{n}.example/")
        for n, name in enumerate(publisher_names(rng, PUBLISHERS))
    ]
    entities = _stored_entities(rng, size)
    stored = _Stored(rng, sources, entities, end - timedelta(days=size / per_day), end)
    with transaction.atomic():
        Source.objects.bulk_create(sources)
        while stored.articles < size:
            stored.story(min(rng.choice(EVENT_SIZES), size - stored.articles))
            if len(stored.rows) >= BATCH:
                stored.flush()
        stored.flush()
        # Foreign keys are checked at commit, so the entities can come last, with the
        # counts of the articles that name them.
        for entity in entities:
            entity.articles = stored.named.get(entity.pk, 0)
        Entity.objects.bulk_create(entities, batch_size=BATCH)
        Tally.objects.update_or_create(name=tally.ORIGINALS, defaults={"value": size})
    return Filled(
        size, stored.stories, len(entities), size / per_day, time.perf_counter() - started
    )


class _Stored:
    """Stored stories and their articles, made one story at a time and written in
    batches (``flush``)."""

    def __init__(
        self,
        rng: random.Random,
        sources: list[Any],
        entities: list[Any],
        start: datetime,
        end: datetime,
    ) -> None:
        import numpy as np
        from django.conf import settings

        from daybook.ai.embed import load_embedder
        from daybook.news.enrich import digest, producers
        from daybook.news.models import Entity

        self.rng, self.sources, self.start, self.end = rng, sources, start, end
        self.noise = np.random.default_rng(rng.getrandbits(32))
        self.embedder = load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND)
        self.record = producers(self.embedder)
        self.digest = digest(self.record)
        self.people = [e for e in entities if e.kind == Entity.Kind.PERSON]
        self.orgs = [e for e in entities if e.kind == Entity.Kind.ORGANISATION]
        self.places = [e for e in entities if e.kind == Entity.Kind.PLACE]
        writer = Writer(rng)
        self.author = writer.author
        self.general = [writer.sentence(writer.event(0, end), False) for _ in range(3000)]
        self.articles = self.stories = 0
        self.named: dict[int, int] = {}
        """Entity id -> articles naming it."""
        self.rows: list[Any] = []
        self.story_rows: list[Any] = []
        self.mentions: list[Any] = []
        self.links: list[Any] = []

    def story(self, members: int) -> None:
        from daybook.ai.embed import to_bytes
        from daybook.news.models import Story

        rng, dimensions = self.rng, self.embedder.dimensions
        self.stories += 1
        span = (self.end - EVENT_SPREAD - self.start).total_seconds()
        first = self.start + timedelta(seconds=rng.uniform(0, max(0.0, span)))
        named = (rng.choice(self.people), rng.choice(self.orgs), rng.choice(self.places))
        centre = _unit(self.noise.standard_normal(dimensions))
        vectors = _unit(centre + 0.08 * self.noise.standard_normal((members, dimensions)))
        times = sorted(
            first + timedelta(seconds=rng.uniform(0, EVENT_SPREAD.total_seconds()))
            for _ in range(members)
        )
        publishers = {
            self._article(vector, when, named) for vector, when in zip(vectors, times, strict=True)
        }
        self.story_rows.append(
            Story(
                pk=self.stories,
                title=self.rows[-1].title,
                centroid=to_bytes(_unit(vectors.mean(axis=0))),
                embedding_model=self.embedder.model,
                entities={e.name: members for e in named},
                first_seen=times[0],
                last_seen=times[-1],
                article_count=members,
                publisher_count=len(publishers),
                summary_stale=False,
                created_at=times[0],
                updated_at=times[-1],
            )
        )

    def _article(self, vector: Any, published: datetime, named: tuple[Any, ...]) -> int:
        """Make one article of the current story; its publisher's id."""
        from daybook.ai.embed import to_bytes
        from daybook.news.models import Article, ArticleEntity, ArticleLink

        rng = self.rng
        self.articles += 1
        pk = self.articles
        person, org, place = (e.name for e in named)
        lead = f"{person} of {org} spoke in {place} on report {pk}."
        text = "\n\n".join(
            [lead, " ".join(rng.sample(self.general, 4)), " ".join(rng.sample(self.general, 4))]
        )
        source = rng.choice(self.sources)
        url = f"{source.site_url}news/{pk}.html"
        self.rows.append(
            Article(
                pk=pk,
                source=source,
                url=url,
                canonical_url=url,
                title=f"{person} and {org} in {place}, report {pk}",
                text=text,
                authors=[self.author()],
                published_at=published,
                site_name=source.name,
                language="en",
                word_count=len(text.split()),
                reading_minutes=1,
                text_hash=hashlib.sha256(text.encode()).hexdigest(),
                story_id=self.stories,
                embedding=to_bytes(vector),
                embedding_model=self.embedder.model,
                enriched=self.record,
                producers=self.digest,
                stage="done",
                work_due_at=None,
                created_at=published,
                updated_at=published,
            )
        )
        self.links.append(ArticleLink(url=url, article_id=pk))
        for entity in named:
            self.mentions.append(ArticleEntity(article_id=pk, entity_id=entity.pk, count=1))
            self.named[entity.pk] = self.named.get(entity.pk, 0) + 1
        return int(source.pk)

    def flush(self) -> None:
        from django.db import connection

        from daybook.news.models import Article, ArticleEntity, ArticleLink, Story

        Story.objects.bulk_create(self.story_rows, batch_size=BATCH)
        Article.objects.bulk_create(self.rows, batch_size=BATCH)
        ArticleLink.objects.bulk_create(self.links, batch_size=BATCH)
        ArticleEntity.objects.bulk_create(self.mentions, batch_size=BATCH)
        _bands(connection, [row.pk for row in self.rows], self.rng)
        self.rows, self.story_rows, self.mentions, self.links = [], [], [], []


def _stored_entities(rng: random.Random, size: int) -> list[Any]:
    from daybook.news.models import Entity

    names, taken = NAMES, set[str]()
    count = max(60, size // 4)
    kinds = [Entity.Kind.PERSON] * (count * 6 // 10) + [Entity.Kind.ORGANISATION] * (
        count * 2 // 10
    )
    kinds += [Entity.Kind.PLACE] * (count - len(kinds))
    rows = []
    for pk, kind in enumerate(kinds, start=1):
        while True:
            if kind == Entity.Kind.PERSON:
                name = f"{rng.choice(names.first)} {rng.choice(names.last)}"
            elif kind == Entity.Kind.ORGANISATION:
                name = f"{rng.choice(names.orgs)} {rng.choice(names.orgs)} Board"
            else:
                name = f"{rng.choice(names.places)} {rng.choice(names.places)}"
            if name not in taken:
                break
        taken.add(name)
        rows.append(Entity(pk=pk, name=name, kind=kind, aliases=[name]))
    return rows


def _bands(connection: Any, articles: list[int], rng: random.Random) -> None:
    """The LSH band rows each stored article would have, with random keys (stored
    articles share no band with new ones, as unrelated texts almost never do): written
    with one executemany, as the ORM would take minutes for millions of rows."""
    from daybook.news.models import DedupeBand
    from daybook.pipeline.dedupe import BANDS

    table = connection.ops.quote_name(DedupeBand._meta.db_table)
    sql = f"INSERT INTO {table} (band, key, article_id) VALUES (%s, %s, %s)"
    rows = [(band, rng.getrandbits(64) - 2**63, pk) for pk in articles for band in range(BANDS)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _unit(matrix: Any) -> Any:
    import numpy as np

    unit = matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)
    return unit.astype(np.float32)


@dataclass(frozen=True)
class Grown:
    label: str
    articles: int
    placed: int
    seconds: float


def grow(opml: list[Path]) -> list[Grown]:
    """Ingest each OPML's feeds in turn, in this process (``Ingester().run_due()``: the
    tasks ``daybook ingest`` runs), each batch timed from the first poll until its
    articles are in stories. The feeds of earlier batches are switched off first, so
    each run polls only its own."""
    from django.db.models import Max

    from daybook.news import sources
    from daybook.news.ingest import Ingester
    from daybook.news.models import Article, Feed

    results = []
    for path in opml:
        last = Article.objects.aggregate(top=Max("pk"))["top"] or 0
        Feed.objects.update(active=False)
        sources.import_opml(path.read_bytes())
        started = time.perf_counter()
        Ingester().run_due()
        seconds = time.perf_counter() - started
        new = Article.objects.filter(pk__gt=last)
        placed = new.filter(story__isnull=False, stage="done").count()
        results.append(Grown(path.stem, new.count(), placed, seconds))
    return results


def _child(argv: list[str]) -> None:
    """``fill SIZE PER_DAY`` or ``grow OPML...``: one JSON line on stdout."""
    import os

    parser = argparse.ArgumentParser(prog="service_corpus.py")
    commands = parser.add_subparsers(dest="command", required=True)
    filling = commands.add_parser("fill")
    filling.add_argument("size", type=int)
    filling.add_argument("per_day", type=float)
    growing = commands.add_parser("grow")
    growing.add_argument("opml", nargs="+", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    if args.command == "fill":
        filled = fill(args.size, args.per_day)
        from daybook.news.vectors import article_index

        started = time.perf_counter()
        article_index()  # saved beside the database, as a running service keeps it
        print(json.dumps({**vars(filled), "index_seconds": time.perf_counter() - started}))
    else:
        print(json.dumps([vars(g) for g in grow(args.opml)]))


if __name__ == "__main__":
    _child(sys.argv[1:])
