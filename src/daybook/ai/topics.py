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
from daybook.ai.text import word_set
from daybook.text import places as gazetteer

METHOD = "lexicon-embed-gazetteer@3"

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

# General news vocabulary per topic: "term weight" pairs; a trailing "*" matches any
# ending ("vaccin*": vaccine, vaccination). Weight 3 is nearly decisive ("tournament"),
# 1 is a hint that other topics share ("plant", "data").
_LEXICON: dict[str, str] = {
    "Politics": """government 1; minister 2; prime minister 3; president 1; parliament 3;
    diet 2; lawmaker 3; legislat* 2; election* 3; vote* 2; voter* 3;
    party 1; parties 1; opposition 2; coalition 2; ruling 2; cabinet 2; summit 3;
    diplomat* 3; bilateral 2; foreign minister 3; foreign ministry 3; treaty 2;
    sanctions 2; campaign 1; senate 3; congress 2; defence 2; defense 2; military 2;
    troops 2; policy 1; political 3; politician* 3; leaders 1; ambassador 2;
    relief team 2; emergency aid 2; humanitarian 2; dispatch* 1; pledged 1; governor 1;
    mayor 1; referendum 3; constitution* 2; reform* 1; bill 1; budget 1; protest* 1;
    demograph* 1; policymakers 1; statement 0.5; talks 1""",
    "Economy": """economy 3; economic 2; economies 3; gdp 3; gross domestic product 3;
    inflation 3; interest rate* 3; central bank 3; growth 2; recession 3;
    unemployment 3; jobs 1; consumer price* 3; retail sales 3; export 2;
    imports 2; trade 1; tariff* 2; yen 1; euro 1; dollar 1; currency 2; bond* 2; yield* 1;
    stimulus 2; fiscal 2; monetary 3; deficit 2; debt 1; wages 2; spending 2;
    consumer spending 3; quarter 1; economist* 2; forecast* 1; prices 1; energy 1;
    supply 1; lng 2; natural gas 1; oil 1; utility 1; utilities 1; subsid* 1;
    households 1; cost of living 2; rate cut* 3; rates 1; markets 1""",
    "Business": """company 2; companies 2; firm 1; shares 2; stock 1; profit* 2;
    revenue 2; sales 1; market share 3; chief executive 2; ceo 2; executive* 1;
    contract 2; deal 1; order* 1; invest* 2; investor* 2; fund 1; acquisition* 3;
    merger* 3; recall* 3; carmaker* 3; automaker* 3; airline* 3; carrier 1;
    consortium 3; joint venture 3; listing 2; ipo 3; customers 2; brand 1; operator 1;
    factory 2; plant 1; production 1; manufactur* 2; trading house 3; dealers 2;
    supplier 2; business* 2; industry 1; corp 2; holdings 2; start-up* 1;
    tender 2; bid 1; passengers 1; route 1; tourism 1; shops 1;
    infrastructure 2; project 1; construction 1; loan* 1; railway* 1; rail 1;
    high-speed 1; ferry 1; ferries 1; shipping 1; logistics 2; transport 1;
    trainset* 2; rolling stock 3; retailer* 2; employer* 1; jobs 1""",
    "Technology": """technology 2; tech 2; software 3; app 2; app store* 3;
    artificial intelligence 3; ai 2; chip* 3; semiconductor* 3; data 1; internet 3;
    digital 2; online 2; platform* 2; cable* 2; network* 2; computing 3; data centre* 3;
    data center* 3; smartphone* 2; device* 2; cyber* 3; developers 2; algorithm* 3;
    cloud 2; satellite* 1; model 1; language model* 3; parameters 2; wafer* 3;
    machine learning 3; engineers 1; bandwidth 3; telecom* 3; broadband 3;
    gatekeeper* 2; robot* 3; electric vehicle* 2; battery 2; batteries 2; lidar 2""",
    "Science": """scientist* 3; researcher* 2; study 1; research 1; discover* 2;
    species 3; bacteri* 3; microbe* 3; enzyme* 3; earthquake* 3; quake* 3; magnitude 2;
    seismic 3; tsunami 3; aftershock* 3; space 1; rocket* 3; satellite* 2; launch* 1;
    orbit 3; laborator* 2; journal 1; physic* 3; astronom* 3; meteorological 2;
    volcan* 3; tectonic 3; genome 3; gene 2; dna 3; experiment* 2; telescope 3;
    spectrometer 3; jaxa 2; nasa 3; fossil* 2; sediment 2; organism* 3; biolog* 2;
    intensity scale 3""",
    "Health": """health 2; hospital* 2; patient* 2; doctor* 2; disease* 3; virus 3;
    infection* 3; infectious 3; vaccin* 3; epidemic 3; pandemic 2; outbreak* 2; flu 3;
    influenza 3; measles 3; medicine* 2; medical 2; drug* 1; pharmac* 2; clinic* 2;
    births 3; birth rate 3; fertility 3; mortality 2; nurse* 2; cancer 3;
    mental health 3; immunisation 3; immunization 3; paediatric* 3; pediatric* 3;
    symptoms 3; treatment 2; care homes 2; maternity 3; babies 2; child* 1""",
    "Sports": """match 2; matches 2; game* 1; tournament 3; championship* 3; league 3;
    team 1; coach 3; player* 2; goal* 1; scored 2; score 1; victory 1; defeat 1;
    season 1; cup 2; final 1; stadium 2; fans 2; rugby 3; football 3; soccer 3;
    baseball 3; sumo 3; tennis 3; golf 3; olympic* 3; medal* 3; pitcher 3; try 1;
    athlete* 3; wrestler* 3; bout* 3; innings 3; yokozuna 3; ozeki 3; half-time 3;
    striker 3; midfielder 3; captain 1; title 1; referee 3; world cup 3; race 1;
    marathon 3; sprinter 3; playoffs 3; posting fee 3; major leagues 3; basho 3""",
    "Culture": """art 2; artist* 3; artwork* 3; museum* 3; exhibition* 3; novel* 3;
    novelist* 3; author 2; book* 2; literature 3; literary 3; prize 1; film* 2;
    cinema 3; music* 3; musician* 3; festival* 2; theatre 2; theater 2; culture 3;
    cultural 3; heritage 2; tourism 2; tourist* 2; travel* 1; visitors 2; cuisine 3;
    restaurant* 1; fashion 3; anime 3; manga 3; painting* 3; prints 2; curator* 3;
    translator* 2; poetry 3; concert* 3; gallery 3; shrine* 2; temple* 2; guesthouse* 2;
    cycling 1; cyclists 1; sightseeing 3""",
    "Environment": """climate 3; emission* 3; carbon 2; methane 3; greenhouse 3;
    warming 3; environmental 2; environment 2; pollution 3; plastic* 2;
    deforestation 3; forest* 2; rainforest 3; renewable* 3; solar 2; wind power 2;
    wind farm* 2; biodiversity 3; conservation 2; wildlife 3; typhoon* 3; storm* 2;
    flood* 2; drought 3; weather 2; hurricane* 3; geothermal 3; clean energy 3;
    recycl* 2; sustainab* 2; wildfire* 3; landslide* 2; rainfall 2;
    fossil fuel* 3; coal 2; clean electricity 3; adaptation 2; marine litter 3;
    environmentalist* 3""",
}


def _lexicon_patterns() -> dict[str, list[tuple[re.Pattern[str], float]]]:
    table: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for topic, block in _LEXICON.items():
        entries: list[tuple[re.Pattern[str], float]] = []
        for item in block.split(";"):
            term, weight = item.strip().rsplit(" ", 1)
            words = term.split()
            body = r"\s+".join(re.escape(w.rstrip("*")) for w in words)
            ending = r"[\w-]*" if term.endswith("*") else r"(?:s|es)?"
            entries.append((re.compile(r"\b" + body + ending + r"\b"), float(weight)))
        table[topic] = entries
    return table


_LEXICON_PATTERNS = _lexicon_patterns()

# What each topic is about, as a reader would put it: embedded once per model.
DESCRIPTIONS: dict[str, str] = {
    "Politics": "Politics and government: elections, parliament, ministers, political "
    "parties, diplomacy, summits between leaders, defence and public policy.",
    "Business": "Business and companies: corporate deals, contracts, investments, "
    "shares, earnings, product recalls, airlines, carmakers and industry.",
    "Economy": "The economy: growth, inflation, interest rates, central banks, GDP, "
    "trade, jobs, wages, consumer spending, energy supply and government budgets.",
    "Technology": "Technology: software, artificial intelligence, computer chips, the "
    "internet, apps, data centres, telecoms and digital platforms.",
    "Science": "Science: scientific research and discoveries, space exploration and "
    "rockets, earthquakes and geology, biology and laboratory studies.",
    "Health": "Health and medicine: diseases, epidemics, vaccines, hospitals, doctors, "
    "patients, medicines, births and public health.",
    "Sports": "Sports: matches, tournaments, teams, players, coaches, leagues, scores "
    "and championships in football, rugby, baseball and sumo.",
    "Culture": "Culture and the arts: books and literary prizes, museums and "
    "exhibitions, film, music, festivals, travel and tourism.",
    "Environment": "The environment: climate change, emissions, pollution, forests, "
    "wildlife, renewable energy, storms, floods and natural disasters.",
}
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


_STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their them
    then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours per via amid among
    across around toward towards upon within without near onto since though although
    whether yet may might must shall one two three four five six seven eight nine ten
    first second third last next new many much several every another"""
)
# Words that say nothing on their own in news writing.
_GENERIC = word_set(
    """said says say told tell added according year years month months week weeks day days
    time times people percent per cent official officials statement news report reports
    reported monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december today yesterday
    tomorrow morning afternoon evening night part way number lot end start thing things
    something anything nothing everyone someone including include includes made make
    makes set get got go going went come came take took back well still even like far
    group members member place places area areas country countries city world including
    percent around almost nearly about least more less high low big large small long
    public local national major key million billion trillion good bad best worst better
    worse proud biggest largest old young strong weak early late full half whole main top
    own same able likely unlikely possible clear hard easy quick fast slow real true
    minor recent former latter final certain prefecture province"""
)
# Inflected verbs that news headlines and prose use most: a phrase never contains one.
_VERBS = word_set(
    """is are was were be been being has have had do does did says tells told asks asked
    finds found keeps kept lets begins began starts started ends ended opens opened
    closes closed wins won loses lost beats stuns stun agrees agree agreed signs signed
    hits falls fell rises rose grows grew leaves left brings brought builds built buys
    bought sells sold pays paid plans planned wants wanted needs tries tried uses used
    calls called helps helped expects expected warns warned seeks sought faces faced
    holds held becomes became remains remained turns turned moves moved thinks thought
    knows knew looks looked seems seemed runs ran heads headed claims claimed urges urged
    shows showed shown gives gave given takes took taken makes gets goes went comes came
    see sees saw seen tell ask seem become bring think know give take get go come
    launches launched releases released announces announced reports approves approved
    declares declared receives received dispatches dispatched raise raises raised reach
    reaches reached marks marked keep put puts"""
)
# Nouns that end like verb forms ("-ed", "-ly", "-ing") and so need letting through.
_NOUN_EXCEPTIONS = word_set(
    """speed seed need feed breed greed hundred bed shed red supply family assembly rally
    ally monopoly anomaly reply housing funding spending building meeting training
    shipping clothing flooding warming recycling banking manufacturing lending trading
    ceiling offering pricing lobbying engineering wedding"""
)
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
