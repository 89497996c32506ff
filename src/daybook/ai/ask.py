"""Extractive question answering: the sentences of an article or a story that answer.

Nothing is written: an answer is a ranked list of the articles' own sentences, each
with its article, paragraph and position, so a reader can check it.

Two signals are combined because each fails where the other holds. Static word
embeddings catch paraphrase ("quake" / "earthquake", "hurt" / "injured") but score
any sentence on the same topic as close; word overlap (BM25 over the sentences of the
docs, with light stemming) is exact but blind to synonyms. A sentence must share
enough of the question's rarer words, or be very close in meaning, to count as
relevant at all; that gate is what lets a question about something the articles never
mention get no answer rather than the nearest wrong one.

The question word adds a small nudge: "who" favours sentences naming someone, "when"
dates and times, "how many" numbers, "where" places, "why" causes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from daybook.ai.embed import EmbedFn
from daybook.ai.nlp import irregular_lemmas
from daybook.ai.text import (
    Cited,
    Doc,
    Sentence,
    fingerprint,
    furniture_paragraphs,
    is_furniture,
    near_duplicate,
    split_sentences,
)
from daybook.text.script import CJK, CJK_CHARS, word_count
from daybook.text.wordlists import WordLists

MAX_QUESTION_CHARS = 500
MIN_WORDS = 4
EMBED_WEIGHT = 0.45
COVERAGE_WEIGHT = 0.35
BM25_WEIGHT = 0.2
POSITION_WEIGHT = 0.1
"""News puts the main facts first: of two sentences that answer alike, the earlier one
is more likely to be about the event itself rather than background."""
CUE_BONUS = 0.08
MIN_COVERAGE = 0.25
"""Share of the question's word weight (IDF) a sentence must contain to be relevant."""
MIN_SIMILARITY = 0.65
"""Embedding similarity that makes a sentence relevant without shared words."""
MIN_SCORE = 0.35
RELATIVE_FLOOR = 0.6
"""An answer after the first must score at least this share of the best one."""
DUPLICATE_COSINE = 0.95
"""Embedding similarity at which two answer sentences say the same thing."""
SYNONYM_COSINE = 0.7
"""Word-embedding similarity at which a docs' word stands for a question word."""
MIN_PREFIX = 5
"""Shortest stem that matches the words it begins ("japan" -> "japanese")."""
POSITION_DECAY = 5.0
BM25_K1 = 1.2
BM25_B = 0.75

LISTS = WordLists(__name__)
"""The word lists this module reads (``ask.toml`` beside it)."""

_TOKEN = re.compile(rf"[{CJK_CHARS}]|[^\W_{CJK_CHARS}]+(?:[.,'’-][^\W_{CJK_CHARS}]+)*")
_STOPWORDS = LISTS.words("stopwords")
# "how long", "how many": the second word is part of the question word, not the topic.
_QUESTION_PHRASE = re.compile(
    r"\bhow\s+(?:many|much|long|far|big|large|deep|high|strong|old|fast|often|soon)\b", re.I
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")

_PERSON = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_DATE = re.compile(
    r"""\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march
    |april|may|june|july|august|september|october|november|december|jan|feb|aug|sept?|oct
    |nov|dec|yesterday|today|tomorrow|tonight|morning|afternoon|evening|night|week|month
    |year|decade|century)\b|\b(?:1[89]|20)\d\d\b|\b\d{1,2}:\d\d\b|\b[ap]\.m\.""",
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = re.compile(
    r"""\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozens?
    |hundreds?|thousands?|millions?|billions?|trillions?|half|quarter)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PLACE = re.compile(r"\b(?:in|at|near|off|from|across|outside|inside)\s+(?:the\s+)?[A-Z]\w+")
_CAUSE = re.compile(
    r"\b(?:because|due to|as a result|owing to|amid|after|caused by|so that|in order to|"
    r"blamed|reason)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|few|many)\s+"
    r"(?:\w+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b",
    re.IGNORECASE,
)
_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"\bhow long\b", re.I), _DURATION),
    (
        re.compile(
            r"\bhow (?:many|much|far|big|large|deep|high|strong|old|fast)\b|\b(?:magnitude"
            r"|percentage|number of|amount|size|cost|price|rate|toll|figure|total)\b",
            re.I,
        ),
        _NUMBER,
    ),
    # "How deep" asks for a depth the text gives in metres, never with the word "deep".
    (re.compile(r"\bhow deep\b", re.I), re.compile(r"\bdepth\b|\b(?:kilo)?met(?:re|er)s?\b", re.I)),
    (
        re.compile(r"\bhow (?:high|tall)\b", re.I),
        re.compile(r"\b(?:height|tall|metres|feet)\b", re.I),
    ),
    (
        re.compile(r"\bhow far\b", re.I),
        re.compile(r"\b(?:km|kilomet(?:re|er)s|miles|away)\b", re.I),
    ),
    (re.compile(r"\bhow fast\b", re.I), re.compile(r"\b(?:speed|per hour|mph|km/h)\b", re.I)),
    (
        re.compile(r"\bhow strong\b", re.I),
        re.compile(r"\b(?:magnitude|strength|intensity)\b", re.I),
    ),
    (
        re.compile(r"\bhow (?:cold|hot|warm)\b", re.I),
        re.compile(r"\b(?:degrees|temperatures?)\b", re.I),
    ),
    (re.compile(r"\bwhen\b|\bwhat (?:time|date|day|year|month)\b", re.I), _DATE),
    (re.compile(r"\bwho(?:m|se)?\b", re.I), _PERSON),
    (re.compile(r"\bwhere\b", re.I), _PLACE),
    (re.compile(r"\bwhy\b", re.I), _CAUSE),
)


def answer(
    question: str, docs: Sequence[Doc], embed: EmbedFn, *, limit: int = 3
) -> tuple[Cited, ...]:
    """Up to ``limit`` sentences of ``docs`` that answer ``question``, best first; empty
    when none is relevant enough. Raises ``ValueError`` for an empty question or one
    over ``MAX_QUESTION_CHARS`` characters."""
    question = validate_question(question)
    pool = _sentences(docs)
    if not pool or limit < 1:
        return ()
    texts = [sentence.text for _, sentence, _ in pool]
    vectors = embed([question, *texts])
    similarity = np.asarray(vectors[1:] @ vectors[0], dtype=np.float64)
    prior = np.array([math.exp(-rank / POSITION_DECAY) for _, _, rank in pool])
    terms = _question_terms(question)
    if terms:
        sentence_stems = [[_stem(w) for w in _words(t)] for t in texts]
        titles = [_stem(w) for doc in docs for w in _words(doc.title)]
        matches = _matches(terms, [*(s for stems in sentence_stems for s in stems), *titles], embed)
        if not _about(terms, matches):
            return ()
        coverage, bm25 = _lexical(matches, sentence_stems)
        top = float(bm25.max())
        scores = (
            EMBED_WEIGHT * similarity
            + COVERAGE_WEIGHT * coverage
            + BM25_WEIGHT * (bm25 / top if top > 0 else bm25)
            + POSITION_WEIGHT * prior
        )
        relevant = (coverage >= MIN_COVERAGE) | (similarity >= MIN_SIMILARITY)
    else:
        # "What happened?": no topic words, so the gist of the articles answers: the
        # sentences closest to their centroid, leads first.
        mean = vectors[1:].mean(axis=0)
        central = vectors[1:] @ (mean / max(float(np.linalg.norm(mean)), 1e-9))
        scores = EMBED_WEIGHT * np.asarray(central, dtype=np.float64) + COVERAGE_WEIGHT * prior
        relevant = np.ones(len(pool), dtype=bool)
    scores = scores + CUE_BONUS * _cue_matches(question, texts)
    order = [int(i) for i in np.argsort(-scores, kind="stable") if relevant[i]]
    if not order or scores[order[0]] < MIN_SCORE:
        return ()
    floor = max(MIN_SCORE, RELATIVE_FLOOR * float(scores[order[0]]))
    chosen: list[int] = []
    for i in order:
        if len(chosen) == limit or scores[i] < floor:
            break
        if any(
            near_duplicate(texts[i], texts[j])
            or float(vectors[i + 1] @ vectors[j + 1]) > DUPLICATE_COSINE
            for j in chosen
        ):
            continue
        chosen.append(i)
    return tuple(Cited(docs[pool[i][0]].article_id, pool[i][1]) for i in chosen)


def validate_question(question: str) -> str:
    """The question, trimmed; ``ValueError`` with a message a reader can act on if it is
    empty or too long."""
    trimmed = question.strip()
    if not trimmed:
        raise ValueError("the question is empty: type a question about the article")
    if len(trimmed) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"the question is {len(trimmed)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    return trimmed


def _sentences(docs: Sequence[Doc]) -> list[tuple[int, Sentence, int]]:
    """(doc index, sentence, position among the doc's prose sentences) for every prose
    sentence; a wire copy's repeat of an earlier doc's sentence is kept once."""
    seen: set[str] = set()
    pool: list[tuple[int, Sentence, int]] = []
    for number, doc in enumerate(docs):
        furniture = furniture_paragraphs(doc.paragraphs)
        prose = (
            s
            for s in split_sentences(doc.paragraphs)
            if s.paragraph not in furniture
            and not is_furniture(s.text)
            and word_count(s.text) >= MIN_WORDS
        )
        for rank, sentence in enumerate(prose):
            key = fingerprint(sentence.text)
            if key not in seen:
                seen.add(key)
                pool.append((number, sentence, rank))
    return pool


@dataclass(frozen=True)
class _Term:
    stem: str
    word: str
    name: bool
    """Written with a capital inside the question: a name the docs must mention."""


def _question_terms(question: str) -> list[_Term]:
    """The words of the question that say what it is about (no question words, no
    stopwords, no "how many")."""
    terms: dict[str, _Term] = {}
    for position, word in enumerate(_words(_QUESTION_PHRASE.sub(" ", question))):
        if word.lower() in _STOPWORDS and not (len(word) > 1 and word.isupper()):
            continue  # but "US" and "WHO" are names
        name = not CJK.match(word) and any(c.isupper() for c in word[position == 0 :])
        stem = _stem(word)
        if stem not in terms:
            terms[stem] = _Term(stem, word.lower(), name)
    return list(terms.values())


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _stem(word: str) -> str:
    """A light stemmer: enough to match "injured" with "injuries", "quakes" with
    "quake" and "winning" with "win", and, through the lemmatiser's irregular forms,
    "shrank" with "shrink", without tagging the text."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if not word.isalpha():
        return word
    word = irregular_lemmas().get(word, word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed", "er", "ers") and word[-1] == word[-2]:
                word = word[:-1]  # "winning" -> "win", "stopped" -> "stop"
            break
    if len(word) > 3 and word[-1] in "ey":
        word = word[:-1]
    return word


def _matches(terms: Sequence[_Term], vocabulary: Sequence[str], embed: EmbedFn) -> list[set[str]]:
    """For each question term, the stems of the docs that count as that term: the same
    stem, one that extends it ("Japan" / "Japanese"), or, for words that are not names,
    one whose embedding is close ("quake" / "earthquake", "died" / "killed")."""
    stems = sorted({v for v in vocabulary if v.isalpha() and len(v) >= 3} - _STOPWORDS)
    found: list[set[str]] = []
    present = set(vocabulary)
    for term in terms:
        same = {term.stem} & present
        if term.stem.isalpha() and len(term.stem) >= MIN_PREFIX:
            same |= {
                v
                for v in stems
                if len(v) >= MIN_PREFIX and (v.startswith(term.stem) or term.stem.startswith(v))
            }
        found.append(same)
    # Names only match literally: static embeddings of a rare name are built from its
    # sub-word pieces, so "Everest" lands close to "ever".
    wanted = [i for i, term in enumerate(terms) if term.stem.isalpha() and not term.name]
    if wanted and stems:
        vectors = embed([*(terms[i].word for i in wanted), *stems])
        close = vectors[: len(wanted)] @ vectors[len(wanted) :].T
        for row, i in enumerate(wanted):
            found[i] |= {stems[j] for j in np.flatnonzero(close[row] >= SYNONYM_COSINE)}
    return found


def _about(terms: Sequence[_Term], matches: Sequence[set[str]]) -> bool:
    """Whether the docs are about the question at all: every name it uses appears, and
    more than half of its other words do. A question about "the new iPhone" is not
    answered by an article that only shares the word "new"."""
    if any(term.name and not found for term, found in zip(terms, matches, strict=True)):
        return False
    return sum(1 for found in matches if found) > len(terms) / 2


def _lexical(
    matches: Sequence[set[str]], sentences: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence: the share of the question's IDF weight it contains, and its BM25
    (a term counts wherever one of its matching stems appears)."""
    count = len(sentences)
    bags = [Counter(stems) for stems in sentences]
    hits = [[sum(bag[s] for s in found) for found in matches] for bag in bags]
    frequency = [sum(1 for row in hits if row[t]) for t in range(len(matches))]
    idf = [math.log(1 + (count - df + 0.5) / (df + 0.5)) for df in frequency]
    total = sum(idf)
    average = sum(len(stems) for stems in sentences) / count or 1.0
    coverage = np.zeros(count)
    bm25 = np.zeros(count)
    for i, row in enumerate(hits):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(sentences[i]) / average)
        coverage[i] = sum(w for w, n in zip(idf, row, strict=True) if n) / total
        bm25[i] = sum(w * n * (BM25_K1 + 1) / (n + norm) for w, n in zip(idf, row, strict=True))
    return coverage, bm25


def _cue_matches(question: str, texts: Sequence[str]) -> np.ndarray:
    """1 for each sentence that holds what the question word asks for (a number for
    "how many", a date for "when"...), else 0."""
    patterns = [wanted for asks, wanted in _CUES if asks.search(question)]
    return np.array(
        [float(any(p.search(text) for p in patterns)) for text in texts], dtype=np.float64
    )
