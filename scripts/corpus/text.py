"""Text helpers for the corpus: quote markup, house typography, sentences, slugs, entities.

The event sources mark every attributed quote as ``{Speaker Name: words}`` so that
the ground truth for quotes is written once, next to the prose, and cannot drift
from it. A quote may run over a paragraph break; it is then printed the way news
copy does it: the first paragraph opens the quote and does not close it, the next
one opens it again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

QUOTE = re.compile(r"\{([^{}:\n]+): ([^{}]*)\}")
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class Span:
    """Where one part of a quote sits: paragraph index and character offsets."""

    paragraph: int
    start: int
    end: int


@dataclass
class MarkedQuote:
    speaker: str
    spans: list[Span] = field(default_factory=list)


def render_quotes(raw: list[str]) -> tuple[list[str], list[MarkedQuote]]:
    """Turn quote markup into printed quote marks, remembering where each quote's words are.

    The recorded words leave out the quote marks and a trailing comma (the comma
    is punctuation of the sentence around the quote, not part of what was said).
    """
    source = PARAGRAPH_BREAK.join(raw)
    out: list[str] = []
    quotes: list[MarkedQuote] = []
    absolute: list[list[tuple[int, int]]] = []
    cursor = 0
    length = 0
    for match in QUOTE.finditer(source):
        before = source[cursor : match.start()]
        out.append(before)
        length += len(before)
        parts = match.group(2).split(PARAGRAPH_BREAK)
        spans: list[tuple[int, int]] = []
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            printed = '"' + part + ('"' if last else "")
            if not last:
                printed += PARAGRAPH_BREAK
            start = length + 1
            end = start + len(part)
            if last and part.endswith(","):
                end -= 1
            spans.append((start, end))
            out.append(printed)
            length += len(printed)
        quotes.append(MarkedQuote(match.group(1).strip()))
        absolute.append(spans)
        cursor = match.end()
    out.append(source[cursor:])
    text = "".join(out)
    if "{" in text or "}" in text:
        raise ValueError(f"unbalanced quote markup near: {text[text.find('{') - 40 :][:120]!r}")
    paragraphs = text.split(PARAGRAPH_BREAK)
    starts: list[int] = []
    offset = 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + len(PARAGRAPH_BREAK)
    for quote, spans in zip(quotes, absolute, strict=True):
        for start, end in spans:
            index = max(i for i, s in enumerate(starts) if s <= start)
            quote.spans.append(Span(index, start - starts[index], end - starts[index]))
    return paragraphs, quotes


def quote_text(paragraphs: list[str], quote: MarkedQuote) -> str:
    return " ".join(paragraphs[s.paragraph][s.start : s.end].strip() for s in quote.spans)


def strip_markup(text: str) -> str:
    """The printed form of a single line of markup (used for headlines and teasers)."""
    return QUOTE.sub(lambda m: '"' + m.group(2) + '"', text)


_OPENERS = " \t\n([—–-/"


def curl(text: str) -> str:
    """House style with typographic quotes; maps character for character so spans survive."""
    chars = list(text)
    for i, char in enumerate(chars):
        before = text[i - 1] if i else " "
        if char == '"':
            chars[i] = "“" if before in _OPENERS or before in "‘'" else "”"
        elif char == "'":
            chars[i] = "‘" if before in _OPENERS or before in '"“' else "’"
    return "".join(chars)


_ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "Mr.", "Ms.", "Dr.", "St.", "No.", "Jan.", "Feb.")


def first_sentence_end(paragraph: str) -> int:
    """Index just past the first sentence (and its trailing space), or the paragraph length."""
    for match in re.finditer(r'[.!?]["”]?(\s+)(?=["“A-Z0-9])', paragraph):
        head = paragraph[: match.start() + 1]
        if head.endswith(_ABBREVIATIONS):
            continue
        return match.end()
    return len(paragraph)


def slugify(title: str, words: int = 7) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    ascii_title = ascii_title.replace("'", "").lower()
    tokens = re.findall(r"[a-z0-9]+", ascii_title)
    return "-".join(tokens[:words])


@dataclass(frozen=True)
class Entity:
    kind: str  # person | org | place | other (a name that is none of those: masks shorter ones)
    name: str
    aliases: tuple[str, ...]


def load_lexicon(text: str) -> list[Entity]:
    """``kind | Canonical Name | alias, alias`` per line; people also answer to their surname
    unless the line ends with ``| nosurname``."""
    entities: list[Entity] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("|")]
        kind, name = cells[0], cells[1]
        aliases = [a.strip() for a in cells[2].split(",")] if len(cells) > 2 and cells[2] else []
        options = cells[3:] if len(cells) > 3 else []
        if kind == "person" and "nosurname" not in options and " " in name:
            aliases.append(name.split()[-1])
        if kind not in {"person", "org", "place", "other"}:
            raise ValueError(f"unknown entity kind in {line!r}")
        entities.append(Entity(kind, name, (name, *aliases)))
    seen: dict[str, str] = {}
    for entity in entities:
        for alias in entity.aliases:
            if seen.get(alias, entity.name) != entity.name:
                raise ValueError(f"alias {alias!r} names both {seen[alias]} and {entity.name}")
            seen[alias] = entity.name
    return entities


class Matcher:
    """Finds the entities a text mentions, longest name first, so that "Bank of Japan"
    counts as an organisation and not also as a mention of the place Japan."""

    def __init__(self, entities: list[Entity]) -> None:
        pairs = sorted(
            ((alias, e) for e in entities for alias in e.aliases), key=lambda p: -len(p[0])
        )
        self._by_alias = dict(pairs)
        alternatives = "|".join(re.escape(alias) for alias, _ in pairs) or "(?!)"
        self._pattern = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")

    def find(self, text: str) -> list[Entity]:
        found: list[Entity] = []
        for match in self._pattern.finditer(text):
            entity = self._by_alias[match.group(0)]
            if entity not in found:
                found.append(entity)
        return found

    def covered(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self._pattern.finditer(text)]
