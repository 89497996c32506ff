"""Paragraphs and sentences of an article, and the units every enrichment cites.

Summaries, key points, story summaries and answers are all sentences taken verbatim
from an article, so a reader can be shown where each one came from. That makes the
sentence splitter the foundation: a sentence cut at "Mr." or "U.S." shows the reader
half a thought. The splitter is rule-based rather than spaCy's parser because it runs
on every article and every question, and news English is regular enough that a few
rules get it right:

- a period ends a sentence only when what follows looks like a new one (whitespace,
  then a capital, a digit, an opening quote or bracket);
- a period after a title ("Mr.", "Dr.", "Gen.") or an initial ("J. K. Rowling") never
  does, and one after a word that may or may not close a sentence ("U.S.", "a.m.",
  "Corp.") does only when the next word is one that typically opens a sentence;
- "6.4" and "example.com" have no space after the period, so they are never candidates;
- closing quotes and brackets after the terminator stay with the sentence they close;
- "?", "!" and an ellipsis followed by a lowercase word are inside a sentence
  ('"Why now?" she asked.');
- Chinese and Japanese full stops (。！？) end a sentence with or without a space.

The module also knows the page furniture no summary or answer should quote (bylines,
captions and credits, boilerplate) and the fingerprint by which wire copies of one
sentence are recognised across publishers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from daybook.text.wordlists import WordLists


@dataclass(frozen=True)
class Sentence:
    """One sentence, verbatim, and where it sits: 0-based paragraph of the article and
    0-based sentence within that paragraph."""

    text: str
    paragraph: int
    index: int


@dataclass(frozen=True)
class Doc:
    """An article as the story-level functions see it."""

    article_id: int
    publisher: str
    paragraphs: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Cited:
    """A sentence with the article it came from: the traceable unit of story summaries
    and answers."""

    article_id: int
    sentence: Sentence


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_BREAK = re.compile(r"\s*\n\s*")

# A run of terminators, the quotes/brackets that close with it, then what follows.
_BOUNDARY = re.compile(r"(?P<stop>[.!?…]+|[。！？]+)(?P<close>[\"'”’»)\]）」』】]*)")
_OPENERS = "\"'“‘«([（「『【"
_CJK_STOPS = frozenset("。！？")


LISTS = WordLists(__name__)
"""The word lists this module reads (``text.toml`` beside it)."""

_NEVER_FINAL = LISTS.words("never_final")
_BEFORE_NUMBER = LISTS.words("before_number")
_AMBIGUOUS = LISTS.words("ambiguous")
_TIME_OF_DAY = frozenset(("a.m", "p.m"))
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")
_INITIAL = re.compile(r"^[A-Z]$")

_STARTERS = LISTS.words("starters")
_NOT_AFTER_TIME = LISTS.words("not_after_time")


MAX_TEXT_CHARS = 60_000
"""What enrichment reads of an article, from the top. A 5 MB page is allowed in, and
all of it would take minutes of NER and the summariser's memory; 60,000 characters is
a long feature several times over."""


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a stored article text (separated by a blank line).

    A single line break inside a paragraph is a wrap, not a boundary: it becomes a space,
    so a sentence never holds a newline."""
    parts = (_LINE_BREAK.sub(" ", part.strip()) for part in _PARAGRAPH_BREAK.split(text))
    return [part for part in parts if part]


def split_sentences(paragraphs: Sequence[str]) -> list[Sentence]:
    """Every sentence of the paragraphs, in order, each a verbatim slice of its paragraph."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        for index, text in enumerate(_split(paragraph)):
            sentences.append(Sentence(text, number, index))
    return sentences


def _split(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end()
        if _ends_here(paragraph, match):
            piece = paragraph[start:end].strip()
            if piece:
                pieces.append(piece)
            start = end
    rest = paragraph[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


_CONTEXT = 200
"""Characters either side of a stop that decide it: a window, not the rest of the
paragraph, so one runaway paragraph splits in linear time."""


def _ends_here(paragraph: str, match: re.Match[str]) -> bool:
    stop = match.group("stop")
    after = paragraph[match.end() : match.end() + _CONTEXT]
    if stop[0] in _CJK_STOPS:
        return True
    if not after or not after[0].isspace():
        # "6.4", "example.com", "Yahoo!Japan": no space, no boundary. End of paragraph
        # is handled by the caller.
        return False
    following = after.lstrip()
    if not following:
        return False
    first = following[0]
    if first.islower():
        return False
    if not (first.isupper() or first.isdigit() or first in _OPENERS or not first.isalpha()):
        return False
    if stop != ".":
        return True  # "?", "!", "?!", "..." before a capital
    if match.group("close"):
        return True  # 'we will.” The...': the quote closed on a full stop
    return _period_ends(paragraph[max(0, match.start() - _CONTEXT) : match.start()], following)


def _period_ends(before: str, following: str) -> bool:
    """Whether a period after the text ``before`` ends a sentence, given what follows."""
    words = before.split()
    token = words[-1] if words else ""
    token = token.lstrip(_OPENERS)
    word = token.lower()
    next_word = re.match(r"[\w'’-]*", following)
    next_token = next_word.group(0) if next_word else ""
    starter = next_token.lower() in _STARTERS
    if word in _NEVER_FINAL:
        return False
    if word in _BEFORE_NUMBER:
        return not following[0].isdigit()
    if _INITIAL.match(token):
        return starter  # "J. K. Rowling", but "Plan B. The..."
    if word in _TIME_OF_DAY:
        # "9 a.m. Tuesday" / "9 a.m. GMT" continue; "9 a.m. Officials said" does not.
        return next_token[:1].isupper() and not (
            next_token.lower() in _NOT_AFTER_TIME or next_token.isupper()
        )
    if word in _AMBIGUOUS or _DOTTED.match(word):
        return starter or following[0] in _OPENERS
    return True


# --- what is not article prose --------------------------------------------------------

# Boilerplate wherever it sits, even inside a long sentence.
_ALWAYS_BOILERPLATE = re.compile(
    r"""\bcontributed\ to\ this\ report\b|\ball\ rights\ reserved\b|©|^copyright\b
    |\bcopyright\ \d{4}\b|^\(?(?:reporting|editing|writing|additional\ reporting)\ by\b
    |\b(?:editing|writing)\ by\ (?-i:[A-Z])
    |\bthis\ (?:article|story)\ (?:was|has\ been)\ (?:first\ |originally\ )?
    (?:published|updated)""",
    re.IGNORECASE | re.VERBOSE,
)
# Calls to action: boilerplate in a short sentence, but words prose may use at length.
_BOILERPLATE = re.compile(
    r"""\bsign\ up\b|\bnewsletters?\b|\bclick\ here\b|\bread\ (?:more|also|next)\b|\bsee\ also\b
    |\b(?:first|originally)\ (?:published|appeared)\ (?:on|in|at)\b
    |\bfollow\ (?:us|him|her|them)\ on\b|\b(?:download|get|open|first\ in)\ (?:the|our)\ app\b
    |\bjoin\ the\ conversation\b|\bterms\ of\ (?:use|service)\b|\bprivacy\ policy\b""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_MAX_WORDS = 25
# Single interface words ("Share this", "Advertisement"): boilerplate only when nearly alone.
_INTERFACE = re.compile(
    r"\b(?:subscribe|advertisement|share\ this|log\ ?in|sign\ in|comments?)\b",
    re.IGNORECASE | re.VERBOSE,
)
_INTERFACE_MAX_WORDS = 6
_CREDIT = re.compile(
    r"""\b(?:photo|photograph|picture|image|video|file\ photo|illustration)s?\s*(?::|by\b|credit\b)
    |\((?:AP|AFP|Reuters|Kyodo|Jiji|Getty|EPA|Bloomberg|Xinhua|Yonhap)\b[^)]*(?:photo|/)[^)]*\)
    |\b(?:AP|AFP|EPA|Reuters|REUTERS|Bloomberg|Kyodo|Jiji)\s*/\s*[A-Z]|\bGetty\ Images\b
    |\b[Ff]ile\ photo\b|\(pictured\)|\bpictured\ (?:above|below|left|right|here)\b
    |\(from\ left\)|\b(?:left|right|centre|center)\ to\ (?:right|left)\b""",
    re.VERBOSE,
)
_BYLINE_JOINERS = LISTS.words("byline_joiners")
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’»)\]）」』】]*$")


def is_furniture(text: str) -> bool:
    """Whether a sentence is page furniture rather than the article's prose: a byline,
    a photo caption or credit, a heading without an end, or boilerplate ("Sign up...",
    "Reporting by ...; Editing by ...", "All rights reserved")."""
    words = text.split()
    if _ALWAYS_BOILERPLATE.search(text) or _CREDIT.search(text) or _is_byline(words):
        return True
    if len(words) <= _BOILERPLATE_MAX_WORDS and _BOILERPLATE.search(text):
        return True
    if len(words) <= _INTERFACE_MAX_WORDS and _INTERFACE.search(text):
        return True
    # A line that does not end like a sentence is a heading, a label or a caption
    # fragment; prose paragraphs end with a terminator (or a closing quote after one).
    return not _TERMINAL.search(text)


def furniture_paragraphs(paragraphs: Sequence[str]) -> set[int]:
    """The paragraphs that are furniture as a whole. A caption splits into a sentence
    that reads like prose and a credit after it ("Passengers wait at Sendai Station.
    (AP Photo/...)"); the credit condemns the whole paragraph."""
    return {
        number
        for number, paragraph in enumerate(paragraphs)
        if _CREDIT.search(paragraph)
        or _ALWAYS_BOILERPLATE.search(paragraph)
        or _is_byline(paragraph.split())
    }


def _is_byline(words: list[str]) -> bool:
    """ "By Jane Doe", "BY LUIS ORTEGA", "By Jane Doe and Ken Sato in Tokyo": "By" and
    names, no verb. "By Monday, officials had..." has lowercase words, so it is prose."""
    if not words or words[0].lower() != "by" or not 2 <= len(words) <= 12:
        return False
    rest = [w.strip(",.;:()") for w in words[1:]]
    named = [w for w in rest if w and w.lower() not in _BYLINE_JOINERS]
    return bool(named) and all(w[0].isupper() for w in named)


_QUOTE_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
_WORD = re.compile(r"\w+")


def fingerprint(text: str) -> str:
    """The sentence with case, quote style and punctuation folded away: wire copies of a
    sentence differ in exactly those."""
    return " ".join(_WORD.findall(text.translate(_QUOTE_FOLD).lower()))


def near_duplicate(a: str, b: str, threshold: float = 0.7) -> bool:
    """Whether two sentences are the same sentence up to light edits (word-set Jaccard)."""
    words_a, words_b = set(fingerprint(a).split()), set(fingerprint(b).split())
    if not words_a or not words_b:
        return words_a == words_b
    return len(words_a & words_b) / len(words_a | words_b) >= threshold
