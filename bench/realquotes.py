"""How daybook's quote and entity stages do on real news pages, against hand annotations.

The pages are 24 news articles among Mozilla Readability's test pages, read at run time
from ``../shared/corpora/readability-test-pages/`` (other people's text: it never
enters the project). ``bench/realquotes_facts.json`` holds what a careful reader noted
on each, as facts only: for every direct quotation its paragraph and speaker (or the
description of an unnamed source), and the people, organisations and places the
article names. Its ``about`` says how it was made.

Paragraphs: a page's ``expected.html`` (what Readability extracts) parsed with
lxml.html, each block element (``p``, ``h2``-``h6``, ``li``, ``blockquote``, ``pre``)
one paragraph, its text whitespace-collapsed, in document order; empty ones are
dropped, a block holding other blocks gives way to them (a ``blockquote`` of ``p``s
is its ``p``s), and nothing inside a ``figure`` or ``figcaption`` counts. The facts'
paragraph indexes (0-based) are into this list, so changing it means annotating again.

daybook reads the paragraphs as ingest does: ``find_mentions``, then a fresh
``EntityRegistry().resolve`` (one article, no collection behind it), then
``extract_quotes``. Printed, per page and in total:

- quote recall: the share of annotated quotes daybook found, that is, it has a quote
  starting in the quote's paragraph (or its annotated span). Several in a paragraph
  pair off one to one in order, quotes of four words or more first; daybook keeps no
  quote shorter than that (``quotes.MIN_WORDS``), so recall is also given over those.
  ``extra``: daybook's quotes that match none (scare quotes, titles, signs).
- speaker precision: of the found quotes to which daybook gives a named speaker, the
  share where it is the annotated one (case and accents folded; the annotated name,
  another name the facts give the same entity, or a person's surname). ``wrong``:
  found quotes with a named speaker that is not it; ``none``: found quotes daybook left
  without a name where the annotation has one; ``unnamed``: annotated unnamed sources
  daybook marked unnamed, of those found.
- attributed: the share of annotated quotes found with the right speaker (the named
  one, unnamed for an unnamed source, no name when the article gives none).
- person entities: precision and recall of daybook's ``person`` entities (their name
  or aliases, or the surname) against the annotated people, leaving out entities that
  are a page's author or photo credit (``credited``: finding them is neither right nor
  wrong); organisations and places the same, by exact name, over the pages annotated
  for them.

Then the worst pages: lowest quote recall, most wrong speakers. ``--verbose`` lists
each mismatch: paragraph, annotated speaker, daybook's speaker, and the entities
missed or extra (names only, never quoted words).

    PYTHONPATH=src .venv/bin/python bench/realquotes.py [--pages DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html

from daybook.ai.entities import Entity, EntityRegistry, Kind, find_mentions
from daybook.ai.quotes import Quote, extract_quotes
from daybook.text.script import strip_invisible

PAGES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "readability-test-pages"
FACTS = Path(__file__).with_name("realquotes_facts.json")
BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")
CAPTIONS = frozenset({"figure", "figcaption"})
ENTITY_KEYS: dict[str, Kind] = {
    "people": "person",
    "organisations": "organisation",
    "places": "place",
}
"""The facts' key for each kind of entity daybook makes."""

Names = tuple[str, ...]
"""One entity's names as the facts give them: its full name first, then any others."""


@dataclass(frozen=True)
class Annotated:
    """One annotated quotation."""

    paragraph: int
    end_paragraph: int
    speaker: str | None
    unnamed: str | None
    short: bool


@dataclass(frozen=True)
class Page:
    """A page's annotations: its quotes, and its entities by kind (a kind absent when
    the page was not annotated for it)."""

    quotes: tuple[Annotated, ...]
    entities: dict[Kind, tuple[Names, ...]]
    credited: tuple[str, ...] = ()
    """Authors and photo credits the text names: daybook is neither right nor wrong to
    make people of them."""

    def names_of(self, name: str) -> Names:
        """Every name the facts give the entity called ``name``, so an organisation
        quoted as "Whole Foods Market" may be found as "Whole Foods"."""
        for groups in self.entities.values():
            for group in groups:
                if any(fold(n) == fold(name) for n in group):
                    return group
        return (name,)


@dataclass(frozen=True)
class Pair:
    """An annotated quote and what daybook found for it (None: missed)."""

    annotated: Annotated
    found: Quote | None


@dataclass
class Tally:
    """Counts over one page or all of them."""

    annotated: int = 0
    found: int = 0
    long_annotated: int = 0
    long_found: int = 0
    extra: int = 0
    named: int = 0
    right: int = 0
    wrong: int = 0
    no_speaker: int = 0
    unnamed_asked: int = 0
    unnamed_right: int = 0
    attributed: int = 0
    entities: dict[Kind, EntityTally] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        for kind, counts in other.entities.items():
            self.entities.setdefault(kind, EntityTally()).add(counts)


@dataclass
class EntityTally:
    """Entity counts of one kind: daybook's entities, those that are an annotated one,
    the annotated ones, and those daybook found."""

    made: int = 0
    made_right: int = 0
    annotated: int = 0
    annotated_found: int = 0

    def add(self, other: EntityTally) -> None:
        self.made += other.made
        self.made_right += other.made_right
        self.annotated += other.annotated
        self.annotated_found += other.annotated_found


def paragraphs(html: str) -> list[str]:
    """The paragraphs the facts' indexes count, as the module docstring defines them."""
    root = lxml.html.fromstring(html)
    found = []
    for element in root.iter(*BLOCKS):
        if any(ancestor.tag in CAPTIONS for ancestor in element.iterancestors()):
            continue
        if any(inner.tag in BLOCKS for inner in element.iterdescendants()):
            continue  # its inner blocks are paragraphs of their own
        # Soft hyphens go, as daybook's normalisation removes them from every page.
        text = " ".join(strip_invisible(element.text_content()).split())
        if text:
            found.append(text)
    return found


def fold(name: str) -> str:
    """A name compared without case, accents or invisible characters (a soft hyphen
    splits "Netan­yahu" in one page), its apostrophes straightened and a leading "the"
    dropped, as daybook drops it ("The Hague" is "Hague")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))
    words = kept.casefold().split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


def is_named(got: str, names: Names, *, person: bool) -> bool:
    """Whether daybook's name is one of the entity's names, or for a person the
    surname of one of several words."""
    key, folded = fold(got), [fold(name) for name in names]
    return key in folded or (person and any(" " in n and n.split()[-1] == key for n in folded))


def read_facts(path: Path) -> dict[str, Page]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {folder: _page(facts) for folder, facts in raw["pages"].items()}


def _page(facts: dict[str, Any]) -> Page:
    quotes = tuple(
        Annotated(
            paragraph=q["paragraph"],
            end_paragraph=q.get("end_paragraph", q["paragraph"]),
            speaker=q["speaker"],
            unnamed=q["unnamed"],
            short=q.get("short", False),
        )
        for q in facts["quotes"]
    )
    entities = {
        kind: tuple(_names(item) for item in facts[key])
        for key, kind in ENTITY_KEYS.items()
        if key in facts
    }
    return Page(quotes, entities, tuple(facts.get("credited", ())))


def _names(item: str | list[str]) -> Names:
    return (item,) if isinstance(item, str) else tuple(item)


def pair_quotes(annotated: Sequence[Annotated], found: Sequence[Quote]) -> list[Pair]:
    """Each annotated quote with the daybook quote that starts in its span, one to one
    in reading order; quotes of four words or more pick first, so a short fragment
    beside a full quote in one paragraph does not take the quote daybook found for it."""
    taken: set[int] = set()
    chosen: dict[int, Quote] = {}
    ranked = sorted(range(len(annotated)), key=lambda i: annotated[i].short)  # stable
    for index in ranked:
        quote = annotated[index]
        for number, candidate in enumerate(found):
            if number not in taken and (
                quote.paragraph <= candidate.paragraph <= quote.end_paragraph
            ):
                taken.add(number)
                chosen[index] = candidate
                break
    return [Pair(quote, chosen.get(i)) for i, quote in enumerate(annotated)]


def speaker_right(pair: Pair, page: Page) -> bool:
    """Whether daybook's named speaker is the annotated one."""
    got, want = pair.found.speaker if pair.found else None, pair.annotated.speaker
    return got is not None and want is not None and is_named(got, page.names_of(want), person=True)


def attributed(pair: Pair, page: Page) -> bool:
    """Whether the quote was found with the right speaker: the named one, an unnamed
    source for an unnamed one, nobody when the article says nobody."""
    found, want = pair.found, pair.annotated
    if found is None:
        return False
    if want.speaker is not None:
        return speaker_right(pair, page)
    if want.unnamed is not None:
        return found.speaker is None and found.unnamed is not None
    return found.speaker is None


def score_quotes(tally: Tally, pairs: Sequence[Pair], found: int, page: Page) -> None:
    tally.annotated += len(pairs)
    tally.found += sum(p.found is not None for p in pairs)
    tally.long_annotated += sum(not p.annotated.short for p in pairs)
    tally.long_found += sum(not p.annotated.short and p.found is not None for p in pairs)
    tally.extra += found - sum(p.found is not None for p in pairs)
    for pair in pairs:
        tally.attributed += attributed(pair, page)
        if pair.found is None:
            continue
        if pair.found.speaker is not None:
            tally.named += 1
            right = speaker_right(pair, page)
            tally.right += right
            tally.wrong += not right
        elif pair.annotated.speaker is not None:
            tally.no_speaker += 1
        if pair.annotated.unnamed is not None:
            tally.unnamed_asked += 1
            tally.unnamed_right += pair.found.unnamed is not None


def score_entities(
    tally: Tally, page: Page, entities: Sequence[Entity]
) -> dict[Kind, tuple[list[str], list[str]]]:
    """Count daybook's entities of each annotated kind against the facts; return, per
    kind, the annotated names it missed and its names that are none of them."""
    misses: dict[Kind, tuple[list[str], list[str]]] = {}
    for kind, groups in page.entities.items():
        person = kind == "person"
        made = [
            e for e in entities if e.kind == kind and not _entity_is(e, page.credited, person=False)
        ]
        hits = [[g for g in groups if _entity_is(e, g, person=person)] for e in made]
        found = [g for g in groups if any(g in h for h in hits)]
        counts = tally.entities.setdefault(kind, EntityTally())
        counts.made += len(made)
        counts.made_right += sum(bool(h) for h in hits)
        counts.annotated += len(groups)
        counts.annotated_found += len(found)
        missed = [g[0] for g in groups if g not in found]
        spurious = [e.name for e, h in zip(made, hits, strict=True) if not h]
        misses[kind] = (missed, spurious)
    return misses


def _entity_is(entity: Entity, names: Names, *, person: bool) -> bool:
    return any(is_named(name, names, person=person) for name in (entity.name, *entity.aliases))


def run_page(folder: Path, page: Page, verbose: bool) -> tuple[Tally, list[str]]:
    """Score one page; return its tally and the lines ``--verbose`` prints for it."""
    text = paragraphs((folder / "expected.html").read_text(encoding="utf-8"))
    highest = max((q.end_paragraph for q in page.quotes), default=-1)
    if highest >= len(text):
        raise SystemExit(f"{folder.name}: {len(text)} paragraphs, facts point at {highest}")
    mentions = find_mentions(text)
    entities = EntityRegistry().resolve(mentions)
    found = extract_quotes(text, entities, mentions)
    pairs = pair_quotes(page.quotes, found)
    tally = Tally()
    score_quotes(tally, pairs, len(found), page)
    misses = score_entities(tally, page, entities)
    return tally, _details(pairs, found, misses, page) if verbose else []


def _details(
    pairs: Sequence[Pair],
    found: Sequence[Quote],
    misses: dict[Kind, tuple[list[str], list[str]]],
    page: Page,
) -> list[str]:
    """Where daybook and the facts disagree, as indexes and names."""
    lines = []
    for pair in pairs:
        want = pair.annotated
        wanted = want.speaker or (f"unnamed: {want.unnamed}" if want.unnamed else "nobody")
        if pair.found is None:
            lines.append(f"¶{want.paragraph:<3} missed{' (short)' if want.short else ''}: {wanted}")
        elif not attributed(pair, page):
            got = pair.found.speaker or (
                f"unnamed: {pair.found.unnamed}" if pair.found.unnamed else "nobody"
            )
            lines.append(f"¶{want.paragraph:<3} speaker {wanted!r}, daybook {got!r}")
    matched = {id(p.found) for p in pairs if p.found is not None}
    for quote in found:
        if id(quote) not in matched:
            lines.append(f"¶{quote.paragraph:<3} extra quote, daybook speaker {quote.speaker!r}")
    for kind, (missed, spurious) in misses.items():
        if missed:
            lines.append(f"{kind} missed: {', '.join(missed)}")
        if spurious:
            lines.append(f"{kind} extra: {', '.join(spurious)}")
    return lines


def share(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def row(name: str, t: Tally) -> str:
    person = t.entities.get("person", EntityTally())
    return (
        f"{name:<28} {t.annotated:>4} {share(t.found, t.annotated):>6} "
        f"{share(t.long_found, t.long_annotated):>6} {t.extra:>5} "
        f"{share(t.right, t.named):>6} {t.wrong:>5} {t.no_speaker:>5} "
        f"{t.unnamed_right:>3}/{t.unnamed_asked:<3} {share(t.attributed, t.annotated):>6} "
        f"{share(person.made_right, person.made):>6} "
        f"{share(person.annotated_found, person.annotated):>6}"
    )


HEADER = (
    f"{'page':<28} {'qts':>4} {'recall':>6} {'R>=4w':>6} {'extra':>5} "
    f"{'spk P':>6} {'wrong':>5} {'none':>5} {'unnamed':>7} {'attrib':>6} "
    f"{'pers P':>6} {'pers R':>6}"
)


def print_totals(total: Tally, pages: int) -> None:
    print(f"\ntotal over {pages} pages:")
    print(
        f"  quote recall           {share(total.found, total.annotated)} "
        f"({total.found}/{total.annotated}); of four words or more "
        f"{share(total.long_found, total.long_annotated)} "
        f"({total.long_found}/{total.long_annotated})"
    )
    print(f"  extra daybook quotes   {total.extra}")
    print(
        f"  speaker precision      {share(total.right, total.named)} "
        f"({total.right}/{total.named}); wrong named speaker {total.wrong}, "
        f"no speaker where one is annotated {total.no_speaker}"
    )
    print(
        f"  unnamed sources        {total.unnamed_right}/{total.unnamed_asked} found marked unnamed"
    )
    print(
        f"  attributed accuracy    {share(total.attributed, total.annotated)} "
        f"({total.attributed}/{total.annotated})"
    )
    for kind, t in total.entities.items():
        print(
            f"  {kind + ' entities':<22} P {share(t.made_right, t.made)} "
            f"({t.made_right}/{t.made})  R {share(t.annotated_found, t.annotated)} "
            f"({t.annotated_found}/{t.annotated})"
        )


def print_worst(tallies: dict[str, Tally], count: int) -> None:
    """The pages to read first: by quote recall, by attributed accuracy, by wrong
    speakers."""
    quoted = {name: t for name, t in tallies.items() if t.annotated}
    _worst(
        "lowest quote recall",
        quoted,
        count,
        lambda t: t.found / t.annotated,
        lambda t: f"{t.found} of {t.annotated} found",
    )
    _worst(
        "lowest attributed accuracy",
        quoted,
        count,
        lambda t: t.attributed / t.annotated,
        lambda t: f"{t.attributed} of {t.annotated} found with the right speaker",
    )
    _worst(
        "most wrong named speakers",
        {name: t for name, t in quoted.items() if t.wrong},
        count,
        lambda t: -t.wrong,
        lambda t: f"{t.wrong} of {t.named} named speakers wrong",
    )


def _worst(
    heading: str,
    tallies: dict[str, Tally],
    count: int,
    order: Callable[[Tally], float],
    show: Callable[[Tally], str],
) -> None:
    print(f"\n{heading}:")
    for name in sorted(tallies, key=lambda n: order(tallies[n]))[:count]:
        print(f"  {name:<28} {show(tallies[name])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--facts", type=Path, default=FACTS)
    parser.add_argument("--worst", type=int, default=6, help="pages listed")
    parser.add_argument("--verbose", action="store_true", help="list each mismatch")
    args = parser.parse_args()
    if not args.pages.is_dir():
        print(f"{args.pages} is not there: this bench reads the real pages from ../shared; skipped")
        return
    facts = read_facts(args.facts)
    tallies: dict[str, Tally] = {}
    details: dict[str, list[str]] = {}
    for name, page in sorted(facts.items()):
        tallies[name], details[name] = run_page(args.pages / name, page, args.verbose)
    print(f"{len(facts)} annotated pages from {args.pages}\n")
    print(HEADER)
    total = Tally()
    for name, tally in tallies.items():
        print(row(name, tally))
        total.add(tally)
    print(row("total", total))
    print_totals(total, len(tallies))
    for kind in ("organisation", "place"):
        pages = [n for n, t in tallies.items() if kind in t.entities]
        print(f"  ({kind}s annotated on {len(pages)} pages)")
    print_worst(tallies, args.worst)
    if args.verbose:
        _print_details(details)


def _print_details(details: dict[str, list[str]]) -> None:
    for name, lines in details.items():
        if lines:
            print(f"\n{name}:")
            print("\n".join(f"  {line}" for line in lines))


if __name__ == "__main__":
    main()
