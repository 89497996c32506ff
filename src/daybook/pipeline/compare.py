"""What a republishing outlet added to or cut from a wire article, paragraph by paragraph.

Outlets rarely reprint a wire story verbatim: they swap the dateline for their
own, trim the ending, add a local intro or change a word. A paragraph-level
diff alone would show each of those small edits as a whole paragraph cut and
another added, which hides how little changed; a word-level diff of the whole
text would drown the reader in noise. So paragraphs are aligned first (exact
matches anchor the alignment), paragraphs that are merely edited are paired by
similarity, and only those pairs get a word-level diff.

Everything here is bounded, because article texts come from the open web: at
most ``MAX_PARAGRAPHS`` paragraphs a side are compared and the work of one
comparison is capped by ``WORK_BUDGET``; when either limit cuts it short,
``Comparison.truncated`` says so. An edited paragraph too long (``MAX_TOKENS``)
or too repetitive (``MAX_DIFF_WORK``) to diff by word is shown as a whole cut
span and a whole added span.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from typing import Literal

from daybook.text.script import UNSPACED_CHARS

METHOD = "compare@1"

MAX_PARAGRAPHS = 400
# A news paragraph is 20-80 words; one of 2,000 is a page dumped into one
# paragraph, whose word diff would be unreadable anyway.
MAX_TOKENS = 2_000
# Work is counted in steps of difflib's inner loop (see ``_MeteredMatcher``),
# each a fraction of a microsecond. A word diff of two natural 2,000-word
# paragraphs takes some tens of thousands; one of 2,000 copies of "the" against
# the same would take millions, and is abandoned for a whole-paragraph span.
MAX_DIFF_WORK = 300_000
# For one whole comparison: a normal article needs a few thousand steps, a
# 400-paragraph rewrite a few hundred thousand.
WORK_BUDGET = 3_000_000
# Two paragraphs are one edited paragraph from this similarity on (difflib
# ratio over words): a changed word or dateline scores 0.8-0.95, a dropped
# sentence 0.6-0.8, unrelated news paragraphs 0.1-0.3.
SIMILAR = 0.5
# After the first acceptable partner, this many later paragraphs are tried for
# a better one, so an outlet's intro that paraphrases the lede does not steal
# the lede's pairing.
LOOKAHEAD = 3

# In scripts written without spaces each character is a token; otherwise a
# one-character edit to a Japanese paragraph would make the whole paragraph one
# changed "word".
_TOKEN = re.compile(rf"[{UNSPACED_CHARS}]|[^\s{UNSPACED_CHARS}]+")

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


@dataclass(frozen=True)
class Span:
    """A run of words inside an edited paragraph.

    The text is as the paragraph wrote it, so spans joined with single spaces
    read as the paragraph (in Japanese or Chinese, with a space at each joint).
    """

    kind: Literal["same", "added", "cut"]
    text: str


@dataclass(frozen=True)
class Change:
    kind: Literal["same", "added", "cut", "edited"]
    original: str | None  # the original's paragraph (None when added)
    copy: str | None  # the copy's paragraph (None when cut)
    spans: tuple[Span, ...]  # for "edited": word-level diff of original vs copy; else empty


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]
    added: int
    cut: int
    edited: int
    same: int
    # Only part of the texts was compared (paragraph cap or work budget reached).
    truncated: bool = False

    @property
    def identical(self) -> bool:
        """True only when the whole of both texts was compared and nothing differs."""
        return not (self.truncated or self.added or self.cut or self.edited)


def compare(original: str, copy: str) -> Comparison:
    """Align the copy's paragraphs against the original's and diff the edited ones by word."""
    ours, theirs = _paragraphs(original), _paragraphs(copy)
    truncated = len(ours) > MAX_PARAGRAPHS or len(theirs) > MAX_PARAGRAPHS
    ours, theirs = ours[:MAX_PARAGRAPHS], theirs[:MAX_PARAGRAPHS]
    aligner = _Aligner()
    changes: list[Change] = []
    # autojunk=False: with 200+ paragraphs difflib would otherwise ignore any
    # paragraph repeated more than 1% of the time (a "Read more" line) as an
    # anchor. At 400 paragraphs a side the quadratic worst case is cheap.
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(Change("same", text, text, ()) for text in ours[i1:i2])
        else:
            changes.extend(aligner.block(ours[i1:i2], theirs[j1:j2]))
    kinds = [change.kind for change in changes]
    return Comparison(
        changes=tuple(changes),
        added=kinds.count("added"),
        cut=kinds.count("cut"),
        edited=kinds.count("edited"),
        same=kinds.count("same"),
        truncated=truncated or aligner.exhausted,
    )


def _paragraphs(text: str) -> list[str]:
    """Split on blank lines and collapse whitespace, so re-wrapping alone is never a change."""
    found: list[str] = []
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip():
            lines.append(line)
        elif lines:
            found.append(" ".join(" ".join(lines).split()))
            lines = []
    if lines:
        found.append(" ".join(" ".join(lines).split()))
    return found


@dataclass(frozen=True, eq=False)
class _Words:
    """A paragraph's first ``MAX_TOKENS + 1`` tokens, with where each starts in the text."""

    text: str
    words: tuple[str, ...]
    starts: array[int]
    counts: dict[str, int]

    @property
    def oversized(self) -> bool:
        return len(self.words) > MAX_TOKENS

    def slice(self, lo: int, hi: int) -> str:
        """The text of tokens lo..hi-1 as written, so a span keeps the paragraph's spacing."""
        return self.text[self.starts[lo] : self.starts[hi - 1] + len(self.words[hi - 1])]


class _Aligner:
    """Pairs the paragraphs of unmatched blocks, spending from one comparison's budget."""

    def __init__(self) -> None:
        self.exhausted = False
        self._budget = WORK_BUDGET
        self._cache: dict[str, _Words] = {}
        # One string object per distinct word, so thousands of one-character
        # Japanese tokens share memory.
        self._vocabulary: dict[str, str] = {}

    def block(self, originals: Sequence[str], copies: Sequence[str]) -> Iterator[Change]:
        """Changes for a run where no paragraph is equal: edited pairs, the rest cut or added.

        Pairs never cross, so the copy's order is kept; paragraphs the copy moved
        appear as cut where they were and added where they are.
        """
        cursor = 0
        for original in originals:
            partner = self._partner(original, copies, cursor)
            if partner is None:
                yield Change("cut", original, None, ())
                continue
            j, spans = partner
            yield from (Change("added", None, text, ()) for text in copies[cursor:j])
            yield Change("edited", original, copies[j], spans)
            cursor = j + 1
        yield from (Change("added", None, text, ()) for text in copies[cursor:])

    def _partner(
        self, original: str, copies: Sequence[str], start: int
    ) -> tuple[int, tuple[Span, ...]] | None:
        """The first copy paragraph from ``start`` similar enough, or a better one just after."""
        if self.exhausted:
            return None
        ours = self._words(original)
        best: tuple[float, int, _Words, list[Opcode] | None] | None = None
        for j in range(start, len(copies)):
            if best is not None and j > best[1] + LOOKAHEAD:
                break
            theirs = self._words(copies[j])
            score, opcodes = self._score(ours, theirs)
            if score >= SIMILAR and (best is None or score > best[0]):
                best = (score, j, theirs, opcodes)
        if best is None:
            return None
        _, j, theirs, opcodes = best
        return j, _spans(ours, theirs, opcodes)

    def _score(self, ours: _Words, theirs: _Words) -> tuple[float, list[Opcode] | None]:
        """Similarity of two paragraphs, and their word diff when it was affordable.

        Cheap bounds come first (difflib's ratio never exceeds the length ratio
        or the share of common words), so unrelated paragraphs are rejected
        without an order-aware diff. Paragraphs too long to diff are judged by
        their common words alone.
        """
        total = len(ours.words) + len(theirs.words)
        if 2 * min(len(ours.words), len(theirs.words)) < SIMILAR * total:
            return 0.0, None
        small, large = sorted((ours.counts, theirs.counts), key=len)
        if not self._spend(1 + len(small)):
            return 0.0, None
        common = sum(min(n, large.get(word, 0)) for word, n in small.items())
        quick = 2 * common / total
        if quick < SIMILAR or ours.oversized or theirs.oversized:
            return quick, None
        matcher = _MeteredMatcher(ours, theirs, min(MAX_DIFF_WORK, self._budget))
        try:
            ratio = matcher.ratio()
        except _TooCostly:
            return quick, None
        finally:
            self._spend(matcher.spent)
        return ratio, matcher.get_opcodes()

    def _spend(self, cost: int) -> bool:
        if cost > self._budget:
            self.exhausted = True
            self._budget = 0
            return False
        self._budget -= cost
        return True

    def _words(self, text: str) -> _Words:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        words: list[str] = []
        starts: array[int] = array("q")
        counts: dict[str, int] = {}
        for match in _TOKEN.finditer(text):
            word = self._vocabulary.setdefault(match.group(), match.group())
            words.append(word)
            starts.append(match.start())
            counts[word] = counts.get(word, 0) + 1
            if len(words) > MAX_TOKENS:
                break
        self._cache[text] = _Words(text, tuple(words), starts, counts)
        return self._cache[text]


class _TooCostly(Exception):
    """A word diff went over its allowance of work."""


class _MeteredMatcher(SequenceMatcher[str]):
    """A word-level SequenceMatcher that stops when it has done its allowance of work.

    autojunk=False, because with it, in a paragraph of 200+ words, "the" and
    "of" could not anchor a match and would show as cut and re-added. Without
    it, one search for the longest match loops over every position in the copy
    of every word in the searched part of the original, so a repetitive
    paragraph costs the product of the lengths, again at each level of
    difflib's recursion. Each search is charged that count before it runs.
    """

    def __init__(self, ours: _Words, theirs: _Words, allowance: int) -> None:
        super().__init__(None, ours.words, theirs.words, autojunk=False)
        self.spent = 0
        self._allowance = allowance
        self._ours = ours.words
        self._counts = theirs.counts

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> Match:
        searched = self._ours[alo:ahi]
        cost = sum(self._counts.get(word, 0) for word in searched)
        # Counting is itself work; a search that would overrun is not started,
        # so ``spent`` is what was really done.
        self.spent += len(searched) + 1
        if self.spent + cost > self._allowance:
            raise _TooCostly
        self.spent += cost
        return super().find_longest_match(alo, ahi, blo, bhi)


def _spans(ours: _Words, theirs: _Words, opcodes: list[Opcode] | None) -> tuple[Span, ...]:
    """Word spans of an edited pair; without a word diff, the whole paragraph cut then added.

    difflib's opcodes alternate between equal and unequal runs, and a replace
    yields its cut before its addition, so no two neighbouring spans share a kind.
    """
    if opcodes is None:
        return (Span("cut", ours.text), Span("added", theirs.text))
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            spans.append(Span("same", ours.slice(i1, i2)))
        if tag in ("delete", "replace"):
            spans.append(Span("cut", ours.slice(i1, i2)))
        if tag in ("insert", "replace"):
            spans.append(Span("added", theirs.slice(j1, j2)))
    return tuple(spans)
