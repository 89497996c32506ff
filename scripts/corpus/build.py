"""Build daybook's demo corpus: invented publishers, feeds, pages, captures and ground truth.

    python scripts/corpus/build.py

reads the authored events in ``scripts/corpus/events/`` and the entity lexicon in
``scripts/corpus/entities.txt`` and rewrites ``src/daybook/demo/corpus/`` from scratch.
Republished wire copies are derived here (new headline, changed first sentence,
trimmed ending, added local paragraph) so that their differences from the original
are exactly the ones written down. Everything is deterministic: choices that look
random are taken from a hash of the article's id.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import captures
import feeds
import templates
from publishers import BY_SLUG, OPENGRAPH, PUBLISHERS, SECTIONS, Publisher
from source import Block, EventSource, read_events
from text import (
    Matcher,
    curl,
    first_sentence_end,
    load_lexicon,
    quote_text,
    render_quotes,
    slugify,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUT = REPO / "src" / "daybook" / "demo" / "corpus"
FIRST_DAY = datetime(2026, 11, 16, tzinfo=UTC)
LAST_DAY = datetime(2026, 11, 23, tzinfo=UTC)
REGIONS = ("Japan", "Asia", "Europe", "Americas", "Middle East", "Africa")
SUBJECTS = tuple(sorted(set(SECTIONS)))
FLAGS = {"tracking", "relative_link", "no_pubdate", "no_page_date", "page_missing", "robots"}
TRACKING = "?utm_source=rss&utm_medium=feed"

COMMENTS = [
    ("kaz_in_osaka", "Good to see this covered properly for once."),
    ("M. Berger", "The numbers in the fourth paragraph deserve more scrutiny."),
    ("harborwatcher", "Will there be a follow-up on how this affects ordinary families?"),
    (
        "yuki.t",
        "I read the same thing elsewhere this morning, but this version explains it better.",
    ),
    ("OldHand1962", "We have heard promises like this before. I will believe it when I see it."),
    ("paulina_r", "Clear and balanced reporting, thank you."),
    ("northbound", "Could you publish the full statement rather than extracts?"),
    ("sato_family", "Our town was mentioned last year too and nothing changed."),
    ("greenlight", "What about the environmental side of this? Not a word about it."),
    ("J. Okafor", "Interesting that nobody from the opposition was asked to comment."),
    ("tanuki77", "Thanks for the update. Stay safe everyone."),
    ("Lena K.", "The headline oversells it a little, but the article itself is fair."),
    ("commuter_jp", "This will make my morning train even more crowded, I suspect."),
    ("ridgeback", "Long overdue."),
]


@dataclass
class Event:
    id: str
    title: str
    topics: list[str]
    follows: str | None
    caption: str


@dataclass
class Article:
    key: str
    event: Event
    publisher: Publisher
    kind: str  # page | capture
    title: str
    authors: list[str]
    when: datetime  # true publication time, UTC
    raw: list[str]  # paragraphs with quote markup
    copy_of: Article | None = None
    flags: set[str] = field(default_factory=set)
    edits: list[str] = field(default_factory=list)
    capture: dict[str, str] | None = None
    # filled in by finish()
    id: str = ""
    path: str | None = None
    body: list[str] = field(default_factory=list)
    display_title: str = ""
    quotes: list[dict[str, str]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    related: list[captures.Teaser] = field(default_factory=list)
    # Written by hand for scoring summarisers; truth only, never rendered anywhere.
    reference_summary: str | None = None

    @property
    def url(self) -> str | None:
        return f"{self.publisher.origin}/{self.path}" if self.path else None

    @property
    def root(self) -> Article:
        return self.copy_of.root if self.copy_of else self

    @property
    def local(self) -> datetime:
        return self.when.astimezone(self.publisher.tz)


def pick(seed: str, count: int) -> int:
    """A stable choice in range(count) for this seed (Python's hash() is salted per run)."""
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % count


def parse_delay(text: str) -> timedelta:
    match = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", text.strip())
    if not match or not text.strip():
        raise ValueError(f"bad delay {text!r}")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(f"time without zone: {text!r}")
    return when.astimezone(UTC)


def split_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def derive_copy(original: Article, block: Block) -> tuple[list[str], list[str]]:
    """The republished text and the list of edits made to it."""
    raw = list(original.raw)
    edits = ["headline"]
    f = block.fields
    if "first" in f:
        rest = raw[0][first_sentence_end(raw[0]) :]
        raw[0] = (f["first"] + " " + rest).strip()
        edits.append("first_sentence")
    if "trim" in f:
        raw = raw[: -int(f["trim"])]
        edits.append("trimmed_ending")
    for after, paragraph in sorted(block.adds, reverse=True):
        if not 0 <= after <= len(raw):
            raise ValueError(f"{block.origin}: cannot add after paragraph {after}")
        raw.insert(after, paragraph)
    if block.adds:
        edits.append("added_paragraph")
    return raw, edits


def resolve(sources: list[EventSource]) -> tuple[list[Event], list[Article]]:
    events: list[Event] = []
    articles: list[Article] = []
    for src in sources:
        f = src.fields
        topics = split_names(f["topic"])
        unknown = [t for t in topics if t not in REGIONS and t not in SUBJECTS]
        if unknown:
            raise ValueError(f"{src.origin}: unknown topics {unknown}")
        event = Event(src.id, f["title"], topics, f.get("follows") or None, f["caption"])
        if event.follows and event.follows not in {e.id for e in events}:
            raise ValueError(f"{src.origin}: follows an unknown or later event {event.follows}")
        events.append(event)
        local: dict[str, Article] = {}
        for block in src.blocks:
            article = _article(event, block, local)
            if block.key in local:
                raise ValueError(f"{block.origin}: key used twice")
            local[block.key] = article
            articles.append(article)
    return events, articles


FIELDS = {
    "publisher",
    "when",
    "by",
    "title",
    "flags",
    "copy",
    "delay",
    "first",
    "trim",
    "summary",
}
CAPTURE_FIELDS = {"capture", "of", "style", "shown"}


def _article(event: Event, block: Block, local: dict[str, Article]) -> Article:
    f = block.fields
    unknown = set(f) - FIELDS - CAPTURE_FIELDS
    if unknown:
        raise ValueError(f"{block.origin}: unknown fields {sorted(unknown)}")
    if "summary" in f and ("capture" in f or "copy" in f):
        # A copy or capture shares an original's text: its reference is the original's.
        raise ValueError(f"{block.origin}: only an original article takes a summary")
    flags = set(split_names(f.get("flags", "")))
    if flags - FLAGS:
        raise ValueError(f"{block.origin}: unknown flags {flags - FLAGS}")
    if "capture" in f:
        article = _capture(event, block, local)
    elif "copy" in f:
        original = local[f["copy"]]
        if original.copy_of is not None:
            raise ValueError(f"{block.origin}: copy of a copy")
        raw, edits = derive_copy(original, block)
        article = Article(
            key=block.key,
            event=event,
            publisher=BY_SLUG[f["publisher"]],
            kind="page",
            title=f["title"],
            authors=split_names(f["by"]) if "by" in f else original.authors,
            when=original.when + parse_delay(f["delay"]),
            raw=raw,
            copy_of=original,
            edits=edits,
        )
    else:
        article = Article(
            key=block.key,
            event=event,
            publisher=BY_SLUG[f["publisher"]],
            kind="page",
            title=f["title"],
            authors=split_names(f.get("by", "")),
            when=parse_when(f["when"]),
            raw=block.paragraphs,
            reference_summary=f.get("summary") or None,
        )
    article.flags = flags
    return article


def _capture(event: Event, block: Block, local: dict[str, Article]) -> Article:
    """A capture of an article of the event (same text), or one that exists only as a capture."""
    f = block.fields
    if "of" in f:
        base = local[f["of"]]
        article = Article(
            key=block.key,
            event=event,
            publisher=base.publisher,
            kind="capture",
            title=base.title,
            authors=base.authors,
            when=base.when,
            raw=base.raw,
            copy_of=base.root,
            edits=base.edits,
        )
    else:
        article = Article(
            key=block.key,
            event=event,
            publisher=BY_SLUG[f["publisher"]],
            kind="capture",
            title=f["title"],
            authors=split_names(f.get("by", "")),
            when=parse_when(f["when"]),
            raw=block.paragraphs,
        )
    article.capture = {k: f[k] for k in ("capture", "style", "shown")}
    return article


def section_of(event: Event) -> str:
    for topic in event.topics:
        if topic in SECTIONS:
            return SECTIONS[topic]
    return "world"


def finish(
    articles: list[Article], matcher: Matcher, kinds: dict[str, str], strict: bool = True
) -> None:
    """Render text, find entities and quotes, and give every article its path and id."""
    paths: set[tuple[str, str]] = set()
    ids: set[str] = set()
    for article in articles:
        plain, marked = render_quotes(article.raw)
        found = matcher.find(article.title + "\n" + "\n".join(plain))
        article.people = [e.name for e in found if e.kind == "person"]
        article.organisations = [e.name for e in found if e.kind == "org"]
        article.places = [e.name for e in found if e.kind == "place"]
        style = curl if article.publisher.curly else (lambda s: s)
        article.body = [style(p) for p in plain]
        article.display_title = style(article.title)
        for quote in marked:
            if not strict:
                continue
            if kinds.get(quote.speaker) != "person":
                raise ValueError(
                    f"{article.key} in {article.event.id}: unknown speaker {quote.speaker}"
                )
            if quote.speaker not in article.people:
                raise ValueError(f"{article.key} in {article.event.id}: {quote.speaker} not named")
            article.quotes.append(
                {"text": quote_text(article.body, quote), "speaker": quote.speaker}
            )
        if not FIRST_DAY <= article.when < LAST_DAY:
            raise ValueError(f"{article.key} in {article.event.id}: {article.when} out of range")
        if article.kind == "capture":
            assert article.capture is not None
            article.id = f"capture/{article.capture['capture']}"
        else:
            slug = slugify(article.title)
            path = article.publisher.path_of(article.local, section_of(article.event), slug)
            if "no_page_date" in article.flags:
                # A dated URL would give the date away: truth says this article has none.
                path = f"{path.split('/')[0]}/{slug}.html"
            if "robots" in article.flags:
                path = "premium/" + path
            while (article.publisher.slug, path) in paths:
                path = path.replace(".html", "-2.html")
            paths.add((article.publisher.slug, path))
            article.path = path
            article.id = f"{article.publisher.slug}/{path.removesuffix('.html')}"
        if article.id in ids:
            raise ValueError(f"duplicate id {article.id}")
        ids.add(article.id)


def summary(article: Article) -> str:
    first = article.body[0]
    return first[: first_sentence_end(first)].strip()


def paragraphs_html(article: Article) -> str:
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in article.body)


def pages_of(pub: Publisher, articles: list[Article]) -> list[Article]:
    mine = [a for a in articles if a.publisher is pub and a.kind == "page"]
    return sorted(mine, key=lambda a: (a.when, a.id), reverse=True)


def related_pages(article: Article, pool: list[Article]) -> list[tuple[str, str]]:
    others = [a for a in pool if a is not article and "page_missing" not in a.flags]
    others.sort(key=lambda a: (abs((a.when - article.when).total_seconds()), a.id))
    return [(a.display_title, a.url or "") for a in others[:4]]


def comments_for(article: Article) -> list[tuple[str, str]]:
    count = pick(article.id + "#n", 4)
    start = pick(article.id, len(COMMENTS))
    return [COMMENTS[(start + 3 * i) % len(COMMENTS)] for i in range(count)]


def topic_links(article: Article) -> dict[str, str]:
    if article.publisher.slug not in {"tokyolantern", "sentinel", "bitstream"}:
        return {}
    return {name: f"/topics/{slugify(name, 10)}/" for name in article.organisations}


def write_site(pub: Publisher, articles: list[Article]) -> None:
    root = OUT / "sites" / pub.slug
    mine = pages_of(pub, articles)
    for article in mine:
        if "page_missing" in article.flags:
            continue
        assert article.path is not None and article.url is not None
        page = templates.Page(
            pub=pub,
            title=article.display_title,
            authors=article.authors,
            credit=article.root.publisher.name if article.copy_of else None,
            published=None if "no_page_date" in article.flags else article.local,
            caption=article.event.caption,
            paragraphs=article.body,
            url=article.url,
            section=section_of(article.event),
            summary=summary(article),
            related=related_pages(article, mine),
            comments=comments_for(article),
            topics=article.event.topics,
            links=topic_links(article),
        )
        target = root / article.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(templates.TEMPLATES[pub.slug](page), "utf-8")
    items = []
    for article in mine:
        assert article.path is not None and article.url is not None
        link = article.url
        if "tracking" in article.flags:
            link += TRACKING
        if "relative_link" in article.flags:
            link = "/" + article.path
        full = pub.full_text_feed or "page_missing" in article.flags
        items.append(
            feeds.Item(
                title=article.display_title,
                link=link,
                guid=f"{pub.host}-{hashlib.sha256(article.id.encode()).hexdigest()[:12]}",
                published=None if "no_pubdate" in article.flags else article.local,
                authors=article.authors,
                categories=article.event.topics,
                summary=article.body[0],
                content_html=paragraphs_html(article) if full else None,
            )
        )
    built = mine[0].when
    render = feeds.atom if pub.feed_kind == "atom" else feeds.rss
    feed_file = root / pub.feed.lstrip("/")
    feed_file.parent.mkdir(parents=True, exist_ok=True)
    feed_file.write_text(render(pub, items, built), "utf-8")
    latest = [(a.display_title, a.url or "", summary(a)) for a in mine[:25]]
    link = f"{pub.origin}{pub.feed}" if pub.discoverable else None
    (root / "index.html").write_text(templates.home(pub, latest, link), "utf-8")
    blocked = "Disallow: /premium/\n" if any("robots" in a.flags for a in mine) else ""
    robots = f"User-agent: *\n{blocked}Disallow: /search/\nDisallow: /account/\n"
    (root / "robots.txt").write_text(robots, "utf-8")


def age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(1, int(delta.total_seconds() // 60))} minutes ago"
    if hours < 24:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    days = hours // 24
    return "1 day ago" if days == 1 else f"{days} days ago"


def capture_now(article: Article) -> datetime:
    """The moment the capture was taken: what its relative ages count back from."""
    assert article.capture is not None
    shown = article.capture["shown"]
    match = re.fullmatch(r"(\d+) hours? ago", shown)
    if match:
        return article.when + timedelta(hours=int(match.group(1)))
    return article.when + timedelta(hours=7)


def capture_published(article: Article) -> tuple[str | None, str | None]:
    """(published, published_date) as the capture gives them: a date only, or nothing."""
    assert article.capture is not None
    match = re.fullmatch(r"(\d\d)-(\d\d)-(\d{4})", article.capture["shown"])
    if not match:
        return None, None
    day, month, year = match.groups()
    shown_date = f"{year}-{month}-{day}"
    if shown_date != article.local.date().isoformat():
        raise ValueError(f"{article.id}: shown date {shown_date} is not the local publication date")
    return f"{shown_date}T00:00:00Z", shown_date


def write_captures(articles: list[Article]) -> None:
    pages = [a for a in articles if a.kind == "page" and "page_missing" not in a.flags]
    folder = OUT / "captures"
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        if article.kind != "capture":
            continue
        assert article.capture is not None
        now = capture_now(article)
        # Other coverage of the same story first, then of the same topics; never a second
        # copy of this article's own text, and one teaser per original text.
        pool = [a for a in pages if a.root is not article.root and a.when <= now]
        pool.sort(
            key=lambda a: (
                a.event is not article.event,
                not set(a.event.topics) & set(article.event.topics),
                now - a.when,
                a.id,
            )
        )
        chosen: list[Article] = []
        for candidate in pool:
            if all(c.root is not candidate.root for c in chosen):
                chosen.append(candidate)
            if len(chosen) == 3:
                break
        article.related = [
            captures.Teaser(a.display_title, a.publisher.name, age(now - a.when), a.body[0])
            for a in chosen
        ]
        text = captures.render(
            captures.Capture(
                style=article.capture["style"],
                publisher=article.publisher.name,
                title=article.display_title,
                shown=article.capture["shown"],
                caption=article.event.caption,
                authors=article.authors,
                paragraphs=article.body,
                related=article.related,
            )
        )
        (folder / f"{article.capture['capture']}.txt").write_text(text, "utf-8")


def truth(events: list[Event], articles: list[Article]) -> dict[str, object]:
    def entry(a: Article) -> dict[str, object]:
        published: str | None = a.when.strftime("%Y-%m-%dT%H:%M:%SZ")
        extra: dict[str, object] = {}
        if a.kind == "capture":
            assert a.capture is not None
            published, day = capture_published(a)
            extra = {
                "published_date": day,
                "age": None if day else a.capture["shown"],
                "related": [t.__dict__ for t in a.related],
            }
        elif {"no_pubdate", "no_page_date"} <= a.flags:
            published = None
        if a.kind == "capture":
            file = f"captures/{a.capture['capture'] if a.capture else ''}.txt"
        elif "page_missing" in a.flags:
            file = f"sites/{a.publisher.slug}{a.publisher.feed}"
        else:
            file = f"sites/{a.publisher.slug}/{a.path}"
        return {
            "id": a.id,
            "publisher": a.publisher.slug,
            "kind": a.kind,
            "url": a.url,
            "file": file,
            "in_feed": a.kind == "page",
            "page_missing": "page_missing" in a.flags,
            "robots_blocked": "robots" in a.flags,
            "title": a.display_title,
            "published": published,
            "authors": a.authors,
            "event": a.event.id,
            "copy_of": a.copy_of.id if a.copy_of else None,
            "edits": a.edits,
            "people": a.people,
            "organisations": a.organisations,
            "places": a.places,
            "quotes": a.quotes,
            "topics": a.event.topics,
            "body": a.body,
            "reference_summary": a.reference_summary,
            **extra,
        }

    def flagged(flag: str) -> list[str]:
        return [a.id for a in articles if flag in a.flags]

    return {
        "generated_by": "scripts/corpus/build.py",
        "notes": [
            "published is UTC. For captures it is the date the capture shows at 00:00Z "
            "(published_date holds that date), or null when the capture shows only an age.",
            "copy_of names the earliest article a text derives from; a capture of a page "
            "points at that page's original. edits lists what a copy changed.",
            "Quotes that run over two paragraphs are recorded as one quote whose text joins "
            "the two parts with a space.",
            "reference_summary is a two-to-three-sentence summary written by hand for many "
            "independently written articles (abstractive, faithful, no opinion), to score "
            "generated summaries against; it is null for the others and for every copy and "
            "capture, and appears in no page, feed or capture.",
        ],
        "edge_cases": {
            "page_missing": flagged("page_missing"),
            "robots_blocked": flagged("robots"),
            "tracking_parameters": flagged("tracking"),
            "relative_link": flagged("relative_link"),
            "no_pubdate": flagged("no_pubdate"),
            "no_date_anywhere": [
                a.id for a in articles if {"no_pubdate", "no_page_date"} <= a.flags
            ],
            "feed_not_advertised": [p.slug for p in PUBLISHERS if not p.discoverable],
            "full_text_feed": [p.slug for p in PUBLISHERS if p.full_text_feed],
        },
        "publishers": [
            {
                "slug": p.slug,
                "name": p.name,
                "origin": p.origin,
                "feed": p.feed,
                "feed_kind": p.feed_kind,
                "discoverable": p.discoverable,
                "jsonld": p.metadata == "jsonld",
                "opengraph": p.slug in OPENGRAPH,
                "timezone": p.tz_text,
            }
            for p in PUBLISHERS
        ],
        "events": [
            {"id": e.id, "title": e.title, "topic": e.topics, "follows": e.follows} for e in events
        ],
        "articles": [entry(a) for a in sorted(articles, key=lambda a: (a.when, a.id))],
    }


def load(strict: bool = True) -> tuple[list[Event], list[Article], Matcher]:
    lexicon = load_lexicon((HERE / "entities.txt").read_text("utf-8"))
    matcher = Matcher(lexicon)
    events, articles = resolve(read_events(HERE / "events"))
    finish(articles, matcher, {e.name: e.kind for e in lexicon}, strict)
    return events, articles, matcher


def main() -> int:
    events, articles, _ = load()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for pub in PUBLISHERS:
        write_site(pub, articles)
    write_captures(articles)
    data = truth(events, articles)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    (OUT / "truth.json").write_text(text, "utf-8")
    pages = sum(a.kind == "page" for a in articles)
    copies = sum(a.copy_of is not None for a in articles)
    quotes = sum(len(a.quotes) for a in articles)
    print(
        f"{len(PUBLISHERS)} publishers, {len(events)} events, {len(articles)} articles "
        f"({pages} pages, {len(articles) - pages} captures, {copies} copies), {quotes} quotes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
