"""Normalising an extracted article: canonical URL, language, UTC times, length.

Everything here is deterministic and free of I/O so that the same input always
normalises to the same stored row: that is what makes re-ingesting idempotent.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urldefrag

import py3langid
from courlan import normalize_url

from daybook.pipeline.types import ExtractedArticle, FeedEntry
from daybook.pipeline.urls import is_web_url
from daybook.text.script import cjk_count, spaced_words, strip_invisible, word_count

WORDS_PER_MINUTE = 230
CJK_CHARS_PER_MINUTE = 500
"""Japanese and Chinese readers take in about this many characters a minute."""
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class NormalisedArticle:
    """An article ready to be stored: every field the ``Article`` model keeps."""

    url: str  # where it was fetched from (or the feed link)
    canonical_url: str
    title: str
    text: str
    authors: tuple[str, ...]
    published: datetime | None
    site_name: str | None
    language: str | None
    image: str | None
    description: str | None
    word_count: int
    reading_minutes: int
    text_hash: str


def canonical_url(url: str, page_canonical: str | None = None) -> str:
    """The URL that identifies an article, whichever link led to it.

    The page's own ``<link rel=canonical>`` wins when it is an http(s) URL on
    the same site: a canonical link pointing at another site is either an
    aggregator's republication or an attempt to hijack the identity of another
    article, so it is ignored.
    Non-web identifiers (``file:`` for local files, ``urn:`` for feed entries
    without a usable link) are already canonical and are kept as they are.
    """
    if not is_web_url(url):
        return url
    base = _normalise_url(url)
    if page_canonical and is_web_url(page_canonical):
        candidate = _normalise_url(page_canonical)
        if _site(candidate) == _site(base):
            return candidate
    return base


def _normalise_url(url: str) -> str:
    """courlan's normal form (lower-case host, no default port, no tracking
    parameters), without the fragment, which never names another article."""
    return normalize_url(urldefrag(url).url)


def _site(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return host.removeprefix("www.")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None when there is too little text."""
    sample = text[:4000]
    if len(_WORD.findall(sample)) < 3 and cjk_count(sample) < 10:
        return None
    lang, _score = py3langid.classify(sample)
    return str(lang)


def reading_minutes(text: str) -> int:
    minutes = len(spaced_words(text)) / WORDS_PER_MINUTE + cjk_count(text) / CJK_CHARS_PER_MINUTE
    return max(1, math.ceil(minutes)) if text.strip() else 0


def normalise_text(text: str) -> str:
    """A form of the text that ignores case, punctuation and spacing."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def text_hash(text: str) -> str:
    """Fingerprint for exact duplicates: equal for texts that differ only in form."""
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()


def to_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC datetime; a naive one is taken to be UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalise(
    extracted: ExtractedArticle,
    *,
    url: str,
    entry: FeedEntry | None = None,
    now: datetime | None = None,
) -> NormalisedArticle:
    """Merge what the page says with what the feed said, page first.

    A published time in the future (clock skew, a typo in the page) is
    replaced by the feed's, or by ``now``: a story dated next year would sit
    at the top of every list forever.
    """
    now = now or datetime.now(UTC)
    text = strip_invisible(extracted.text)
    published = to_utc(extracted.published) or (to_utc(entry.published) if entry else None)
    if published is not None and published > now + timedelta(hours=1):
        fallback = to_utc(entry.published) if entry else None
        published = fallback if fallback is not None and fallback <= now else now
    title = strip_invisible(extracted.title or (entry.title if entry else None) or "").strip()
    if not title:
        title = _first_words(text)
    authors = extracted.authors or (entry.authors if entry else ())
    return NormalisedArticle(
        url=url,
        canonical_url=canonical_url(url, extracted.canonical_url),
        title=title,
        text=text,
        authors=tuple(authors),
        published=published,
        site_name=extracted.site_name,
        language=extracted.language or detect_language(f"{title}\n{text}"),
        image=extracted.image or (entry.image if entry else None),
        description=extracted.description or None,
        word_count=word_count(text),
        reading_minutes=reading_minutes(text),
        text_hash=text_hash(text),
    )


def _first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    head = " ".join(words[:limit])
    return head + ("…" if len(words) > limit else "")


def relative_age(moment: datetime, now: datetime | None = None) -> str:
    """An age as people read it: "27 minutes ago", "14 hours ago", "2 days ago".

    After a week the age stops helping, so a date is shown instead
    ("3 Nov 2025", with the year only when it is not this year's).
    """
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size, limit in (("minute", 60, 60), ("hour", 3600, 24), ("day", 86400, 7)):
        count = int(seconds // size)
        if count < limit:
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    moment = to_utc(moment) or moment
    date = f"{moment.day} {moment:%b}"
    return date if moment.year == now.year else f"{date} {moment.year}"
