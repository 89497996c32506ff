"""Who said what: the direct quotations of an article and their speakers.

News writing attributes quotes in a handful of fixed shapes, so rules over the text and
the article's entity mentions find nearly all of them without a parser:

- after the quote, verb first or name first: ``"...," said Sam Greene of King's College
  London.`` / ``"...," Greene said.`` / ``"...," the agency's spokesman Ken Doe said.``
- before the quote, in the same sentence: ``Greene said: "..."``
- a pronoun: ``"...," she added.`` is the last person named before the quote (outside
  quotation marks) whose pronoun is not known to be the other one;
- a colon: ``Greene put it bluntly: "..."`` is the sentence's subject;
- a quote closed by a full stop ends its sentence: the words after it are not its
  attribution;
- ``"...," according to Greene.``;
- an institution: ``"...," the ministry said.`` is the article's organisation with that
  word in its name, and ``the company`` the last organisation named;
- an unnamed source: ``"...," two people familiar with the talks said.`` is kept as the
  article describes it (``Quote.unnamed``), never given to the last person named;
- no attribution in the sentence: a quote that follows one by a speaker in the same or
  the previous paragraph continues it (``"...," Greene said. "More words."``), or one
  that precedes an attributed quote with nothing between them shares its speaker.

A quote that runs over paragraphs leaves its closing mark off and opens the next
paragraph with a quote mark again; it is one quote, its parts joined by a space.
Straight ("...") and curly (“...”) marks are both read, double or single (the
article's style is the one that finds more quotations). A quotation of fewer than four
words is a title or a scare quote, not something someone said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from daybook.ai.entities import Entity, Mention

METHOD = "attribution-rules@4"
"""Stored with each article's quotes; change it when the rules change."""

MIN_WORDS = 4


@dataclass(frozen=True)
class Quote:
    """A direct quotation: the words inside the marks (without the comma or full stop
    that closes it), the canonical name of its speaker (a person, or an organisation
    when the article quotes one; None when no speaker can be told), and the first and
    last paragraph it spans (0-based)."""

    text: str
    speaker: str | None
    paragraph: int
    end_paragraph: int
    unnamed: str | None = None
    """A source the article describes but does not name ("two people familiar with
    the talks", "a ministry spokesperson"), as the article words it; ``speaker`` is
    then None."""


@dataclass(frozen=True)
class _Part:
    """One paragraph's piece of a quotation: offsets of the words inside the marks and
    of the marks themselves."""

    paragraph: int
    start: int  # first character inside the marks
    end: int  # the closing mark's offset, or the paragraph's length if it stays open
    open_at: int  # the opening mark's offset


@dataclass(frozen=True)
class _Speaker:
    """Who a quotation's own sentence gives: an entity's canonical name, or the words
    describing an unnamed source."""

    name: str | None = None
    unnamed: str | None = None


@dataclass(frozen=True)
class _Found:
    parts: tuple[_Part, ...]
    speaker: _Speaker | None
    attributed: bool  # the speaker came from the quote's own sentence


Gender = Literal["he", "she"]

_SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|asked|asks|explained|explains|noted|notes|"
    r"stated|states|wrote|writes|warned|warns|argued|argues|insisted|insists|continued|"
    r"recalled|recalls|admitted|admits|acknowledged|conceded|declared|announced|"
    r"remarked|replied|responded|suggested|claimed|claims|urged|stressed|emphasised|"
    r"emphasized|observed|predicted|cautioned|complained|tweeted|posted|joked|laughed|"
    r"agreed|confirmed|concluded|countered|pointed out|called|calls|described|"
    r"describes"
)
_VERB = re.compile(rf"\b(?:{_SPEECH_VERBS})\b")
_ACCORDING = re.compile(r"\baccording to\b")
_SOURCE_NOUNS = (
    r"officials?|sources?|people|person|spokes(?:person|man|woman)|representatives?|"
    r"diplomats?|analysts?|aides?|advis[eo]rs?|residents?|witnesses|witness|officers?|"
    r"executives?|ministers?|lawmakers?|legislators?|insiders?|employees?|staffers?|"
    r"members?|experts?|economists?|traders?|bankers?|investors?|doctors?|nurses?|"
    r"workers?|negotiators?|investigators?|prosecutors?|police|villagers|survivors?|"
    r"users?|posters?|commenters?|readers?|viewers?|customers?|passengers?|fans?"
)
_UNNAMED = re.compile(
    rf"""(?i:(?:one|two|three|four|five|some|several|many)\s+of\s+(?:the|those)\s+
    |(?:an?|one|two|three|four|five|six|several|some|many|other|another|the|senior)\s+)
    (?:[a-z][\w-]*\s+){{0,4}}?(?:{_SOURCE_NOUNS})\b
    (?:\s+(?:familiar\s+with|close\s+to|with\s+(?:direct\s+)?knowledge\s+of|briefed\s+on
    |involved\s+in|who\s+(?:asked|declined|spoke))(?:\s+[a-z][\w-]*){{1,5}})?""",
    re.VERBOSE,
)
"""An unnamed source as news writing describes one: "two people familiar with the
talks", "a ministry spokesperson", "one of the officials", "the spokesperson"."""
_PRONOUN = re.compile(r"\b(he|she|He|She)\b")
# "the ministry", "the ministry's spokesman": an institution speaking.
_INSTITUTION = re.compile(r"\b[Tt]he ([a-z]+)\b")
_GENERIC_ORGS = frozenset({"company", "firm", "group", "organisation", "organization"})
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.? $")
_DOUBLE = ('“"', '”"')
_SINGLE = ("‘'", "’'")
"""Opening and closing marks of each style."""
# A full stop after these does not end the sentence ("said Dr. Sam Greene").
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|[A-Z])\.$")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"‘'])")
_TRAILING = ",.;:"


def extract_quotes(
    paragraphs: Sequence[str], entities: Sequence[Entity], mentions: Sequence[Mention]
) -> list[Quote]:
    """The direct quotations of an article, in order.

    ``mentions`` are ``entities.find_mentions(paragraphs)`` and ``entities`` what
    ``EntityRegistry.resolve`` made of them: a mention's text is looked up among the
    entities' aliases to give the speaker's canonical name."""
    article = _Article(paragraphs, entities, mentions)
    found = [
        _Found(tuple(parts), speaker, speaker is not None)
        for parts in article.quotations
        for speaker in [article.attribute(parts)]
    ]
    return [
        Quote(
            _text(paragraphs, quote.parts),
            quote.speaker.name if quote.speaker else None,
            quote.parts[0].paragraph,
            quote.parts[-1].paragraph,
            quote.speaker.unnamed if quote.speaker else None,
        )
        for quote in _carry_over(paragraphs, found)
    ]


def _text(paragraphs: Sequence[str], parts: Sequence[_Part]) -> str:
    text = " ".join(paragraphs[p.paragraph][p.start : p.end].strip() for p in parts)
    return text.strip().rstrip(_TRAILING).strip()


@dataclass(frozen=True)
class _Marks:
    """The quotation marks an article sets its quotes in: double (“...” or "...") or
    single (‘...’ or '...', the house style of many British and Asian outlets, and
    what text becomes once an app straightens its quotes). A single mark is also an
    apostrophe, so it opens only before a word and after a space, and closes only
    after a word or a stop and before a space, a stop or the end: "it's" and
    "don't" are neither."""

    opening: str
    closing: str
    single: bool

    def opens(self, text: str, index: int) -> bool:
        if text[index] not in self.opening:
            return False
        before, after = _around(text, index)
        return not self.single or (
            (before.isspace() or before in '([—–-"“') and not after.isspace()
        )

    def closes(self, text: str, index: int) -> bool:
        if text[index] not in self.closing:
            return False
        before, after = _around(text, index)
        return not self.single or (
            not before.isspace() and (after.isspace() or after in ',.;:!?)—–-"”')
        )


def _around(text: str, index: int) -> tuple[str, str]:
    """The characters either side of ``index``, a space past either end."""
    return (text[index - 1] if index else " "), (text[index + 1 : index + 2] or " ")


_STYLES = (_Marks(*_DOUBLE, single=False), _Marks(*_SINGLE, single=True))


def _quotations(paragraphs: Sequence[str]) -> tuple[_Marks, list[list[_Part]]]:
    """The article's quotation style, and every quotation in it as its parts: the style
    that finds more quotations wins, then the one whose quotations are longer (so a
    British article's double marks inside single ones stay nested quotes), then double."""

    def weight(quotations: list[list[_Part]]) -> tuple[int, int]:
        return len(quotations), sum(len(_text(paragraphs, q).split()) for q in quotations)

    found = [(marks, _quoted(paragraphs, marks)) for marks in _STYLES]
    return max(found, key=lambda pair: weight(pair[1]))


def quoted_spans(paragraphs: Sequence[str]) -> dict[int, list[tuple[int, int]]]:
    """Paragraph number -> (start, end) offsets of the text inside quotation marks, in
    the article's own quotation style, short quotations included: what a summary must
    not be made of, found the way quotes are."""
    marks, _ = _quotations(paragraphs)
    spans: dict[int, list[tuple[int, int]]] = {}
    for parts in _quoted(paragraphs, marks, min_words=0):
        for part in parts:
            spans.setdefault(part.paragraph, []).append((part.start, part.end))
    return spans


def _quoted(
    paragraphs: Sequence[str], marks: _Marks, *, min_words: int = MIN_WORDS
) -> list[list[_Part]]:
    """Every quotation of at least ``min_words`` words as its parts, in one style.
    Curly marks open and close; a straight mark opens when none is open and closes
    otherwise. A quotation still open at the end of a paragraph continues only if the
    next paragraph opens with a mark."""
    quotes: list[list[_Part]] = []
    carried: list[_Part] | None = None  # the quotation left open by the last paragraph
    for number, paragraph in enumerate(paragraphs):
        if not (paragraph and marks.opens(paragraph, 0)):
            carried = None
        open_at: int | None = None
        for index in range(len(paragraph)):
            if open_at is None and marks.opens(paragraph, index):
                open_at = index
            elif open_at is not None and marks.closes(paragraph, index):
                _add(quotes, carried, _Part(number, open_at + 1, index, open_at))
                carried = None
                open_at = None
        if open_at is None:
            carried = None
        else:
            part = _Part(number, open_at + 1, len(paragraph), open_at)
            carried = _add(quotes, carried, part)
    return [parts for parts in quotes if len(_text(paragraphs, parts).split()) >= min_words]


def _add(quotes: list[list[_Part]], carried: list[_Part] | None, part: _Part) -> list[_Part]:
    """File a part under the quotation it continues (it opens its paragraph and the
    last one was left open) or as a new quotation; return that quotation."""
    if carried is not None and part.open_at == 0:
        carried.append(part)
        return carried
    quotes.append([part])
    return quotes[-1]


class _Article:
    """One article's text, quotations and named people and organisations, with the
    attribution rules that read them."""

    def __init__(
        self, paragraphs: Sequence[str], entities: Sequence[Entity], mentions: Sequence[Mention]
    ) -> None:
        self.paragraphs = paragraphs
        self.marks, self.quotations = _quotations(paragraphs)
        quoted: dict[int, list[tuple[int, int]]] = {}
        for parts in self.quotations:
            for part in parts:
                quoted.setdefault(part.paragraph, []).append((part.open_at, part.end + 1))
        names: dict[str, Entity] = {}
        for entity in entities:
            for alias in (entity.name, *entity.aliases):
                names.setdefault(alias, entity)
        # Named people and organisations outside quotation marks, in reading order: a
        # name inside a quote is not the speaker of the next one.
        self.named = [
            (m, names[m.text])
            for m in mentions
            if m.text in names
            and names[m.text].kind != "place"
            and not any(s <= m.start < e for s, e in quoted.get(m.paragraph, []))
        ]
        self.genders: dict[str, Gender] = {}
        for mention, entity in self.named:
            honorific = _HONORIFIC.search(paragraphs[mention.paragraph][: mention.start])
            if honorific and entity.kind == "person":
                self.genders[entity.name] = "he" if honorific.group(1) == "Mr" else "she"

    def attribute(self, parts: Sequence[_Part]) -> _Speaker | None:
        """The speaker named in the quotation's own sentence: after it, else before it."""
        last, first = parts[-1], parts[0]
        paragraph = self.paragraphs[last.paragraph]
        # A quote closed by a full stop ended its sentence: what follows is another.
        closed = paragraph[last.end - 1 : last.end] == "." and bool(
            re.match(r"\s+[A-Z]", paragraph[last.end + 1 :])
        )
        if last.end < len(paragraph) and not closed:
            end = _clause_end(paragraph, last.end + 1, self.marks)
            speaker = self._after(last.paragraph, last.end + 1, end)
            if speaker is not None:
                return speaker
        start = _clause_start(self.paragraphs[first.paragraph], first.open_at, self.marks)
        return self._before(first.paragraph, start, first.open_at)

    def _after(self, number: int, start: int, end: int) -> _Speaker | None:
        """``"...," said X`` / ``"...," X said`` / ``"...," according to X``."""
        clause = self.paragraphs[number][start:end]
        lead = len(clause) - len(clause.lstrip(" ,;:—–-"))
        according = _ACCORDING.match(clause, lead)
        verb = _VERB.match(clause, lead)
        if according or verb:
            who_start = start + (according or verb).end()  # type: ignore[union-attr]
            return self._who(
                number, who_start, end, self._first(number, who_start, end), subject=False
            )
        verb = _VERB.search(clause, lead)
        if verb is None or len(clause[lead : verb.start()].split()) > 12:
            return None
        subject_end = start + verb.start()
        return self._who(number, start + lead, subject_end, self._last(number, start, subject_end))

    def _before(self, number: int, start: int, end: int) -> _Speaker | None:
        """``X said: "..."`` and ``X said the plan was "..."``: a speech verb between
        the sentence's start and the opening mark, its subject before it."""
        clause = self.paragraphs[number][start:end]
        according = list(_ACCORDING.finditer(clause))
        if according:
            who_start = start + according[-1].end()
            return self._who(
                number, who_start, end, self._first(number, who_start, end), subject=False
            )
        verbs = list(_VERB.finditer(clause))
        if not verbs:
            # "Greene put it bluntly: "..."": a colon hands the sentence to its subject.
            if not clause.rstrip().endswith(":"):
                return None
            named = self._first(number, start, end)
            return _Speaker(name=named) if named else None
        subject_end = start + verbs[0].start()
        return self._who(number, start, subject_end, self._last(number, start, subject_end))

    def _who(
        self, number: int, start: int, end: int, named: str | None, *, subject: bool = True
    ) -> _Speaker | None:
        """The speaker a span gives: a name found in it, else a pronoun or institution
        resolved to one, else an unnamed source it describes, else nobody."""
        name = named or self._role(number, start, end)
        if name is not None:
            return _Speaker(name=name)
        span = self.paragraphs[number][start:end]
        found = (_UNNAMED.search if subject else _UNNAMED.match)(span.lstrip(" ,;:—–-"))
        return _Speaker(unnamed=" ".join(found.group(0).split())) if found else None

    def _first(self, number: int, start: int, end: int) -> str | None:
        """The first person named in the span, else the first organisation."""
        inside = [e for m, e in self.named if m.paragraph == number and start <= m.start < end]
        people = [e for e in inside if e.kind == "person"]
        chosen = (people or inside)[:1]
        return chosen[0].name if chosen else None

    def _last(self, number: int, start: int, end: int) -> str | None:
        """The last person named in the span, else the last organisation."""
        inside = [e for m, e in self.named if m.paragraph == number and start <= m.start < end]
        people = [e for e in inside if e.kind == "person"]
        chosen = (people or inside)[-1:]
        return chosen[0].name if chosen else None

    def _role(self, number: int, start: int, end: int) -> str | None:
        """A speaker given by a pronoun ("he said") or an institution ("the ministry
        said"), resolved against what the article named before."""
        span = self.paragraphs[number][start:end]
        pronoun = _PRONOUN.search(span)
        if pronoun:
            gender: Gender = "he" if pronoun.group(1).lower() == "he" else "she"
            return self._antecedent(number, start, gender)
        institution = _INSTITUTION.search(span)
        if institution:
            return self._institution(number, start, institution.group(1))
        return None

    def _before_here(self, number: int, offset: int) -> list[Entity]:
        """The named entities before a point of the text, nearest first."""
        return [
            e
            for m, e in reversed(self.named)
            if m.paragraph < number or (m.paragraph == number and m.start < offset)
        ]

    def _antecedent(self, number: int, offset: int, gender: Gender) -> str | None:
        """The last person named before the pronoun whose pronoun is not known to be
        the other one; what it learns holds for the rest of the article."""
        for entity in self._before_here(number, offset):
            if entity.kind == "person" and self.genders.get(entity.name, gender) == gender:
                self.genders[entity.name] = gender
                return entity.name
        return None

    def _institution(self, number: int, offset: int, noun: str) -> str | None:
        """ "the ministry": the last organisation named with that word in its name;
        "the company": the last organisation named."""
        for entity in self._before_here(number, offset):
            if entity.kind != "organisation":
                continue
            if noun in _GENERIC_ORGS or noun in entity.name.lower().split():
                return entity.name
        return None


def _clause_end(paragraph: str, start: int, marks: _Marks) -> int:
    """Where the attribution after a closing mark ends: the sentence's end or the next
    opening mark, whichever comes first."""
    end = len(paragraph)
    opening = next((i for i in range(start, end) if marks.opens(paragraph, i)), end)
    for match in _SENTENCE_END.finditer(paragraph, start, opening):
        if not _ABBREVIATION.search(paragraph, 0, match.start() + 1):
            return match.end()
    return opening


def _clause_start(paragraph: str, end: int, marks: _Marks) -> int:
    """Where the sentence holding an opening mark starts: after the last sentence end
    or closing mark before it."""
    start = 0
    for match in _SENTENCE_END.finditer(paragraph, 0, end):
        if not _ABBREVIATION.search(paragraph, 0, match.start() + 1):
            start = match.end()
    closing = max((i + 1 for i in range(start, end) if marks.closes(paragraph, i)), default=0)
    return max(start, closing)


def _carry_over(paragraphs: Sequence[str], found: list[_Found]) -> list[_Found]:
    """Speakers for quotations whose sentence names none: the speaker of the quotation
    just before, in the same paragraph or (when this one opens its paragraph) in the
    previous one; else of the quotation just after, when only space separates them."""
    result = list(found)
    for index, quote in enumerate(result):
        if quote.speaker is not None:
            continue
        first = quote.parts[0]
        if index > 0:
            previous = result[index - 1]
            same = previous.parts[-1].paragraph == first.paragraph
            follows = previous.parts[-1].paragraph == first.paragraph - 1 and first.open_at == 0
            if previous.speaker and (same or follows):
                result[index] = _Found(quote.parts, previous.speaker, False)
                continue
        if index + 1 < len(result):
            following = result[index + 1]
            last, nxt = quote.parts[-1], following.parts[0]
            between = paragraphs[last.paragraph][last.end + 1 : nxt.open_at]
            if following.attributed and nxt.paragraph == last.paragraph and not between.strip():
                result[index] = _Found(quote.parts, following.speaker, False)
    return result
