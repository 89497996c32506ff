"""Extractive summaries: sentences of the article itself, chosen, never written.

A summary that only quotes the article cannot invent a fact, and every sentence can
be traced to its paragraph. The choice is made in three steps:

1. Drop what a reader should never see as a summary: page furniture (bylines,
   captions, boilerplate; see ``text.is_furniture``), fragments too short to say
   anything, run-on sentences too long to skim, and sentences that are mostly a quote
   or the continuation of one.
2. Score what is left on how central it is (closeness to the centroid of the article's
   sentences), how close it is to the headline, and where it sits: news is written as
   an inverted pyramid, so the gist comes first and the prior decays with position.
3. Pick greedily by maximal marginal relevance, so each pick adds something the
   previous ones did not say.

A sentence that only makes sense after the one before it (it opens on a pronoun or a
connective, "He added...", "But...", "It also...", or attributes to a bare "he said")
may never open a summary, and inside one it may only follow its own predecessor. A
sentence whose subject is a common noun the article introduced earlier ("The agency
said...", "The quake hit...") may sit inside a summary but not open it, unless it is
the article's own first sentence. The rules read the first words and the attribution,
not names or topics, so they hold for any news text.

``METHOD`` names the algorithm and its version; it is stored beside each summary so
that a better algorithm re-summarises only what the old one wrote.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from daybook.ai.embed import EmbedFn, Vectors
from daybook.ai.quotes import quoted_spans
from daybook.ai.text import (
    Cited,
    Doc,
    Sentence,
    furniture_paragraphs,
    is_furniture,
    near_duplicate,
    split_sentences,
)
from daybook.text.dateline import strip_dateline
from daybook.text.script import word_count
from daybook.text.wordlists import WordLists

METHOD = "mmr-centroid@2"

MIN_WORDS = 6
MAX_WORDS = 60
MAX_QUOTED = 0.75
"""Share of a sentence inside quotation marks above which it is a quote, not a fact."""

CENTROID_WEIGHT = 0.5
TITLE_WEIGHT = 0.3
QUOTE_PENALTY = 0.15
SUMMARY_POSITION_WEIGHT = 0.35
KEY_POSITION_WEIGHT = 0.15
POSITION_DECAY = 3.0
"""Sentences (among the eligible) over which the position prior falls by a factor e."""
REDUNDANCY = 0.5
"""How much similarity to what is already chosen costs a candidate (MMR)."""
SUMMARY_SENTENCES = (2, 3)
SUMMARY_MAX_WORDS = 85
"""A third sentence joins the summary only if the summary stays within this length."""
KEY_POINTS = (3, 5)
KEY_MIN_GAIN = 0.12
"""Past the minimum, a key point must score at least this after its redundancy cost."""
SUMMARY_OVERLAP = 0.6
"""Redundancy with the summary counts this much against a key point: key points may
repeat the summary's main fact but should mostly add to it."""
DUPLICATE_COSINE = 0.92
"""Embedding similarity at which two key points say the same thing."""
COPY_COSINE = 0.8
"""Embedding similarity at which two sentences of a story may be copies (word overlap
then decides)."""
STORY_SUPPORT_WEIGHT = 0.15
STORY_PUBLISHER_PENALTY = 0.1

LISTS = WordLists(__name__)
"""The word lists this module reads (``summarise.toml`` beside it)."""

_OPENERS = "\"'“‘«([（「『【—–- "
_DEPENDENT_FIRST = LISTS.words("dependent_first")
_DEPENDENT_PHRASES = re.compile(
    r"""^(?:in\ addition|as\ a\ result|on\ the\ other\ hand|even\ so|at\ the\ same\ time
    |by\ contrast|in\ contrast|in\ response|in\ turn|for\ (?:his|her|their|its)\ part
    |despite\ (?:this|that)|because\ of\ (?:this|that)|after\ (?:this|that)|apart\ from\ that
    |on\ top\ of\ that|to\ that\ end|in\ that\ case|not\ only\ that|as\ well
    |asked\ (?:about|whether|if|why|how|what|when)|according\ to\ (?:him|her|them|it)
    |(?:if|when|while|as|although|though|because|after|before|since|unless|once|until)
    \ (?:he|she|it|they|we|this|that|these|those)\b
    |the\ (?:former|latter|same)\b|the\ (?:move|decision|announcement|remarks|comments
    |statement|measure|step|change|changes|plan|proposal|deal|incident|case)\ (?:is|was|has
    |had|would|will|could|came|comes|follows|followed|marks|marked|means|drew|sparked)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# "..., he said." / "she added": the speaker was named in an earlier sentence.
_PRONOUN_ATTRIBUTION = re.compile(
    r"""\b(?:he|she|they|we)\ (?:said|says|added|adds|told|tells|noted|notes|explained
    |continued|wrote|writes|argued|warned|stressed|insisted|acknowledged|admitted|recalled
    |replied|went\ on)\b|\b(?:said|added|says|adds)\ (?:he|she|they)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# "The agency said...", "The quake hit...": a common-noun subject that names something
# the article introduced earlier. Fine inside a summary, not at its start.
_DEFINITE_OPENING = re.compile(r"^The\s+[a-z]")


@dataclass(frozen=True)
class Digest:
    summary: tuple[Sentence, ...]
    """Two or three sentences, in article order."""
    key_points: tuple[Sentence, ...]
    """Three to five sentences that stand alone, in article order."""
    method: str


@dataclass(frozen=True)
class _Unit:
    sentence: Sentence
    order: int
    """Position among all the sentences of the article."""
    rank: int
    """Position among the eligible sentences: 0 is the lead."""
    dependent: bool
    """Only makes sense right after the sentence before it."""
    definite: bool
    """Opens on "The <common noun>": needs the article's earlier context."""
    quoted: float


def summarise(paragraphs: Sequence[str], embed: EmbedFn, *, title: str = "") -> Digest:
    """A 2-3 sentence summary and 3-5 key points, every one a sentence of the article."""
    units = _eligible(paragraphs)
    if not units:
        return Digest((), (), METHOD)
    vectors = embed([u.sentence.text for u in units])
    title_vector = embed([title])[0] if title.strip() else None
    base = _base_scores(units, vectors, _centroid(vectors), title_vector)
    prior = np.array([math.exp(-u.rank / POSITION_DECAY) for u in units])
    summary = _pick_summary(units, vectors, base + SUMMARY_POSITION_WEIGHT * prior)
    key_points = _pick_key_points(units, vectors, base + KEY_POSITION_WEIGHT * prior, summary)
    return Digest(
        tuple(units[i].sentence for i in sorted(summary, key=lambda i: units[i].order)),
        tuple(units[i].sentence for i in sorted(key_points, key=lambda i: units[i].order)),
        METHOD,
    )


def summarise_story(docs: Sequence[Doc], embed: EmbedFn, *, limit: int = 3) -> tuple[Cited, ...]:
    """Up to ``limit`` sentences summing up a story told by several articles, most
    central first.

    Wire copies repeat sentences word for word: a sentence found in several articles is
    considered once, counts as better supported (the facts everyone reports are the
    central ones), and is cited from the article whose publisher the summary has used
    least. Publishers already used cost a little, so the summary draws on several."""
    pool: list[tuple[int, _Unit]] = []
    for number, doc in enumerate(docs):
        pool.extend((number, unit) for unit in _eligible(doc.paragraphs))
    pool = [(n, u) for n, u in pool if not u.dependent]
    if not pool or limit < 1:
        return ()
    vectors = embed([u.sentence.text for _, u in pool])
    groups = _copy_groups([u.sentence.text for _, u in pool], vectors)
    publishers_of = [{docs[pool[m][0]].publisher for m in group} for group in groups]
    heads = [group[0] for group in groups]
    doc_centroids = np.stack(
        [
            _centroid(vectors[[i for i, (n, _) in enumerate(pool) if n == number]])
            for number in sorted({n for n, _ in pool})
        ]
    )
    titles = [doc.title for doc in docs if doc.title.strip()]
    title_vector = _centroid(embed(titles)) if titles else None
    head_units = [pool[h][1] for h in heads]
    head_vectors = vectors[heads]
    all_publishers = {doc.publisher for doc in docs}
    support = np.array([len(p) / len(all_publishers) for p in publishers_of])
    best_rank = [min(pool[m][1].rank for m in group) for group in groups]
    scores = (
        _base_scores(head_units, head_vectors, _centroid(doc_centroids), title_vector)
        + SUMMARY_POSITION_WEIGHT * np.exp(-np.array(best_rank) / POSITION_DECAY)
        + STORY_SUPPORT_WEIGHT * support
    )
    used: Counter[str] = Counter()
    chosen: list[int] = []
    cited: list[Cited] = []
    while len(cited) < min(limit, len(groups)):
        need_new = (
            len(cited) == limit - 1
            and len(used) == 1
            and any(publishers_of[g] - set(used) for g in range(len(groups)) if g not in chosen)
        )
        best, best_gain = -1, -math.inf
        for g in range(len(groups)):
            if g in chosen or (need_new and not publishers_of[g] - set(used)):
                continue
            if any(
                near_duplicate(head_units[g].sentence.text, head_units[c].sentence.text)
                for c in chosen
            ):
                continue
            if not chosen and head_units[g].definite and best_rank[g] > 0:
                continue
            member = _least_used(groups[g], pool, docs, used)
            gain = (
                scores[g]
                - REDUNDANCY * _redundancy(head_vectors[g], head_vectors[chosen])
                - STORY_PUBLISHER_PENALTY * used[docs[pool[member][0]].publisher]
            )
            if gain > best_gain:
                best, best_gain = g, gain
        if best < 0:
            break
        member = _least_used(groups[best], pool, docs, used)
        number, unit = pool[member]
        chosen.append(best)
        used[docs[number].publisher] += 1
        cited.append(Cited(docs[number].article_id, unit.sentence))
    return tuple(cited)


def _eligible(paragraphs: Sequence[str]) -> list[_Unit]:
    """The sentences that may be shown as a summary or a key point.

    Length and quote limits are relaxed for an article that has nothing else (a
    two-line brief), but furniture is never shown."""
    # A dateline ("CAIRO, March 3 (Reuters) -") files the story; it is not its news.
    sentences = [
        replace(s, text=strip_dateline(s.text)) if s.index == 0 else s
        for s in split_sentences(paragraphs)
    ]
    quoted = _quote_shares(paragraphs, sentences)
    furniture = furniture_paragraphs(paragraphs)
    prose = [
        (o, s)
        for o, s in enumerate(sentences)
        if s.paragraph not in furniture and not is_furniture(s.text)
    ]
    strict = [
        (o, s)
        for o, s in prose
        if MIN_WORDS <= word_count(s.text) <= MAX_WORDS
        and quoted[o][1] <= MAX_QUOTED
        and not quoted[o][0]
    ]
    kept = strict or prose
    units: list[_Unit] = []
    for rank, (order, sentence) in enumerate(kept):
        units.append(
            _Unit(
                sentence=sentence,
                order=order,
                rank=rank,
                dependent=_dependent(sentence.text),
                definite=bool(_DEFINITE_OPENING.match(sentence.text)),
                quoted=quoted[order][1],
            )
        )
    return units


def _dependent(text: str) -> bool:
    """Whether a sentence leans on the one before it: it opens on a pronoun or a
    connective, or attributes to a bare pronoun ("..., he said")."""
    opening = text.lstrip(_OPENERS)
    first = re.match(r"[\w'’]+", opening)
    if first and first.group(0).lower() in _DEPENDENT_FIRST:
        return True
    return bool(_DEPENDENT_PHRASES.match(opening) or _PRONOUN_ATTRIBUTION.search(text))


def _quote_shares(
    paragraphs: Sequence[str], sentences: Sequence[Sentence]
) -> list[tuple[bool, float]]:
    """For each sentence: does it open inside a quotation begun earlier (the tail of a
    quote), and what share of its characters is quoted. Quotations are found as the
    quotes stage finds them, in the article's own style (double or single marks)."""
    masks: dict[int, bytearray] = {}
    for number, spans in quoted_spans(paragraphs).items():
        mask = masks[number] = bytearray(len(paragraphs[number]) + 1)
        for start, end in spans:
            mask[start:end] = b"\x01" * (end - start)
    shares: list[tuple[bool, float]] = []
    cursor: dict[int, int] = {}
    for sentence in sentences:
        text = paragraphs[sentence.paragraph]
        start = text.find(sentence.text, cursor.get(sentence.paragraph, 0))
        if start < 0:
            shares.append((False, 0.0))
            continue
        end = start + len(sentence.text)
        cursor[sentence.paragraph] = end
        inside = masks.get(sentence.paragraph)
        counted = [i for i in range(start, end) if not text[i].isspace()]
        quoted = sum(inside[i] for i in counted) if inside else 0
        began_inside = bool(inside and start and inside[start - 1] and inside[start])
        shares.append((began_inside, quoted / len(counted) if counted else 0.0))
    return shares


def _centroid(vectors: Vectors) -> Vectors:
    mean = np.asarray(vectors.mean(axis=0), dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / np.float32(norm) if norm > 0 else mean


def _base_scores(
    units: Sequence[_Unit], vectors: Vectors, centroid: Vectors, title: Vectors | None
) -> np.ndarray:
    scores = CENTROID_WEIGHT * (vectors @ centroid)
    if title is not None:
        scores = scores + TITLE_WEIGHT * (vectors @ title)
    quoted = np.array([u.quoted for u in units])
    return np.asarray(scores - QUOTE_PENALTY * quoted, dtype=np.float64)


def _redundancy(vector: Vectors, chosen: Vectors) -> float:
    return float((chosen @ vector).max()) if len(chosen) else 0.0


def _pick_summary(units: Sequence[_Unit], vectors: Vectors, scores: np.ndarray) -> list[int]:
    """Indexes of the summary sentences, greedily by MMR.

    The summary is shown in article order, so whichever sentence comes first must be
    able to open it: one that needs context may only join after a sentence that can.
    A dependent sentence may only join right after its own predecessor."""
    picked: list[int] = []
    orders: set[int] = set()
    words = 0
    low, high = SUMMARY_SENTENCES
    openers = [i for i, u in enumerate(units) if _opener(u)]
    if not openers:
        # Nothing stands alone (a one-line brief that opens on "But..."): it is shown as
        # it is rather than not at all.
        openers = list(range(len(units)))
    while len(picked) < high:
        best, best_gain = -1, -math.inf
        for i in openers if not picked else range(len(units)):
            unit = units[i]
            if i in picked or any(
                near_duplicate(unit.sentence.text, units[j].sentence.text) for j in picked
            ):
                continue
            if picked and not _opener(unit) and unit.order < min(orders):
                continue
            if picked and unit.dependent and unit.order - 1 not in orders:
                continue
            if len(picked) >= low and words + word_count(unit.sentence.text) > SUMMARY_MAX_WORDS:
                continue
            gain = scores[i] - REDUNDANCY * _redundancy(vectors[i], vectors[picked])
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            break
        picked.append(best)
        orders.add(units[best].order)
        words += word_count(units[best].sentence.text)
    return picked


def _opener(unit: _Unit) -> bool:
    """Whether a sentence can open a summary: it leans on nothing before it."""
    return not unit.dependent and not (unit.definite and unit.rank > 0)


def _pick_key_points(
    units: Sequence[_Unit], vectors: Vectors, scores: np.ndarray, summary: Sequence[int]
) -> list[int]:
    """Indexes of the key points: sentences that stand alone, none of the summary's,
    distinct from each other, chosen for coverage (MMR, with the summary counting part
    as already covered), each from a paragraph no earlier point came from while
    there is one."""
    picked: list[int] = []
    low, high = KEY_POINTS
    summary_vectors = vectors[list(summary)]
    while len(picked) < high:
        candidates = [
            i
            for i, unit in enumerate(units)
            if i not in picked
            and i not in summary
            and not unit.dependent
            and not any(
                near_duplicate(unit.sentence.text, units[j].sentence.text, 0.6)
                or float(vectors[i] @ vectors[j]) > DUPLICATE_COSINE
                for j in picked
            )
        ]
        covered = {units[j].sentence.paragraph for j in picked}
        fresh = [i for i in candidates if units[i].sentence.paragraph not in covered]
        best, best_gain = -1, -math.inf
        for i in fresh or candidates:
            redundancy = max(
                _redundancy(vectors[i], vectors[picked]),
                SUMMARY_OVERLAP * _redundancy(vectors[i], summary_vectors),
            )
            gain = scores[i] - REDUNDANCY * redundancy
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0 or (len(picked) >= low and best_gain < KEY_MIN_GAIN):
            break
        picked.append(best)
    return picked


def _copy_groups(texts: Sequence[str], vectors: Vectors) -> list[list[int]]:
    """Indexes grouped by near-identical sentence (wire copies, light edits), each group
    in input order. Embedding closeness proposes, word overlap confirms."""
    groups: list[list[int]] = []
    heads: list[int] = []
    for i, text in enumerate(texts):
        close = (vectors[heads] @ vectors[i] >= COPY_COSINE) if heads else np.zeros(0, bool)
        group = next(
            (int(g) for g in np.flatnonzero(close) if near_duplicate(text, texts[heads[g]])),
            None,
        )
        if group is None:
            groups.append([i])
            heads.append(i)
        else:
            groups[group].append(i)
    return groups


def _least_used(
    group: Sequence[int], pool: Sequence[tuple[int, _Unit]], docs: Sequence[Doc], used: Counter[str]
) -> int:
    """The member of a copy group to cite: from the least used publisher, then the
    earliest article (docs come in publication order)."""
    return min(group, key=lambda m: (used[docs[pool[m][0]].publisher], pool[m][0]))
