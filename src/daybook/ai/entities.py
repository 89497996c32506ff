"""Named entities of an article, with one canonical name across the whole collection.

Two steps, kept apart so each can be tested alone:

1. ``find_mentions`` reads the paragraphs: spaCy's NER proposes spans, then rules clean
   them. The small English model is fast but rough: it keeps possessives and titles
   ("President Donald Trump's"), tags cities as people or organisations (Kyiv, Sendai),
   misses some names outright (most lone surnames among them) and calls companies
   people. So spans lose a leading "the", titles and a trailing "'s"; "Toyota President
   Akio Toyoda" is split into the company and the person; a gazetteer of countries,
   regions and major cities settles the kind of those names, and context does for
   others ("in Chitose", "Chitose, Hokkaido"); suffixes such as "Ministry", "Corp" or
   "University" mark organisations and "Prefecture", "Bay" or "Strait" places.
   Numbers, dates, codes, storms, events and all-lowercase spans are dropped. Names the
   model missed are added: gazetteer places and common abbreviations, capitalised runs
   ending in an organisation or place word ("East Japan Railway"), and every other
   occurrence of a name (or a person's surname) the article uses somewhere.

2. ``EntityRegistry.resolve`` turns one article's mentions into entities. Within the
   article a surname or first name used after the full name is that person, an
   acronym or a leading part of an organisation's name ("JAXA", "Hoshimi" for
   "Hoshimi Devices") is that organisation, common abbreviations map to one name
   ("U.S." -> "United States"), and spelling variants (Zelenskyy / Zelenskiy) merge.
   Each entity is then matched to the collection's canonical entities: by an exact
   alias, or by a safe fuzzy match of the same kind, or registered as new. Across
   articles a bare surname never matches on its own: two Smiths in two articles are two
   people unless their full names agree.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from rapidfuzz import fuzz, process

from daybook.ai.nlp import load_nlp
from daybook.text import places
from daybook.text.wordlists import WordLists

log = logging.getLogger(__name__)

METHOD = "spacy-en_core_web_sm-3.8+rules@3"
"""Stored with each article's entities; change it when the rules change."""

Kind = Literal["person", "organisation", "place"]
KINDS: tuple[Kind, ...] = ("person", "organisation", "place")


@dataclass(frozen=True)
class Mention:
    """One cleaned name in the text: ``start``/``end`` are character offsets within
    paragraph number ``paragraph`` (0-based), and ``text == paragraph[start:end]``."""

    text: str
    kind: Kind
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """An entity of one article: its canonical name across the collection, how often the
    article names it and the surface forms it uses."""

    name: str
    kind: Kind
    count: int
    aliases: tuple[str, ...]
    spelling: str = ""
    """The article's own spelling of the full name: evidence for the canonical one."""
    key: int | None = None
    """The caller's id of the entity, when the registry learned it with one."""


class KnownEntity(NamedTuple):
    """A canonical entity of the collection as the caller stores it. A plain tuple, so
    ``EntityRegistry(registry.entries())`` rebuilds a registry from its own output."""

    name: str
    kind: Kind
    aliases: tuple[str, ...]


# --- the rules' word lists ---------------------------------------------------------

LISTS = WordLists(__name__)
"""The word lists the rules read (``entities.toml`` beside this module)."""

_LABELS: dict[str, Kind] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}
# Labels kept only when the name is a place, by the gazetteer or by its context ("in
# Chitose"): the small model tags places as groups, products or works ("Chitose" NORP).
_ONLY_IF_KNOWN_PLACE = frozenset({"NORP", "PRODUCT", "WORK_OF_ART", "EVENT"})

# Places whatever the model says: the gazetteer's prominent places (countries,
# capitals, cities of 300,000, subdivisions, regions and seas), by every form.
_PLACES = [place for place in places.places() if place.prominent]
_ALIASES: dict[str, tuple[str, Kind]] = {
    form: (place.name, "place") for place in _PLACES for form in place.forms
} | {
    form: (name, "organisation")
    for name, others in LISTS.table("organisation_aliases").items()
    for form in (name, *others)
}

_CORE_TITLES = LISTS.words("core_titles")
_TITLE_MODIFIERS = LISTS.words("title_modifiers")
_PLACE_TITLES = LISTS.words("place_titles")
_ORG_WORDS = LISTS.words("org_words")
_PLACE_WORDS = LISTS.words("place_words")
_ADMIN_WORDS = LISTS.words("admin_words")
_EVENT_WORDS = LISTS.words("event_words")
_PRODUCT_WORDS = LISTS.words("product_words")
_STORM_WORDS = LISTS.words("storm_words")
_LEGAL_FORMS = LISTS.words("legal_forms")
_INSTITUTIONS = LISTS.words("institutions")
_NOT_NAMES = LISTS.words("not_names")
_LEADING = LISTS.words("leading")
_NAME_STOPWORDS = _LEADING | _CORE_TITLES | _TITLE_MODIFIERS | LISTS.words("name_stopwords")
_COMPASS = re.compile(r"^(?:north|south|east|west|(?:north|south)-?(?:east|west))ern$")
_PREPOSITIONS_OF_PLACE = frozenset({"in", "near", "outside", "across", "around", "inside"})
_JOINERS = frozenset({"of", "for", "and", "the", "on", "de", "du", "des", "la", "le", "&"})
_PLACE_CONNECTORS = frozenset({"for", "to", "from", "and", "via", "near"})

_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_EDGE_PUNCT = ",;:!?\"“”‘’'()[]{}—–-"
_WORD = re.compile(r"\S+")
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,6}$")
_FOLD = str.maketrans({"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "đ": "d"})
# "Foreign Ministry" is the "Ministry of Foreign Affairs".
_PORTFOLIOS = {"foreign": "foreign affairs", "home": "home affairs"}
# "Ministry of Health, Labour and Welfare": the model stops at the comma.
_PORTFOLIO_LIST = re.compile(r"(?:, [A-Z][\w'’-]*)*,? and [A-Z][\w'’-]*")
# A capitalised word right before a one-word person: the given name the model missed.
_GIVEN_NAME_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z\u00c0-\u024f'’-]+) $")
# A capitalised word right before a position, and nothing else between.
_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*) $")
# "Ministry of " + a span "Economy, Trade and Industry": the model left the head out.
_HEAD_BEFORE = re.compile(r"\b(?:Ministry|Department|Bank|University|Institute) of $")
# " Minister" right after a span: the span was a portfolio.
_MINISTER_AFTER = re.compile(r" (?:Minister|Secretary)\b")
# '"...," said ' right before a name.
_SAID_BEFORE = re.compile(r"[”\"],?\s+(?:said|says|added|told|according\s+to)\s+$")
# ", Hokkaido" after a town's name, and not the start of a longer name.
_REGION_AFTER = re.compile(r", ([A-Z][\w-]*(?: [A-Z][\w-]*)?)(?![\w'’-]| [A-Z])")
# Nationalities and languages the gazetteer does not list: "in Kyrgyz" is not a place.
_DEMONYM = re.compile(r"(?:ese|ish|ian|ean|an|ch|ss)$")
# A capitalised organisation or place word right after a span: "Tokyo" + " Station".
_NAME_WORD_AFTER = re.compile(r" ([A-Z][a-z]+)\b(?!['’-])")
# A run of capitalised words (with the joiners names allow) the model may have missed.
_CAPITALISED_RUN = re.compile(
    r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+(?:(?:of|for|and|the|de|on)\s+)?[A-Z][\w'’-]*)+"
)


def _key(text: str) -> str:
    """Comparison form: accents, case, periods and apostrophes folded away ("U.S." and
    "US" -> "us", "Aydın" -> "aydin"), hyphens and other punctuation as spaces."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = re.sub(r"[.'’]", "", folded)
    return " ".join(re.sub(r"[^\w&]+", " ", folded).split())


_ALIAS_KEYS: dict[str, tuple[str, Kind]] = {_key(k): v for k, v in _ALIASES.items()}
_GAZETTEER_KEYS = frozenset(_key(form) for place in _PLACES for form in place.forms)
# Words that never end a person's name the model cut short (``_third_name``).
_NEVER_A_THIRD_NAME = _NAME_STOPWORDS | _NOT_NAMES | _ORG_WORDS | _PLACE_WORDS | _GAZETTEER_KEYS
_COUNTRY_KEYS = frozenset(
    _key(form) for place in _PLACES if place.kind == "country" for form in place.forms
)
# "Ukrainian", "Japanese", "Ukrainians": a nationality is no one's name.
_NATIONALITIES = frozenset(
    key for adjective in places.adjectives() for key in (_key(adjective), _key(adjective) + "s")
)


def _by_first_letters(forms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Known names as written (case matters: "US", not "us") under the letters they
    open with ("U" for "U.S.", "Asia" for "Asia-Pacific"), longest first, so a
    paragraph is searched once per capitalised word."""
    table: dict[str, list[str]] = {}
    for form in forms:
        if opening := _OPENING_LETTERS.match(form):
            table.setdefault(opening.group(), []).append(form)
    return {w: tuple(sorted(f, key=len, reverse=True)) for w, f in table.items()}


_OPENING_LETTERS = re.compile(r"[^\W\d_]+")
_CAPITALISED_WORD = re.compile(r"(?<![\w-])[A-Z][^\W\d_]*")
_KNOWN_BY_LETTERS = _by_first_letters(_ALIASES)


def _known_names(paragraph: str) -> Iterable[tuple[int, int]]:
    """Spans of the gazetteer's and the alias table's names, whole words, longest first."""
    for word in _CAPITALISED_WORD.finditer(paragraph):
        start = word.start()
        for form in _KNOWN_BY_LETTERS.get(word.group(), ()):
            end = start + len(form)
            if paragraph.startswith(form, start) and not re.match(
                r"[\w-]", paragraph[end : end + 1]
            ):
                yield start, end
                break


# --- finding mentions -----------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """A stretch of one paragraph with the model's (or a rule's) label."""

    start: int
    end: int
    label: str

    def text(self, paragraph: str) -> str:
        return paragraph[self.start : self.end]


def find_mentions(paragraphs: Sequence[str], *, publisher: Iterable[str] = ()) -> list[Mention]:
    """The cleaned people, organisations and places named in the paragraphs, in order.

    The names in ``publisher`` (the article's own publisher: "TOKYO (Metro Wire) --",
    "told The National Sentinel") are left out: a publisher is not what its own
    articles are about, and every one of them would share it."""
    own = {_key(name).removeprefix("the ") for name in publisher if name}
    not_names: set[str] = set()  # storms and the like named earlier in the article
    found: list[list[Mention]] = []
    taken: list[list[tuple[int, int]]] = []  # what each paragraph's names already cover
    nlp = load_nlp()
    for number, (paragraph, doc) in enumerate(zip(paragraphs, nlp.pipe(paragraphs), strict=True)):
        spans = _extend([_Span(e.start_char, e.end_char, e.label_) for e in doc.ents], paragraph)
        found.append([])
        taken.append([])
        for span in spans:
            mentions, claimed = _from_span(paragraph, number, span, not_names)
            found[-1].extend(mentions)
            if claimed:
                taken[-1].append((span.start, span.end))
        found[-1].extend(_rule_names(paragraph, number, taken[-1]))
        taken[-1].extend((m.start, m.end) for m in found[-1])
    _propagate(paragraphs, found, taken)
    return [
        m
        for mentions in found
        for m in sorted(mentions, key=lambda m: m.start)
        if (key := _key(m.text)) not in not_names and key.removeprefix("the ") not in own
    ]


def _propagate(
    paragraphs: Sequence[str], found: list[list[Mention]], taken: list[list[tuple[int, int]]]
) -> None:
    """Tag every other occurrence of a name the article uses: the model finds a name in
    one sentence and misses it in the next, and misses most lone surnames ("Shibata
    said"). A person's surname is their name after the full name (the first word too
    for a hyphenated given name written second: "Han Ji-ho", "Han"; the last two words
    of a three-word name: "Forrest Jones")."""
    kinds: dict[str, Counter[Kind]] = {}
    for mention in (m for mentions in found for m in mentions):
        forms = [mention.text]
        words = mention.text.split()
        if mention.kind == "person" and len(words) > 1:
            forms.append(_bare(words[-1]))
            if len(words) > 2:  # "Forrest Jones" for "Michael Forrest Jones"
                forms.append(_bare(" ".join(words[-2:])))
            if "-" in words[-1]:
                forms.append(words[0])
        for form in forms:
            if len(form) >= 3 and _key(form) not in _NOT_NAMES | _CORE_TITLES:
                kinds.setdefault(form, Counter())[mention.kind] += 1
    if not kinds:
        return
    pattern = re.compile(
        r"(?<![\w'’-])(?:"
        + "|".join(re.escape(f) for f in sorted(kinds, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for number, paragraph in enumerate(paragraphs):
        for match in pattern.finditer(paragraph):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken[number]) or _inside_name(
                paragraph, start, end
            ):
                continue
            kind = kinds[match.group(0)].most_common(1)[0][0]
            found[number].append(Mention(match.group(0), kind, number, start, end))
            taken[number].append((start, end))


def _inside_name(paragraph: str, start: int, end: int) -> bool:
    """Whether capitalised words around a match make it part of a longer name ("Hoshimi"
    in "Hoshimi Devices"); a title before it does not ("Minister Shibata")."""
    after = re.match(r" ([A-Z][\w'’-]*)", paragraph[end:])
    if after and _key(after.group(1)) not in _ORG_WORDS | _PLACE_WORDS:
        return True
    before = re.search(r"([A-Z][\w'’-]*) $", paragraph[:start])
    return bool(before and _key(before.group(1)) not in _CORE_TITLES | _TITLE_MODIFIERS | _LEADING)


def _extend(spans: list[_Span], paragraph: str) -> list[_Span]:
    """Spans with the model's cuts mended: a ministry's list of portfolios joined back
    ("Ministry of Health" + ", Labour and Welfare") and spans inside it dropped, a
    given name the model left out put back ("said Mehmet" + "Aydın"), a head word
    ("Ministry of") or a trailing "Station" or "Airlines" taken in."""
    mended: list[_Span] = []
    for span in spans:
        if mended and span.start < mended[-1].end:
            continue
        given = _GIVEN_NAME_BEFORE.search(paragraph, 0, span.start)
        if (
            span.label == "PERSON"
            and given
            and len(span.text(paragraph).split()) == 1
            and _key(given.group(1)) not in _NAME_STOPWORDS
            and (not mended or mended[-1].end <= given.start())
        ):
            span = _Span(given.start(1), span.end, span.label)
        if span.label == "ORG" and _key(span.text(paragraph)) in _ORG_WORDS:
            # "Kurobe" + "Holdings": the model kept only the word that made it a company.
            span = _Span(_name_start(paragraph, span.start, mended), span.end, span.label)
        head = _HEAD_BEFORE.search(paragraph, 0, span.start)
        if span.label == "ORG" and head:
            span = _Span(head.start(), span.end, span.label)
        if span.label == "ORG" and re.match(
            r"(?:the )?(?:ministry|department) of ", paragraph[span.start : span.end], re.I
        ):
            tail = _PORTFOLIO_LIST.match(paragraph, span.end)
            if tail:
                span = _Span(span.start, tail.end(), span.label)
        following = _NAME_WORD_AFTER.match(paragraph, span.end)
        if following and (
            _key(following.group(1)) in _ORG_WORDS | _PLACE_WORDS
            or (span.label == "PERSON" and _third_name(paragraph, span, following))
        ):
            span = _Span(span.start, following.end(), span.label)
        mended.append(span)
    return mended


def _third_name(paragraph: str, span: _Span, following: re.Match[str]) -> bool:
    """Whether the capitalised word after a person's two-word span is the name's third
    word, which the model cut ("Yoon Suk" + "Yeol", "Kim Jong" + "Un"): a word that is
    no title, weekday, place or organisation word, and ends the run of capitals."""
    return (
        len(span.text(paragraph).split()) == 2
        and _key(following.group(1)) not in _NEVER_A_THIRD_NAME
        and not re.match(r"\s+[A-Z]", paragraph[following.end() :])
    )


def _name_start(paragraph: str, start: int, mended: list[_Span]) -> int:
    """Where the capitalised words right before ``start`` begin (at most three, none a
    sentence opener or title, none inside the span before)."""
    floor = mended[-1].end if mended else 0
    for _ in range(3):
        before = _CAPITALISED_BEFORE.search(paragraph, floor, start)
        if not before or _key(before.group(1)) in _NAME_STOPWORDS:
            break
        start = before.start(1)
    return start


def _words(paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start() + start, m.end() + start) for m in _WORD.finditer(paragraph[start:end])]


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word.strip(_EDGE_PUNCT)).rstrip(".")


def _from_span(
    paragraph: str, number: int, span: _Span, not_names: set[str]
) -> tuple[list[Mention], bool]:
    """The mentions in one NER span, and whether the span is a name at all: a storm's,
    an event's or a product's name holds no mention (or only the event's place) but no
    other rule may take its words either."""
    mentions = _span_mentions(paragraph, number, span, not_names)
    if mentions is None:
        return [], True
    return mentions, bool(mentions)


def _span_mentions(
    paragraph: str, number: int, span: _Span, not_names: set[str]
) -> list[Mention] | None:
    """No mention (junk), one, or two ("Okuda President Tetsuya Morimoto" -> the
    company and the person; "Narita Airport for Tacloban" -> two places); None when the
    span names something that is not an entity (a storm, an event, a product, a role)."""
    if span.label not in _LABELS and span.label not in _ONLY_IF_KNOWN_PLACE:
        return []
    start, end = _trim(paragraph, span.start, span.end)
    words = _words(paragraph, start, end)
    if not words:
        return []
    keys = [_key(_bare(paragraph[s:e])) for s, e in words]
    previous = paragraph[:start].split()[-1:]
    if previous and previous[0][:1].isupper() and _key(previous[0]) in _STORM_WORDS:
        keys = [_key(previous[0]), *keys]  # the model left "Typhoon" out of the name
    if keys[0] in _STORM_WORDS or keys[-1] in _PRODUCT_WORDS:
        if keys[0] in _STORM_WORDS and len(keys) > 1:
            not_names.add(" ".join(keys[1:]))
        return None
    if keys[-1] in _EVENT_WORDS:
        place = _leading_place(paragraph, words)
        return [Mention(paragraph[start:place], "place", number, start, place)] if place else None
    if all(k in _CORE_TITLES | _TITLE_MODIFIERS for k in keys) or _MINISTER_AFTER.match(
        paragraph, end
    ):
        # "Energy Cabinet" (Secretary ...), "Economy, Trade and Industry" (Minister ...):
        # a portfolio in a role, not a name.
        return None
    owner = _possessive_split(paragraph, words)
    if owner is not None:
        return [
            m
            for m in (
                _mention(paragraph, number, span.label, start, words[owner][1]),
                _mention(paragraph, number, span.label, words[owner + 1][0], end),
            )
            if m is not None
        ]
    title = None if _LABELS.get(span.label) == "place" else _title_run(paragraph, words)
    if title is not None:
        first, last = title
        mentions = []
        if first > 0:
            kind: Kind = "place" if keys[last] in _PLACE_TITLES else "organisation"
            mentions.append(
                _mention(paragraph, number, span.label, start, words[first - 1][1], kind)
            )
        if last + 1 < len(words):
            mentions.append(_mention(paragraph, number, "PERSON", words[last + 1][0], end))
        return [m for m in mentions if m is not None]
    if _LABELS.get(span.label) == "place":
        for index, key in enumerate(keys[1:-1], start=1):
            if key in _PLACE_CONNECTORS and paragraph[words[index][0]].islower():
                left = _mention(paragraph, number, span.label, start, words[index - 1][1])
                right = _mention(paragraph, number, span.label, words[index + 1][0], end)
                return [m for m in (left, right) if m is not None]
    mention = _mention(paragraph, number, span.label, start, end)
    return [mention] if mention is not None else []


def _possessive_split(paragraph: str, words: list[tuple[int, int]]) -> int | None:
    """Index of the owner's last word when a span is one name owning another: a known
    place ("the Philippines' Department of Social Welfare") or two names of two words
    or more ("Nippon Professional Baseball's Central League"). A possessive inside a
    name stays ("King's College London", "Citizens' Future")."""
    for index, (s, e) in enumerate(words[:-1]):
        if not _POSSESSIVE.search(paragraph[s:e]):
            continue
        owner = _key(_bare(paragraph[words[0][0] : e]))
        if owner in _GAZETTEER_KEYS | _ALIAS_KEYS.keys() or (index >= 1 and len(words) - index > 2):
            return index
    return None


def _leading_place(paragraph: str, words: list[tuple[int, int]]) -> int | None:
    """End offset of the gazetteer place that opens an event's name, if one does."""
    for count in range(len(words) - 1, 0, -1):
        if _key(paragraph[words[0][0] : words[count - 1][1]]) in _GAZETTEER_KEYS:
            return words[count - 1][1]
    return None


def _title_run(paragraph: str, words: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Word indexes (first, last) of a run of capitalised titles ending in a core title
    and followed by a name, if the span holds one."""
    index = 0
    while index < len(words):
        first = index
        core = None
        while index < len(words):
            raw = paragraph[words[index][0] : words[index][1]]
            word = _bare(raw)
            lower = word.lower()
            titled = word[:1].isupper() and lower in _CORE_TITLES | _TITLE_MODIFIERS
            if not titled or _POSSESSIVE.search(raw):  # "King's College" holds no title
                break
            if lower in _CORE_TITLES:
                core = index
            index += 1
        if core is not None and _person_shaped(paragraph, words[core + 1 :]):
            return first, core
        index = max(index, first + 1)
    return None


def _person_shaped(paragraph: str, words: list[tuple[int, int]]) -> bool:
    """One to four capitalised words that do not end like an organisation or a place."""
    if not 1 <= len(words) <= 4:
        return False
    bare = [_bare(paragraph[s:e]) for s, e in words]
    last = _key(bare[-1])
    return all(w[:1].isupper() for w in bare) and last not in _ORG_WORDS | _PLACE_WORDS


def _mention(
    paragraph: str, number: int, label: str, start: int, end: int, kind: Kind | None = None
) -> Mention | None:
    start, end = _trim(paragraph, start, end, person=label == "PERSON")
    words = _words(paragraph, start, end)
    # "Northeastern Japan" is Japan; "Eastern Samar" and "Southern Africa" are names
    # of their own.
    if (
        len(words) > 1
        and _COMPASS.match(_key(paragraph[words[0][0] : words[0][1]]))
        and _key(paragraph[words[1][0] : end]) in _COUNTRY_KEYS
        and _key(paragraph[start:end]) not in _GAZETTEER_KEYS
    ):
        start = words[1][0]
    if words and _COMPASS.match(_key(paragraph[words[-1][0] : words[-1][1]])):
        return None  # "Middle Eastern": an adjective
    if end <= start:
        return None
    text = paragraph[start:end]
    if _is_junk(text):
        return None
    kind = _kind(paragraph, text, label, start, end, kind)
    return Mention(text, kind, number, start, end) if kind is not None else None


def _trim(paragraph: str, start: int, end: int, *, person: bool = False) -> tuple[int, int]:
    """Offsets of the name inside a span: without a leading "the", titles (for people),
    lowercase words around the name, a possessive and edge punctuation."""
    while True:
        while start < end and paragraph[end - 1] in _EDGE_PUNCT:
            end -= 1
        while start < end and paragraph[start] in _EDGE_PUNCT:
            start += 1
        match = _POSSESSIVE.search(paragraph, start, end)
        if match and match.end() == end:
            end = match.start()
            continue
        words = _words(paragraph, start, end)
        if len(words) > 1:
            first = _bare(paragraph[words[0][0] : words[0][1]])
            lower = first.lower()
            if (
                lower in _LEADING
                or first[:1].islower()
                or (person and lower in _CORE_TITLES | _TITLE_MODIFIERS)
            ):
                start = words[1][0]
                continue
            last = paragraph[words[-1][0] : words[-1][1]]
            if last[:1].islower() and not last[:1].isdigit():
                end = words[-2][1]
                continue
        break
    if person:
        # "Miho Kanda, 42" or "Kanda, who...": the name ends at the comma.
        comma = paragraph.find(",", start, end)
        if comma != -1:
            end = comma
    return start, end


def _kind(
    paragraph: str, text: str, label: str, start: int, end: int, kind: Kind | None
) -> Kind | None:
    """The kind of a cleaned name: lists and name shapes first, then what the caller
    knows from context, the model's label last."""
    key = _key(text)
    if key in _ALIAS_KEYS:
        return _ALIAS_KEYS[key][1]
    if key in _GAZETTEER_KEYS:
        return "place"
    words = key.split()
    demonym = label == "NORP" and _DEMONYM.search(key)
    if len(words) == 1 and _placed(paragraph, start, end) and not demonym:
        return "place"
    if label in _ONLY_IF_KNOWN_PLACE:
        return None
    if words[-1] in _ORG_WORDS or words[0] in {"ministry", "university", "bank", "department"}:
        return "organisation"
    if words[-1] in _PLACE_WORDS and len(words) > 1:
        return "place"
    if kind is not None:
        return kind
    if (
        _SAID_BEFORE.search(paragraph, 0, start)
        and _person_shaped(paragraph, _words(paragraph, start, end))
        and len(words) > 1
    ):
        return "person"  # '"...," said Ines Morgado': only people speak after a quote
    if label == "PERSON" and _ACRONYM.match(text):
        return "organisation"  # prose writes no one's name in capitals: "JAXA"
    return _LABELS[label]


def _placed(paragraph: str, start: int, end: int) -> bool:
    """Whether the context makes a one-word name a place: "in Kharkiv" (a person or a
    company is seldom "in" anyone) or "Chitose, Hokkaido" (town, region)."""
    before = paragraph[:start].split()
    title = paragraph[end : end + 1] in {'"', "”"}  # "Lost in Translation"
    if before and before[-1].lower() in _PREPOSITIONS_OF_PLACE and not title:
        return not _POSSESSIVE.match(paragraph, end)
    region = _REGION_AFTER.match(paragraph, end)
    return bool(region and _key(region.group(1)) in _GAZETTEER_KEYS)


def _is_junk(text: str) -> bool:
    """Numbers, codes with digits (COP31, H3), lowercase phrases, nationalities and
    capitalised common words are not names."""
    key = _key(text)
    if not key or not text[0].isalpha() or not text[0].isupper():
        return True
    if len(key) < 2 or len(key.split()) > 8 or any(c.isdigit() for c in key):
        return True
    return key in _NOT_NAMES or key in _NATIONALITIES


def _rule_names(paragraph: str, number: int, taken: list[tuple[int, int]]) -> list[Mention]:
    """Names the model missed: capitalised runs ending in an organisation or place word
    ("East Japan Railway", "Tokyo Station"), and the places of the gazetteer and names
    of the alias table (the model skips "Kyiv" or "ECB" in many sentences)."""
    found: list[Mention] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for match in _CAPITALISED_RUN.finditer(paragraph):
        start, end = _trim(paragraph, *match.span())
        words = _key(paragraph[start:end]).split()
        if len(words) < 2 or not free(start, end) or _is_junk(paragraph[start:end]):
            continue
        if words[-1] in _ORG_WORDS and not all(
            w in _ORG_WORDS | _INSTITUTIONS | _JOINERS for w in words
        ):
            kind: Kind = "organisation"
        elif words[-1] in _PLACE_WORDS:
            kind = "place"
        else:
            continue
        found.append(Mention(paragraph[start:end], kind, number, start, end))
        taken.append((start, end))
    for start, end in _known_names(paragraph):
        if not free(start, end):
            continue
        # "East Japan Railway", "Georgia Smith": a capitalised word next to the name
        # makes it part of a longer name the model did not tag.
        before = paragraph[max(0, start - 30) : start].split()
        after = paragraph[end : end + 2]
        if len(after) == 2 and after[0] == " " and after[1].isupper():
            continue
        if (
            before
            and before[-1][:1].isupper()
            and before[-1][-1].isalpha()
            and before[-1].lower() not in _LEADING
        ):
            continue
        text = paragraph[start:end]
        found.append(Mention(text, _ALIASES[text][1], number, start, end))
    return found


# --- resolving mentions to entities ---------------------------------------------------


@dataclass
class _Group:
    """Mentions of one article that name the same thing."""

    kind: Kind
    surfaces: Counter[str] = field(default_factory=Counter)
    votes: Counter[Kind] = field(default_factory=Counter)
    canonical: str | None = None  # set when the alias table fixes the name
    first: tuple[int, int] = (0, 0)
    """Where the article first names it: (paragraph, offset)."""

    @property
    def count(self) -> int:
        return sum(self.surfaces.values())

    def absorb(self, other: _Group, kind: Kind | None = None) -> None:
        """Take in another group's mentions; the kind is ``kind`` when the merge
        settles it (a surname joins a person), else the majority of all mentions."""
        self.surfaces.update(other.surfaces)
        self.votes.update(other.votes)
        self.canonical = self.canonical or other.canonical
        self.first = min(self.first, other.first)
        if kind is not None:
            self.kind = kind
        elif not self.canonical:
            self.kind = _majority(self.votes, self.kind)

    def name(self) -> str:
        if self.canonical:
            return self.canonical
        # The fullest form: not an acronym, most words, most used, first seen.
        forms = list(self.surfaces)
        best = max(
            forms,
            key=lambda f: (
                not _ACRONYM.match(f),
                len(f.split()),
                self.surfaces[f],
                -forms.index(f),
            ),
        )
        if self.kind == "place":
            return _strip_admin(best)
        words = best.split()
        if len(words) > 1 and words[-1] == "Ministry" and "of" not in words:
            # "Ministry of X" is the formal name in nearly every country.
            portfolio = " ".join(words[:-1])
            return f"Ministry of {_PORTFOLIOS.get(portfolio.lower(), portfolio).title()}"
        return best


def _strip_admin(name: str) -> str:
    words = name.split()
    if len(words) > 1 and _key(words[-1]) in _ADMIN_WORDS:
        return " ".join(words[:-1])
    return name


def _group_key(text: str) -> str:
    """The key that decides whether two surface forms are the same name: the alias
    table's name, no legal form or administrative word, and "Finance Ministry" read as
    "Ministry of Finance"."""
    key = _key(text)
    if key in _ALIAS_KEYS:
        return _key(_ALIAS_KEYS[key][0])
    words = key.split()
    while len(words) > 1 and (words[-1] in _LEGAL_FORMS or words[-1] in _ADMIN_WORDS):
        words.pop()
    if len(words) > 1 and words[-1] in {"ministry", "department"} and "of" not in words:
        portfolio = " ".join(words[:-1])
        words = [words[-1], "of", *_PORTFOLIOS.get(portfolio, portfolio).split()]
    return " ".join(words)


def _person_tokens(key: str) -> list[str]:
    """A person's name words without middle initials ("donald j trump" -> donald trump)."""
    words = key.split()
    if len(words) > 2:
        words = [words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]]
    return words


def _variant_word(a: str, b: str) -> bool:
    """Two spellings of one long word (Zelenskyy / Zelenskiy / Zelensky), not two names
    a letter apart (Hansen / Hanson, Smith / Smyth)."""
    if a == b:
        return True
    return min(len(a), len(b)) >= 6 and a[0] == b[0] and fuzz.ratio(a, b) >= 85


def _variants(a: str, b: str, kind: Kind) -> bool:
    """Whether two keys of the same kind spell one name: same number of words, one word
    different, and that one a spelling variant. People need a full name: a lone
    "Kim" is never fuzzy-matched."""
    words_a = _person_tokens(a) if kind == "person" else a.split()
    words_b = _person_tokens(b) if kind == "person" else b.split()
    if len(words_a) != len(words_b) or (kind == "person" and len(words_a) < 2):
        return False
    different = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    return len(different) == 1 and _variant_word(*different[0])


def _abbreviates(acronym: str, words: Sequence[str]) -> bool:
    """Whether an acronym spells a name (Schwartz and Hearst's rule): its letters appear
    in the name in order, the first one starting the name's first word ("JAXA": Japan
    Aerospace eXploration Agency; "BOJ": Bank of Japan), and the name has at most one
    word (besides joiners) more than the acronym has letters."""
    content = [w for w in words if w not in _JOINERS]
    if not content or len(content) > len(acronym) + 1 or acronym[:1] != words[0][:1]:
        return False
    name = " ".join(words)
    position = len(name)
    for letter in reversed(acronym[1:]):
        position = name.rfind(letter, 1, position)
        if position < 1:
            return False
    return True


def _group_mentions(mentions: Sequence[Mention]) -> list[_Group]:
    """One group per thing the article names, merging within the article."""
    groups: dict[str, _Group] = {}
    for mention in mentions:
        key = _group_key(mention.text)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(mention.kind, first=(mention.paragraph, mention.start))
            alias = _ALIAS_KEYS.get(_key(mention.text))
            if alias:
                group.canonical = alias[0]
        group.first = min(group.first, (mention.paragraph, mention.start))
        group.surfaces[mention.text] += 1
        group.votes[mention.kind] += 1
    for group in groups.values():
        if group.canonical is None:
            group.kind = _majority(group.votes, group.kind)
    _merge_short_forms(groups)
    _merge_variants(groups)
    return list(groups.values())


def best_spelling(current: str, spellings: Mapping[str, int]) -> str:
    """The canonical spelling: the one most articles use, never an acronym over a full
    name, and the current one on a tie, so a stray hyphen or a typo ("Jane-Doe") seen
    first gives way as soon as the common spelling has more articles, and names do not
    flip back and forth between equals."""
    return max(
        (s for s, n in spellings.items() if n > 0),
        key=lambda s: (not _ACRONYM.match(s), spellings[s], s == current),
        default=current,
    )


def _majority(votes: Counter[Kind], default: Kind) -> Kind:
    best = max(votes.values(), default=0)
    winners = [k for k in KINDS if votes[k] == best]
    return default if default in winners else winners[0]


def _merge_short_forms(groups: dict[str, _Group]) -> None:
    """Short forms join the full name they stand for, when exactly one fits: a surname,
    first name or last words of a person's name, an acronym, the leading words or the
    last word of an organisation's name ("Hoshimi Devices", "Seattle Mariners"), and an institution
    word ("the Commission") the one organisation that has it. An institution word
    that fits none names no one and is dropped."""
    for key in sorted(groups, key=lambda k: len(k.split())):
        group = groups[key]
        if group.canonical or key in _GAZETTEER_KEYS:
            continue
        targets = {
            other_key: kind
            for other_key, other in groups.items()
            if other_key != key and (kind := _stands_for(key, group, other_key, other))
        }
        if len(targets) > 1 and set(targets.values()) == {"person"}:
            # "Lee" after "Lee Jae-myung" and before "Lee Sang-min" is introduced: a
            # surname points back to the one person the article had named by then.
            targets = {t: k for t, k in targets.items() if groups[t].first < group.first}
        if len(targets) == 1:
            [(target, kind)] = targets.items()
            groups[target].absorb(groups.pop(key), kind)
        elif key in _INSTITUTIONS:
            del groups[key]


def _stands_for(key: str, group: _Group, other_key: str, other: _Group) -> Kind | None:
    """The kind of the merged name if the short name ``key`` may stand for the longer
    name ``other_key``, else None."""
    words, other_words = key.split(), other_key.split()
    if len(other_words) <= len(words):
        return None
    if len(words) == 1 and key in _INSTITUTIONS:
        fits = other.kind == "organisation" and key in (other_words[0], other_words[-1])
        return "organisation" if fits else None
    if len(words) == 1 and _person_like(other_key, other, group):
        names = _person_tokens(other_key)
        fits = _variant_word(key, names[0]) or _variant_word(key, names[-1])
        return "person" if fits else None
    if other.kind == "person" and (group.kind == "person" or _person_shaped_key(key)):
        # "Forrest Jones" after "Michael Forrest Jones", "De Miranda" after "Luis de Miranda".
        return "person" if other_words[-len(words) :] == words else None
    if other.kind != "organisation":
        return None
    if other_words[: len(words)] == words:
        return "organisation"
    if len(words) == 1 and any(_ACRONYM.match(s) for s in group.surfaces):
        return "organisation" if _abbreviates(key, other_words) else None
    last = len(words) == 1 and other_words[-1] == key and key not in _ORG_WORDS
    return "organisation" if last else None


def _person_like(key: str, group: _Group, short: _Group) -> bool:
    """A person, or a name the model called an organisation that has a person's shape
    ("Haruto Kamiya") when the short form was taken for a person."""
    if group.kind == "person":
        return True
    return group.kind == "organisation" and short.kind == "person" and _person_shaped_key(key)


def _person_shaped_key(key: str) -> bool:
    """Two or three words, none of them an organisation's or a place's word."""
    words = key.split()
    return 2 <= len(words) <= 3 and not set(words) & (
        _ORG_WORDS | _JOINERS | _INSTITUTIONS | _PLACE_WORDS
    )


def _merge_variants(groups: dict[str, _Group]) -> None:
    """Spelling variants of one name within the article join the more used form."""
    keys = sorted(groups, key=lambda k: -groups[k].count)
    for index, key in enumerate(keys):
        if key not in groups:
            continue
        for other in keys[index + 1 :]:
            kind = groups[key].kind
            if other in groups and groups[other].kind == kind and _variants(key, other, kind):
                groups[key].absorb(groups.pop(other))


@dataclass
class _Entry:
    name: str
    kinds: Counter[Kind]
    aliases: set[str]
    changed: bool = False
    key: int | None = None
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def kind(self) -> Kind:
        return _majority(self.kinds, next(iter(self.kinds)))


class EntityRegistry:
    """The collection's canonical entities, learning new ones as articles are resolved.

    Built from what the caller has stored, as ``(name, kind, aliases)`` triples;
    ``entries()`` gives them back (with what was learned since) in the same shape, and
    ``learned()`` only those new or changed, for the caller to save. Not thread-safe:
    one registry per ingest run.
    """

    def __init__(self, known: Iterable[tuple[str, Kind, Iterable[str]]] = ()) -> None:
        self._entries: list[_Entry] = []
        self._by_key: dict[str, list[int]] = {}
        self._names: list[str] = []  # the key of each entry's name, by entry index
        self._by_name: dict[str, int] = {}
        self._by_stored: dict[int, int] = {}
        for name, kind, aliases in known:
            index = self._add(name, kind)
            for alias in aliases:
                self._add_alias(index, alias)
        for entry in self._entries:
            entry.changed = False

    def learn(
        self,
        name: str,
        kind: Kind,
        aliases: Iterable[str],
        votes: int | None = None,
        *,
        key: int | None = None,
        spellings: Mapping[str, int] | None = None,
    ) -> None:
        """Take in an entity another process stored (or changed) since this registry
        was built, so every process resolves names against the same canonical set.
        ``votes`` is how many articles the collection has with the name as ``kind``:
        given, it replaces this registry's own count, so the kind a name is taken for
        is the collection's, not what one process happened to see. ``key`` is the
        caller's id for the entity: learnt again under a new name, the entity is
        renamed, not doubled. ``spellings`` (articles per spelling) replace this
        registry's own."""
        index = self._by_stored.get(key) if key is not None else None
        if index is None:
            index = self._by_name.get(name)
        if index is None:
            index = self._add(name, kind)
        elif kind not in self._entries[index].kinds:
            self._entries[index].kinds[kind] += 1
        entry = self._entries[index]
        if key is not None:
            entry.key = key
            self._by_stored[key] = index
        if entry.name != name:
            self._rename(index, name)
        if votes is not None:
            entry.kinds[kind] = max(votes, 1)
        if spellings is not None:
            entry.spellings = Counter(spellings)
        for alias in aliases:
            self._add_alias(index, alias)
        entry.changed = False

    def entries(self) -> list[KnownEntity]:
        """Every canonical entity, with all its aliases, sorted by name."""
        return sorted(self._known(e) for e in self._entries)

    def learned(self) -> list[KnownEntity]:
        """The entities created, given a new alias or a new kind since construction."""
        return sorted(self._known(e) for e in self._entries if e.changed)

    def resolve(self, mentions: Sequence[Mention], *, evidence: bool = True) -> list[Entity]:
        """The entities of one article's mentions under their canonical names, most
        mentioned first; unknown ones are registered for the articles that follow.
        The article's spellings count towards each entity's canonical name unless
        ``evidence`` is False (a wire copy repeats its original's spelling)."""
        found: dict[int, tuple[int, Counter[str], str]] = {}
        for group in _group_mentions(mentions):
            index = self._match(group)
            if index is None:
                index = self._add(group.name(), group.kind)
            entry = self._entries[index]
            entry.kinds[group.kind] += 1
            for surface in group.surfaces:
                self._add_alias(index, surface)
            count, surfaces, spelling = found.get(index, (0, Counter(), group.name()))
            found[index] = (count + group.count, surfaces + group.surfaces, spelling)
        for index, (_, _, spelling) in found.items() if evidence else ():
            entry = self._entries[index]
            entry.spellings[spelling] += 1
            better = best_spelling(entry.name, entry.spellings)
            if better != entry.name and better not in self._by_name:
                self._rename(index, better)
        entities = [
            Entity(
                self._entries[i].name,
                self._entries[i].kind,
                count,
                tuple(sorted(surfaces)),
                spelling,
                self._entries[i].key,
            )
            for i, (count, surfaces, spelling) in found.items()
        ]
        return sorted(entities, key=lambda e: (-e.count, e.name))

    # -- internals --

    @staticmethod
    def _known(entry: _Entry) -> KnownEntity:
        return KnownEntity(entry.name, entry.kind, tuple(sorted(entry.aliases)))

    def _add(self, name: str, kind: Kind) -> int:
        index = len(self._entries)
        self._entries.append(_Entry(name, Counter({kind: 1}), set(), changed=True))
        key = _group_key(name)
        self._by_key.setdefault(key, []).append(index)
        self._names.append(key)
        self._by_name.setdefault(name, index)
        return index

    def _rename(self, index: int, name: str) -> None:
        """The entry goes by a new canonical name; the old one stays an alias."""
        entry = self._entries[index]
        if self._by_name.get(entry.name) == index:
            del self._by_name[entry.name]
        old, entry.name = entry.name, name
        self._by_name.setdefault(name, index)
        key = _group_key(name)
        self._names[index] = key
        if index not in self._by_key.get(key, []):
            self._by_key.setdefault(key, []).append(index)
        entry.changed = True
        self._add_alias(index, old)

    def _add_alias(self, index: int, alias: str) -> None:
        entry = self._entries[index]
        if alias == entry.name or alias in entry.aliases:
            return
        entry.aliases.add(alias)
        entry.changed = True
        key = _group_key(alias)
        if self._matchable(entry, key) and index not in self._by_key.get(key, []):
            self._by_key.setdefault(key, []).append(index)

    @staticmethod
    def _matchable(entry: _Entry, key: str) -> bool:
        """Whether an alias may match across articles. A person's lone surname or first
        name may not: it was that person in its article, not in every article."""
        one_word = len(key.split()) == 1
        return not (one_word and entry.kind == "person" and len(_key(entry.name).split()) > 1)

    def _match(self, group: _Group) -> int | None:
        keys = [_group_key(group.name())]
        keys += [
            k
            for k in (_group_key(s) for s in group.surfaces)
            if k not in keys
            and not (group.kind == "person" and len(k.split()) == 1 and len(keys[0].split()) > 1)
        ]
        candidates = [i for k in keys for i in self._by_key.get(k, [])]
        if candidates:
            same_kind = [i for i in candidates if self._entries[i].kind == group.kind]
            return (same_kind or candidates)[0]
        key = keys[0]
        for _, _, index in process.extract(
            key, self._names, scorer=fuzz.ratio, score_cutoff=80, limit=5
        ):
            entry = self._entries[index]
            # The model calls some people organisations; a person-shaped name may still
            # be a spelling of a known person's (the person rule is the strictest).
            kind_fits = entry.kind == group.kind or (
                entry.kind == "person" and group.kind == "organisation" and _person_shaped_key(key)
            )
            if kind_fits and _variants(key, self._names[index], entry.kind):
                log.debug("entity %r matched %r by spelling", key, entry.name)
                return index
        return None
