"""Topics, regions and keyphrases of an article, from a fixed taxonomy.

A reader browses by subject ("Sports", "Economy") and by region ("Japan", "Europe"),
so every article gets one or two subject topics, the regions it is about, and a few
keyphrases. The three come from different evidence:

- **Regions** come from the places the entity stage found. The gazetteer
  (``daybook.text.places``) maps every country (with its common variants and
  adjective, "U.S.", "Britain", "Japanese"), the cities of 100,000 people, the
  subdivisions and regions news names, to the ``REGIONS``. Japan is its own region
  and does not imply "Asia": an article tagged Asia is about Asia beyond Japan. A
  place counts by where it is named: in the headline or the opening paragraphs it
  tags its region, while a passing mention lower down ("...next week against
  Australia") does not, because news is written as an inverted pyramid and what
  matters comes first.
- **Subject topics** combine two signals that fail differently: weighted lexicons of
  general news vocabulary per topic (precise when the words are there, position-
  weighted the same way), and the embedding similarity of the article's opening to a
  short description of each topic (which still says something when no lexicon word
  appears). One topic is always chosen; a second joins it only when it scores close to
  the first, so a chip-plant story can be Technology and Business while a rugby report
  stays Sports. "World" is added to foreign news (regions beyond the home region, and
  not the home region itself), and is the fallback when no subject claims the
  article with any confidence.
- **Keyphrases** are short noun-like phrases scored YAKE-style: frequent, early and
  multi-word phrases of content words win; generic news words ("said", "year",
  "officials") never stand alone.

``METHOD`` names the algorithm and its version; it is stored beside the result so a
better classifier re-tags only what the old one tagged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from daybook.ai.embed import EmbedFn, Vectors
from daybook.text import places as gazetteer
from daybook.text.wordlists import WordLists

METHOD = "lexicon-embed-gazetteer@4"

LISTS = WordLists(__name__)
"""The word lists this module reads (``topics.toml`` beside it)."""

TOPICS = (
    "World",
    "Politics",
    "Business",
    "Economy",
    "Technology",
    "Science",
    "Health",
    "Sports",
    "Culture",
    "Environment",
)
REGIONS = gazetteer.REGIONS


@dataclass(frozen=True)
class Topics:
    topics: tuple[str, ...]
    """Subject topics (one or two, in ``TOPICS`` order) then regions (``REGIONS`` order)."""
    keywords: tuple[str, ...]
    """Three to six keyphrases, most salient first."""
    method: str


# --- position ---------------------------------------------------------------------

TITLE_WEIGHT = 2.0
PARAGRAPH_WEIGHTS = (1.5, 1.0, 0.7)
LATE_WEIGHT = 0.35
"""Weight of a mention in the fourth paragraph or later: a passing mention."""


def _paragraph_weight(index: int) -> float:
    return PARAGRAPH_WEIGHTS[index] if index < len(PARAGRAPH_WEIGHTS) else LATE_WEIGHT


def _weighted_texts(title: str, paragraphs: Sequence[str]) -> list[tuple[str, float]]:
    texts = [(title, TITLE_WEIGHT)] if title.strip() else []
    texts.extend((p, _paragraph_weight(i)) for i, p in enumerate(paragraphs))
    return texts


# --- regions ----------------------------------------------------------------------

REGION_THRESHOLD = 1.0
"""Evidence a region needs: a headline or lead mention, or several lower down."""
REGION_SHARE = 0.2
"""...and at least this share of the strongest region's evidence."""
UNFOUND_WEIGHT = 0.3
"""A listed place whose name the text does not contain (a canonical form the writer
did not use) counts as one passing mention."""
ADJECTIVE_WEIGHT = 0.8
"""An adjective ("Japanese carmaker") says a little less than the place's name."""

_ADJECTIVES = gazetteer.adjectives()
_ADJECTIVE_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(a) for a in sorted(_ADJECTIVES, key=len, reverse=True))
    + r")(?![\w])"
)


def place_regions(name: str) -> tuple[str, ...]:
    """The regions of a place name, () when the gazetteer does not know it.

    A name the gazetteer lacks but that contains a known place ("Tokyo Station",
    "Okinawa Trough") is in that place's region."""
    place = gazetteer.containing(name)
    return place.regions if place else ()


def _mention_pattern(forms: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted({f for f in forms if f}, key=len, reverse=True)
    # Short all-capital forms ("US", "UK", "EU") only as written; names case-blind
    # would find "us" in every sentence.
    parts = [
        re.escape(f) if f.isupper() and len(f) <= 4 else "(?i:" + re.escape(f) + ")"
        for f in alternatives
    ]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])")


def region_scores(title: str, paragraphs: Sequence[str], places: Sequence[str]) -> dict[str, float]:
    """Evidence for each region: every mention of a listed place (or of a country
    adjective) weighted by where it stands."""
    texts = _weighted_texts(title, paragraphs)
    scores: defaultdict[str, float] = defaultdict(float)
    seen: set[tuple[str, ...]] = set()
    for name in places:
        place = gazetteer.containing(name)
        if place is None:
            continue
        forms = (name, *place.forms) if gazetteer.lookup(name) else (name,)
        key = tuple(sorted(gazetteer.fold(f) for f in forms))
        if key in seen:
            continue
        seen.add(key)
        pattern = _mention_pattern(forms)
        weight = sum(w * len(pattern.findall(text)) for text, w in texts)
        for region in place.regions:
            scores[region] += weight or UNFOUND_WEIGHT
    for text, weight in texts:
        for match in _ADJECTIVE_PATTERN.finditer(text):
            for region in _ADJECTIVES[match.group(1)].regions:
                scores[region] += weight * ADJECTIVE_WEIGHT
    return dict(scores)


def regions_of(title: str, paragraphs: Sequence[str], places: Sequence[str]) -> tuple[str, ...]:
    """The regions an article is about, in ``REGIONS`` order."""
    scores = region_scores(title, paragraphs, places)
    if not scores:
        return ()
    top = max(scores.values())
    return tuple(
        r
        for r in REGIONS
        if scores.get(r, 0.0) >= REGION_THRESHOLD and scores.get(r, 0.0) >= REGION_SHARE * top
    )


# --- subject topics -----------------------------------------------------------------


def _lexicon_patterns() -> dict[str, list[tuple[re.Pattern[str], float]]]:
    table: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for topic, terms in LISTS.table("lexicon").items():
        entries: list[tuple[re.Pattern[str], float]] = []
        for term, weight in terms.items():
            words = term.split()
            body = r"\s+".join(re.escape(w.rstrip("*")) for w in words)
            ending = r"[\w-]*" if term.endswith("*") else r"(?:s|es)?"
            entries.append((re.compile(r"\b" + body + ending + r"\b"), float(weight)))
        table[topic] = entries
    return table


_LEXICON_PATTERNS = _lexicon_patterns()

# What each topic is about, as a reader would put it: embedded once per model.
DESCRIPTIONS: dict[str, str] = LISTS.table("descriptions")
_SUBJECTS = tuple(DESCRIPTIONS)

LEXICON_SHARE = 0.7
"""Weight of the lexicon in the combined score (the embedding has the rest)."""
EMBED_TEMPERATURE = 1.0
"""Softmax temperature over the topics' z-scored similarities."""
SECOND_TOPIC_RATIO = 0.6
"""A second topic joins the first when it scores at least this share of the first."""
MIN_CONFIDENCE = 0.2
"""Below this combined score no subject claims the article, and it is "World"."""
LEXICON_SATURATION = 4.0
"""Lexicon evidence (weight x position, per 100 words) at which the lexicon is sure."""


def lexicon_scores(title: str, paragraphs: Sequence[str]) -> dict[str, float]:
    """Position-weighted lexicon evidence per subject, per 100 words of text."""
    texts = _weighted_texts(title, paragraphs)
    words = max(50, sum(len(t.split()) for t, _ in texts))
    scores: dict[str, float] = {}
    for topic, entries in _LEXICON_PATTERNS.items():
        total = 0.0
        for text, position in texts:
            lowered = text.lower()
            for pattern, weight in entries:
                total += weight * position * len(pattern.findall(lowered))
        scores[topic] = 100.0 * total / words
    return scores


@lru_cache(maxsize=4)
def _description_vectors(embed: EmbedFn) -> Vectors:
    return embed([DESCRIPTIONS[t] for t in _SUBJECTS])


def embedding_scores(title: str, paragraphs: Sequence[str], embed: EmbedFn) -> dict[str, float]:
    """A probability per subject from the similarity of the article's opening to each
    topic's description (softmax over z-scores, so only the ranking and spread count)."""
    opening = " ".join([title, *paragraphs[:3]]).strip()
    if not opening:
        return {t: 1.0 / len(_SUBJECTS) for t in _SUBJECTS}
    vector = embed([opening])[0]
    similarity = _description_vectors(embed) @ vector
    spread = float(similarity.std()) or 1.0
    z = (similarity - similarity.mean()) / spread / EMBED_TEMPERATURE
    probabilities = np.exp(z - z.max())
    probabilities /= probabilities.sum()
    return {t: float(p) for t, p in zip(_SUBJECTS, probabilities, strict=True)}


def subject_scores(title: str, paragraphs: Sequence[str], embed: EmbedFn) -> dict[str, float]:
    """The combined score of each subject topic, between 0 and 1."""
    lexical = lexicon_scores(title, paragraphs)
    total = sum(lexical.values())
    strength = min(1.0, total / LEXICON_SATURATION)
    semantic = embedding_scores(title, paragraphs, embed)
    combined: dict[str, float] = {}
    for topic in _SUBJECTS:
        share = lexical[topic] / total if total else 0.0
        # A text with little topical vocabulary leans on the embedding instead.
        lexicon_weight = LEXICON_SHARE * strength
        combined[topic] = lexicon_weight * share + (1 - lexicon_weight) * semantic[topic]
    return combined


def subjects_of(title: str, paragraphs: Sequence[str], embed: EmbedFn) -> tuple[str, ...]:
    """One or two subject topics, in ``TOPICS`` order."""
    scores = subject_scores(title, paragraphs, embed)
    ranked = sorted(scores, key=lambda t: (-scores[t], TOPICS.index(t)))
    first, second = ranked[0], ranked[1]
    if scores[first] < MIN_CONFIDENCE:
        return ("World",)
    chosen = {first}
    if scores[second] >= SECOND_TOPIC_RATIO * scores[first]:
        chosen.add(second)
    return tuple(t for t in TOPICS if t in chosen)


# --- keyphrases ---------------------------------------------------------------------

KEYWORDS = (3, 6)


_STOPWORDS = LISTS.words("stopwords")
_GENERIC = LISTS.words("generic")
_VERBS = LISTS.words("verbs")
_NOUN_EXCEPTIONS = LISTS.words("noun_exceptions")
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w[\w'’.-]*\w|\w")
_LINKS = frozenset(("of",))
"""Stopwords kept between two capitalised words: "Bank of England"."""
# A period ends a phrase unless it closes an abbreviation ("U.S.", "Plan B.").
_PHRASE_BREAK = re.compile(r"[,;:!?()\[\]{}\"“”‘—–]|(?<![A-Z])\.(?:\s|$)|'s\b|’s\b")
MAX_PHRASE_WORDS = 3


def _content(token: str) -> bool:
    """Whether a token can sit inside a keyphrase: not a stopword, a generic word, a
    number, a verb or (in lower case) an adverb or past participle."""
    lowered = token.lower().strip("'’")
    if (
        len(lowered) < 2
        or lowered in _STOPWORDS
        or lowered in _GENERIC
        or _key_word(lowered) in _GENERIC
        or lowered in _VERBS
        or lowered[0].isdigit()
    ):
        return False
    if token[0].isupper() or lowered in _NOUN_EXCEPTIONS:
        return True
    return not (len(lowered) > 4 and lowered.endswith(("ly", "ed")))


def _noun_like_end(word: str) -> bool:
    """A phrase ends on its head noun; "waiting" or "leaking" end none."""
    lowered = word.lower()
    return word[0].isupper() or lowered in _NOUN_EXCEPTIONS or not lowered.endswith("ing")


def _candidates(text: str) -> Iterable[list[str]]:
    """Runs of content words between stopwords and punctuation: the noun-like phrases."""
    for chunk in _PHRASE_BREAK.split(text):
        run: list[str] = []
        tokens = _TOKEN.findall(chunk)
        for index, token in enumerate(tokens):
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if _content(token):
                run.append(token.strip("'’"))
            elif token in _LINKS and run and run[-1][0].isupper() and following[:1].isupper():
                run.append(token)
            else:
                if run:
                    yield run
                run = []
        if run:
            yield run


def keyphrases(title: str, paragraphs: Sequence[str], limit: int = KEYWORDS[1]) -> tuple[str, ...]:
    """The article's most salient phrases: frequent, early, and preferably multi-word
    (YAKE-like, without a dependency). Each phrase is shown in its most common casing,
    and one that shares a word with a better one ("Kitaura" beside "Kitaura Motors")
    is dropped.

    A phrase must occur in the body, not only in the headline, whose present-tense
    verbs ("eyes", "stays") look like nouns; a single lower-case word must occur twice."""
    score: defaultdict[str, float] = defaultdict(float)
    in_body: defaultdict[str, int] = defaultdict(int)
    surface: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    word_score: defaultdict[str, float] = defaultdict(float)
    for number, (text, position) in enumerate(_weighted_texts(title, paragraphs)):
        body = number > 0 or not title.strip()
        for run in _candidates(text):
            for word in run:
                word_score[_key_word(word)] += position
            for size in range(1, MAX_PHRASE_WORDS + 1):
                for start in range(len(run) - size + 1):
                    words = run[start : start + size]
                    if not _noun_like_end(words[-1]) or {words[0], words[-1]} & _LINKS:
                        continue
                    key = " ".join(_key_word(w) for w in words)
                    score[key] += position
                    in_body[key] += body
                    surface[key][" ".join(words)] += 1
    counts = {key: sum(forms.values()) for key, forms in surface.items()}
    # A phrase never seen outside one longer phrase ("Leo" in "Leo Marsh") is that phrase.
    subsumed: set[str] = set()
    for key in counts:
        words = key.split()
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start : start + size])
                if counts.get(part) == counts[key]:
                    subsumed.add(part)
    ranked: list[tuple[float, str]] = []
    for key, weight in score.items():
        words = key.split()
        count = counts[key]
        if not in_body[key] or key in subsumed:
            continue
        if len(words) == 1 and count < 2 and not any(s[0].isupper() for s in surface[key]):
            continue
        if len(words) > 1 and count < 2:
            continue  # a phrase seen once is chance adjacency more often than a term
        # Longer phrases repeat less often but say more: a length bonus, and the
        # phrase's words must carry weight on their own too.
        cohesion = sum(word_score[w] for w in words) / len(words)
        value = weight * (1.0 + 0.6 * (len(words) - 1)) + 0.15 * cohesion
        ranked.append((value, key))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[str] = []
    for _, key in ranked:
        if any(_overlaps(key, other) for other in chosen):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    return tuple(max(surface[k].items(), key=lambda kv: (kv[1], kv[0]))[0] for k in chosen)


def _key_word(word: str) -> str:
    """Folding key of a word: lower case, a plural "s" dropped ("cables" is "cable")."""
    lowered = word.lower()
    if len(lowered) > 3 and lowered.endswith("s") and not lowered.endswith("ss"):
        return lowered[:-1]
    return lowered


def _overlaps(a: str, b: str) -> bool:
    """Whether two phrases share a word, or a word's stem ("Japan" and "Japanese",
    "cable" and "cables"): showing both would say the same thing twice."""
    return any(_same_stem(x, y) for x in a.split() for y in b.split())


def _same_stem(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long.startswith(short) if len(short) >= 4 else short == long


# --- together -----------------------------------------------------------------------


def classify(
    title: str,
    paragraphs: Sequence[str],
    places: Sequence[str],
    embed: EmbedFn,
    *,
    home: str | None = gazetteer.HOME_REGION,
) -> Topics:
    """Subject topics and regions of an article, with its keyphrases.

    ``places`` are the canonical place names the entity stage found in it. An article
    about regions beyond ``home`` in which ``home`` plays no part is also "World": the
    foreign news a reader at home looks for under that name."""
    subjects = subjects_of(title, paragraphs, embed)
    regions = regions_of(title, paragraphs, places)
    if gazetteer.foreign(regions, home) and "World" not in subjects:
        subjects = ("World", *subjects)
    return Topics(subjects + regions, keyphrases(title, paragraphs), METHOD)
