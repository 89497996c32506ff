"""Full-text search over the titles and texts of original articles.

The index is the database's own (FTS5 on SQLite, a ``tsvector`` column on
PostgreSQL; see migration ``0004_search``), so a search is a few indexed queries
and every article is findable the moment it is stored, whatever process stored it.

What a reader types is never handed to either query language: it is reduced to
words (letters, digits and combining marks), quoted phrases and one optional
trailing prefix (``infla*``), and every word must appear. Operators that a query
language would honour (``OR``, ``-``, ``NEAR(``) are therefore plain words, and
the same text means the same search on both databases.

Japanese, Chinese, Korean and the South-East Asian scripts write words without
spaces, so neither index holds their words: a query containing such characters
is answered by a substring search (``LIKE``) on title and text instead. That
scans every original article, which is affordable at the size of a news
collection and the only way such a query finds anything.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from django.db import connection

from daybook.news.models import Article
from daybook.text.script import unspaced

MAX_QUERY_CHARS = 200
"""Longer text is cut, not refused: a pasted paragraph still searches for its start."""

TITLE_WEIGHT = 4.0
"""A word in the headline says more about what an article is about than one in its text."""

SNIPPET_WORDS = 30
RANKED_MATCHES = 5000
"""On SQLite, a word found in more articles than this is ranked by relevance among
the newest this many (by when they were stored); the total still counts every
match. bm25 costs the same for each row it scores, a word in most of 100,000
articles took a fifth of a second, and among that many the newest are the ones a
news reader is after. PostgreSQL ranks every match."""

START, STOP = "\x02", "\x03"
"""Highlight markers. The databases insert them into raw text; only after the
text is HTML-escaped do they become ``<mark>`` tags, so nothing an article says
can open a tag. Markers already in stored text are turned into spaces first."""

_CLEAN = str.maketrans({START: " ", STOP: " "})


_EXCERPT_BEFORE = 60
_EXCERPT_CHARS = 200
"""A Python-built excerpt: about ten words of context before the first match,
about thirty words in all (a character budget, since CJK text has no spaces)."""


@dataclass(frozen=True)
class Query:
    """A reader's search; ``text`` is untrusted and never reaches SQL as SQL."""

    text: str  # what the reader typed
    publisher: int | None = None  # Source id
    topic: str | None = None  # one of Article.topics
    since: date | None = None
    until: date | None = None  # inclusive
    order: Literal["relevance", "date"] = "relevance"


@dataclass(frozen=True)
class Hit:
    """One result, its HTML ready for a template: escaped text and our own tags only."""

    article_id: int
    title_html: str  # title, HTML-escaped, matches wrapped in <mark>...</mark>
    snippet_html: str  # an excerpt of the text around the best match, escaped, with <mark>
    rank: float  # higher is better; comparable only within one search


@dataclass(frozen=True)
class Results:
    """One page of hits and the count of all of them."""

    hits: list[Hit]
    total: int  # every match with the filters applied
    pageable: int | None = None
    """How many of them pages can reach, when fewer than ``total`` (``RANKED_MATCHES``)."""


@dataclass(frozen=True)
class _Term:
    """A word, or the words of a quoted phrase in order; ``prefix`` lets the one
    word match the start of longer words."""

    words: tuple[str, ...]
    prefix: bool = False


_Row = tuple[Any, ...]


def search(query: Query, *, limit: int = 20, offset: int = 0) -> Results:
    """Original articles matching every word of ``query.text`` and its filters,
    best first (or newest first), ties broken by newest id."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    terms = _terms(query.text)
    if not terms:
        return Results([], 0)
    where, params = _filters(query)
    # The FTS5 and PostgreSQL tokenisers cannot separate these scripts' words.
    if any(unspaced(word) for term in terms for word in term.words):
        return _substring_search(terms, where, params, query.order, limit, offset)
    if connection.vendor == "postgresql":
        return _postgres_search(terms, where, params, query.order, limit, offset)
    return _sqlite_search(terms, where, params, query.order, limit, offset)


def _terms(text: str) -> list[_Term]:
    """The reader's text as terms. Text between double quotes is a phrase (an
    unclosed quote runs to the end); a ``*`` straight after the last bare word
    makes it a prefix. Everything that is not a letter, digit or mark separates
    words, so no character of the input reaches a query language."""
    parts = text[:MAX_QUERY_CHARS].split('"')
    terms: list[_Term] = []
    for index, part in enumerate(parts):
        words = _words(part)
        if index % 2:
            if words:
                terms.append(_Term(tuple(words)))
        else:
            terms.extend(_Term((word,)) for word in words)
    tail = parts[-1].rstrip()
    bare_tail = len(parts) % 2 == 1
    if bare_tail and len(tail) > 1 and tail[-1] == "*" and _is_word_char(tail[-2]):
        terms[-1] = _Term(terms[-1].words, prefix=True)
    return list(dict.fromkeys(terms))


def _words(text: str) -> list[str]:
    return "".join(ch if _is_word_char(ch) else " " for ch in text).split()


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _filters(query: Query) -> tuple[str, list[Any]]:
    """SQL conditions on ``news_article a`` shared by every kind of search."""
    sql = ["a.copy_of_id IS NULL"]
    params: list[Any] = []
    if query.publisher is not None:
        sql.append("a.source_id = %s")
        params.append(query.publisher)
    if query.topic is not None:
        # Topics are a JSON list: match an element exactly, not a substring of the text.
        if connection.vendor == "postgresql":
            sql.append("a.topics @> %s::jsonb")
            params.append(json.dumps([query.topic]))
        else:
            sql.append("EXISTS (SELECT 1 FROM json_each(a.topics) WHERE json_each.value = %s)")
            params.append(query.topic)
    if query.since is not None:
        sql.append("a.published_at >= %s")
        params.append(_midnight(query.since))
    if query.until is not None:
        sql.append("a.published_at < %s")
        params.append(_midnight(query.until + timedelta(days=1)))
    return " AND ".join(sql), params


def _midnight(day: date) -> Any:
    """The start of ``day`` in UTC, as the database compares stored times."""
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time(), tzinfo=UTC))


def _order(order: str) -> str:
    if order == "date":
        return "a.published_at DESC NULLS LAST, a.id DESC"
    return "score DESC, a.id DESC"


def _sqlite_search(
    terms: list[_Term], where: str, params: list[Any], order: str, limit: int, offset: int
) -> Results:
    """FTS5 with bm25 (lower is better, so negated), the title weighted over the text."""
    match = " AND ".join(_fts5_term(term) for term in terms)
    if params or order == "date":
        # A filter or the date order reads each match's article row.
        source = (
            "FROM news_article_fts JOIN news_article a ON a.id = news_article_fts.rowid "
            f"WHERE news_article_fts MATCH %s AND {where}"
        )
        args, ordering = [match, *params], _order(order)
    else:
        # No filter: the index alone answers, without reading a single article row
        # (copies, a tenth of the collection, come from the copy_of index).
        source = (
            "FROM news_article_fts a WHERE news_article_fts MATCH %s AND a.rowid NOT IN "
            "(SELECT id FROM news_article WHERE copy_of_id IS NOT NULL)"
        )
        args, ordering = [match], "score DESC, a.rowid DESC"
    total = _rows(f"SELECT count(*) {source}", args)[0][0]
    ranked, pageable = source, None
    if order != "date" and total > RANKED_MATCHES:
        # bm25 scores every row it is given: only the newest matches are ranked.
        newest = _rows(
            f"SELECT a.rowid {source} ORDER BY a.rowid DESC LIMIT 1 OFFSET %s",
            [*args, RANKED_MATCHES - 1],
        )
        ranked = f"{source} AND a.rowid >= {int(newest[0][0])}"
        pageable = RANKED_MATCHES
    page = _rows(
        f"SELECT a.rowid, -bm25(news_article_fts, {TITLE_WEIGHT}, 1.0) AS score {ranked} "
        f"ORDER BY {ordering} LIMIT %s OFFSET %s",
        [*args, limit, offset],
    )
    if not page:
        return Results([], total, pageable)
    # Highlighting reads each article's text back, so it runs for this page only.
    marked = {
        row[0]: row[1:]
        for row in _rows(
            "SELECT rowid, highlight(news_article_fts, 0, %s, %s),"
            " snippet(news_article_fts, 1, %s, %s, ' … ', %s), title, text"
            " FROM news_article_fts WHERE news_article_fts MATCH %s"
            " AND rowid IN (SELECT value FROM json_each(%s))",
            [START, STOP, START, STOP, SNIPPET_WORDS, match, json.dumps([row[0] for row in page])],
        )
    }
    pattern = _pattern(terms)
    hits = []
    for pk, rank in page:
        title, snippet, raw_title, raw_text = marked[pk]
        if _has_markers(raw_title) or _has_markers(raw_text):
            # FTS5 cannot tell its markers from the text's own: mark this one in Python.
            title, snippet = _mark(raw_title, pattern), _excerpt(_mark(raw_text, pattern))
        hits.append(Hit(pk, _html(title), _html(snippet), float(rank)))
    return Results(hits, total, pageable)


def _fts5_term(term: _Term) -> str:
    """A term as an FTS5 string, which FTS5 reads as a phrase of its words and
    never as syntax."""
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    return f"{quoted} *" if term.prefix else quoted


def _postgres_search(
    terms: list[_Term], where: str, params: list[Any], order: str, limit: int, offset: int
) -> Results:
    """The generated ``search`` vector (title weight A, text weight B) with
    ``ts_rank_cd``, its length normalisation on so that long articles do not
    win by repetition alone."""
    tsquery, query_params = _tsquery(terms)
    weights = f"'{{0.1, 0.2, {1 / TITLE_WEIGHT}, 1.0}}'::float4[]"
    source = f"FROM news_article a, (SELECT {tsquery} AS query) q WHERE a.search @@ q.query"
    total = _rows(f"SELECT count(*) {source} AND {where}", [*query_params, *params])[0][0]
    page = _rows(
        f"SELECT a.id, ts_rank_cd({weights}, a.search, q.query, 1) AS score {source} AND {where}"
        f" ORDER BY {_order(order)} LIMIT %s OFFSET %s",
        [*query_params, *params, limit, offset],
    )
    if not page:
        return Results([], total)
    # Fragment headlines drop whatever looks like a tag and trim punctuation, so the
    # whole text is marked and the excerpt cut here, as for the other searches.
    # Highlighting reads each article's text back, so it runs for this page only.
    options = f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true'
    clean = "chr(2) || chr(3), '  '"  # START and STOP, as in _CLEAN
    marked = {
        row[0]: row[1:]
        for row in _rows(
            f"SELECT a.id, ts_headline('english', translate(a.title, {clean}), q.query, %s),"
            f" ts_headline('english', translate(a.text, {clean}), q.query, %s)"
            f" {source} AND a.id = ANY(%s)",
            [options, options, *query_params, [row[0] for row in page]],
        )
    }
    hits = []
    for pk, rank in page:
        title, text = marked[pk]
        hits.append(Hit(pk, _html(title), _html(_excerpt(text)), float(rank)))
    return Results(hits, total)


def _tsquery(terms: list[_Term]) -> tuple[str, list[Any]]:
    """An SQL tsquery expression and its parameters. ``websearch_to_tsquery``
    takes each term quoted, so its ``or`` and ``-`` operators stay words; a prefix
    word, which it cannot express, is added through ``to_tsquery``, quoted too."""
    parts: list[str] = []
    params: list[Any] = []
    whole = [term for term in terms if not term.prefix]
    if whole:
        parts.append("websearch_to_tsquery('english', %s)")
        params.append(" ".join(f'"{" ".join(term.words)}"' for term in whole))
    for term in terms:
        if term.prefix:
            parts.append("to_tsquery('english', %s)")
            params.append(f"'{term.words[0]}':*")
    return " && ".join(parts), params


def _substring_search(
    terms: list[_Term], where: str, params: list[Any], order: str, limit: int, offset: int
) -> Results:
    """Every term as a substring of the title or the text, for the scripts the
    indexes cannot split into words; a term in the title counts as much as
    ``TITLE_WEIGHT`` terms in the text. Case-insensitive on PostgreSQL; SQLite's
    LIKE folds ASCII only, which the scripts concerned do not need."""
    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    patterns = [_like_pattern(term) for term in terms]
    match = " AND ".join(f"(a.title {like} %s OR a.text {like} %s)" for _ in patterns)
    match_params = [p for pattern in patterns for p in (pattern, pattern)]
    rank = " + ".join(
        f"(CASE WHEN a.title {like} %s THEN {TITLE_WEIGHT} ELSE 0 END"
        f" + CASE WHEN a.text {like} %s THEN 1.0 ELSE 0 END)"
        for _ in patterns
    )
    source = f"FROM news_article a WHERE {match} AND {where}"
    total = _rows(f"SELECT count(*) {source}", [*match_params, *params])[0][0]
    page = _rows(  # the score's parameters are the match's, in the same order
        f"SELECT a.id, {rank} AS score {source} ORDER BY {_order(order)} LIMIT %s OFFSET %s",
        [*match_params, *match_params, *params, limit, offset],
    )
    if not page:
        return Results([], total)
    texts = Article.objects.only("title", "text").in_bulk([row[0] for row in page])
    pattern = _pattern(terms)
    hits = []
    for pk, score in page:
        title, text = texts[pk].title, texts[pk].text
        hits.append(
            Hit(
                pk,
                _html(_mark(title, pattern)),
                _html(_excerpt(_mark(text, pattern))),
                float(score),
            )
        )
    return Results(hits, total)


def _like_pattern(term: _Term) -> str:
    """Words hold letters, digits and marks only, never a LIKE wildcard or escape."""
    return f"%{' '.join(term.words)}%"


def _pattern(terms: list[_Term]) -> re.Pattern[str]:
    """The terms as one case-insensitive expression, longest first so a phrase
    is marked whole rather than word by word."""
    alternatives = sorted(
        (
            r"\s+".join(map(re.escape, term.words)) + (r"\w*" if term.prefix else "")
            for term in terms
        ),
        key=len,
        reverse=True,
    )
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _mark(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda found: START + found.group(0) + STOP, text.translate(_CLEAN))


def _excerpt(marked: str) -> str:
    """About thirty words of a marked text from a little before its first mark,
    cut at spaces where there are any, with "…" where it was cut."""
    text = " ".join(marked.split())
    first = max(text.find(START), 0)
    start = max(0, first - _EXCERPT_BEFORE)
    end = min(len(text), start + _EXCERPT_CHARS)
    if text.count(START, start, end) > text.count(STOP, start, end):
        end = text.index(STOP, end) + 1  # never cut a mark in two
    if start > 0 and (space := text.find(" ", start, first)) != -1:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first, end)) > text.rfind(STOP, 0, end):
        end = space
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    return before + text[start:end] + after


def _has_markers(text: str) -> bool:
    return START in text or STOP in text


def _html(marked: str) -> str:
    """Escape, then turn markers into tags: the only markup in the result is ours."""
    escaped = html.escape(" ".join(marked.split()))
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def _rows(sql: str, params: Sequence[Any]) -> list[_Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[_Row] = cursor.fetchall()
        return rows
