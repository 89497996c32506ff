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
to diff by word is shown as a whole cut span and a whole added span.

Diffs are rapidfuzz's Indel (longest common subsequence, bit-parallel in C) on
token lists: its cost is the product of the lengths over 64 whatever the words,
so a repetitive paragraph is as cheap as any other and needs no metering.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Indel

from daybook.text.script import UNSPACED_CHARS

METHOD = "compare@1"

MAX_PARAGRAPHS = 400
# A news paragraph is 20-80 words; one of 2,000 is a page dumped into one
# paragraph, whose word diff would be unreadable anyway.
MAX_TOKENS = 2_000
# Work is counted in token steps: one per token looked at when counting common
# words, one per 64 token pairs of a diff. A normal article needs a few
# thousand; 400 paragraphs a side that all share their words, each pair needing
# a diff, would need hundreds of millions and are cut short.
WORK_BUDGET = 3_000_000
# Two paragraphs are one edited paragraph from this similarity on (words in
# common order, 2 x LCS / total): a changed word or dateline scores 0.8-0.95, a
# dropped sentence 0.6-0.8, unrelated news paragraphs 0.1-0.3.
SIMILAR = 0.5
# After the first acceptable partner, this many later paragraphs are tried for
# a better one, so an outlet's intro that paraphrases the lede does not steal
# the lede's pairing.
LOOKAHEAD = 3

# In scripts written without spaces each character is a token; otherwise a
# one-character edit to a Japanese paragraph would make the whole paragraph one
# changed "word".
_TOKEN = re.compile(rf"[{UNSPACED_CHARS}]|[^\s{UNSPACED_CHARS}]+")

# A stretch of an alignment: equal on both sides, or differing (tokens cut from
# the first side and added from the second, either possibly empty).
Run = tuple[Literal["equal", "differ"], int, int, int, int]


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
    for tag, i1, i2, j1, j2 in _runs(ours, theirs):
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


def _runs(ours: Sequence[str], theirs: Sequence[str]) -> list[Run]:
    """The longest common subsequence of two token lists, as alternating equal and differing runs.

    Indel lists a replacement as separate insertions and deletions, in either
    order; merging everything between two equal stretches gives the caller one
    block to pair paragraphs in, and one cut and one added span of words.
    """
    runs: list[Run] = []
    for op in Indel.opcodes(ours, theirs):
        tag: Literal["equal", "differ"] = "equal" if op.tag == "equal" else "differ"
        if tag == "differ" and runs and runs[-1][0] == "differ":
            _, i1, _, j1, _ = runs.pop()
            runs.append(("differ", i1, op.src_end, j1, op.dest_end))
        else:
            runs.append((tag, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return runs


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
        best: tuple[float, int, _Words, list[Run] | None] | None = None
        for j in range(start, len(copies)):
            if best is not None and j > best[1] + LOOKAHEAD:
                break
            theirs = self._words(copies[j])
            score, runs = self._score(ours, theirs)
            if score >= SIMILAR and (best is None or score > best[0]):
                best = (score, j, theirs, runs)
        if best is None:
            return None
        _, j, theirs, runs = best
        return j, _spans(ours, theirs, runs)

    def _score(self, ours: _Words, theirs: _Words) -> tuple[float, list[Run] | None]:
        """Similarity of two paragraphs, and their word diff when it was affordable.

        Cheap bounds come first (words in common order never exceed the length
        ratio or the share of common words), so unrelated paragraphs are
        rejected without an order-aware diff. Paragraphs too long to diff are
        judged by their common words alone.
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
        if not self._spend(1 + len(ours.words) * len(theirs.words) // 64):
            return quick, None
        runs = _runs(ours.words, theirs.words)
        same = sum(i2 - i1 for tag, i1, i2, _, _ in runs if tag == "equal")
        return 2 * same / total, runs

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


def _spans(ours: _Words, theirs: _Words, runs: list[Run] | None) -> tuple[Span, ...]:
    """Word spans of an edited pair; without a word diff, the whole paragraph cut then added.

    Runs alternate between equal and differing, and a differing run yields its
    cut before its addition, so no two neighbouring spans share a kind.
    """
    if runs is None:
        return (Span("cut", ours.text), Span("added", theirs.text))
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in runs:
        if tag == "equal":
            spans.append(Span("same", ours.slice(i1, i2)))
            continue
        if i2 > i1:
            spans.append(Span("cut", ours.slice(i1, i2)))
        if j2 > j1:
            spans.append(Span("added", theirs.slice(j1, j2)))
    return tuple(spans)
