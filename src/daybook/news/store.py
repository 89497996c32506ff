"""Saving one normalised article: exact duplicates folded, near-duplicates linked.

Each call is one transaction: the article, its links and its LSH bands are all
written or none is, so a process killed at any moment leaves no half-stored
article. The unique constraints on the models are the last word; when two
writers race to store the same article the loser sees an IntegrityError, and
the whole decision is simply taken again against what the winner stored.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from daybook.news.locks import store_lock
from daybook.news.models import Article, ArticleLink, DedupeBand, Feed, Source
from daybook.news.work import Stage
from daybook.pipeline import dedupe
from daybook.pipeline.normalise import NormalisedArticle
from daybook.pipeline.types import RelatedTeaser
from daybook.pipeline.urls import is_web_url

log = logging.getLogger("daybook.store")


class Outcome(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    DUPLICATE = "duplicate"  # the same article (URL or text) is stored already
    COPY = "copy"  # stored, and linked to the original it republishes
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Stored:
    outcome: Outcome
    article: Article


def store_article(
    article: NormalisedArticle,
    *,
    source: Source | None = None,
    feed: Feed | None = None,
    input_path: str = "",
    related: tuple[RelatedTeaser, ...] = (),
    extra_urls: tuple[str, ...] = (),
) -> Stored:
    """Store ``article`` once, whatever URL or copy it arrives as."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                store_lock()  # near-copies stored at once by two workers must see each other
                return _store(article, source, feed, input_path, related, extra_urls)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("store raced another writer, deciding again", extra={"url": article.url})
    raise AssertionError("unreachable")


def _store(
    item: NormalisedArticle,
    source: Source | None,
    feed: Feed | None,
    input_path: str,
    related: tuple[RelatedTeaser, ...],
    extra_urls: tuple[str, ...],
) -> Stored:
    urls = {u for u in (item.canonical_url, item.url, *extra_urls) if u}
    known = _by_url(urls)
    if known is not None:
        _link(known, urls)
        changed = known.text_hash != item.text_hash
        if changed and not Article.objects.filter(text_hash=item.text_hash).exists():
            return Stored(Outcome.UPDATED, _update(known, item))
        return Stored(Outcome.UNCHANGED, known)
    same_text = Article.objects.filter(text_hash=item.text_hash).first()
    if same_text is not None:
        _link(same_text, urls)
        candidate = Article(source=source, feed=feed, input_path=input_path)
        _fill(candidate, item)
        if _earlier(candidate, same_text):
            _take_identity(same_text, candidate)
        return Stored(Outcome.DUPLICATE, same_text)

    sig = dedupe.signature(item.text)
    row = Article(
        source=source,
        feed=feed,
        input_path=input_path,
        related=[asdict(t) for t in related],
        shingle_count=sig.shingle_count,
        signature=sig.to_bytes(),
    )
    _fill(row, item)
    match = dedupe.best_match(sig, _candidates(sig), settings.DAYBOOK_NEAR_DUPLICATE_THRESHOLD)
    original = Article.objects.get(pk=match.article_id) if match else None
    if original is not None and original.copy_of_id is not None:
        original = original.copy_of
    row.save()
    _link(row, urls)
    DedupeBand.objects.bulk_create(
        DedupeBand(article=row, band=band, key=key) for band, key in dedupe.band_keys(sig)
    )
    if original is None or match is None:
        return Stored(Outcome.NEW, row)
    _make_copy(row, original, match.score)
    return Stored(Outcome.COPY, row)


def _make_copy(row: Article, original: Article, score: float) -> None:
    """Link ``row`` and ``original``; the earlier published of the two is the original.

    A wire's own article often arrives after an outlet's republication (feeds
    are polled in any order), so the group's original is re-chosen whenever an
    earlier member arrives.
    """
    if _earlier(row, original):
        Article.objects.filter(pk=original.pk).update(copy_of=row, copy_similarity=score)
        Article.objects.filter(copy_of=original).update(copy_of=row)
    else:
        row.copy_of = original
        row.copy_similarity = score
        row.save(update_fields=["copy_of", "copy_similarity"])


def _earlier(a: Article, b: Article) -> bool:
    """Publication order, so the same articles pick the same original whatever
    order they arrive in (feeds are polled concurrently).

    Undated articles come last. A time of exactly midnight UTC is usually a
    page that gave only its day, so on that day it comes after any article
    with a real time. On a tie, a web article goes before a local file (a
    reader can follow its link), then the canonical URL decides.
    """
    return _order(a) < _order(b)


def _order(article: Article) -> tuple[bool, date, bool, datetime, bool, str]:
    moment = article.published_at or datetime.max.replace(tzinfo=UTC)
    day_only = moment.time() == time(0, 0)
    local = not is_web_url(article.canonical_url)
    return (
        article.published_at is None,
        moment.date(),
        day_only,
        moment,
        local,
        article.canonical_url,
    )


def _take_identity(row: Article, earlier: Article) -> None:
    """The same text arrived under an earlier publication: the stored row
    becomes that one (its URL, outlet, headline, time), keeping its id and links."""
    retitled_from = row.title
    for name in (
        "source",
        "feed",
        "input_path",
        "url",
        "canonical_url",
        "title",
        "authors",
        "published_at",
        "site_name",
        "image",
        "description",
    ):
        setattr(row, name, getattr(earlier, name))
    if row.title != retitled_from:
        # The headline feeds the summary, topics and keyphrases: enrich again, so the
        # result does not depend on which of the two arrived first.
        row.enriched = {}
        row.stage = Stage.ENRICH
        row.work_due_at = timezone.now()
    row.updated_at = timezone.now()
    row.save()


def _by_url(urls: set[str]) -> Article | None:
    link = ArticleLink.objects.select_related("article").filter(url__in=urls).first()
    return link.article if link else None


def _link(article: Article, urls: set[str]) -> None:
    known = set(ArticleLink.objects.filter(url__in=urls).values_list("url", flat=True))
    ArticleLink.objects.bulk_create(
        ArticleLink(url=url, article=article) for url in sorted(urls - known)
    )


def _candidates(sig: dedupe.Signature) -> dict[int, dedupe.Signature]:
    """Articles sharing at least one LSH band with ``sig``.

    One ``key IN (...)`` lookup on the key index; the band number is then
    checked here, which is cheaper than 64 OR-ed (band, key) conditions.
    """
    wanted = set(dedupe.band_keys(sig))
    rows = DedupeBand.objects.filter(key__in=[key for _, key in wanted])
    ids = {
        article
        for article, band, key in rows.values_list("article_id", "band", "key")
        if (band, key) in wanted
    }
    found = Article.objects.filter(pk__in=ids).values_list("pk", "signature", "shingle_count")
    return {pk: dedupe.Signature.from_bytes(bytes(data), count) for pk, data, count in found}


def _fill(row: Article, item: NormalisedArticle) -> None:
    row.url = item.url
    row.canonical_url = item.canonical_url
    row.title = item.title
    row.text = item.text
    row.authors = list(item.authors)
    row.published_at = item.published
    row.site_name = item.site_name or ""
    row.language = item.language or ""
    row.image = item.image or ""
    row.description = item.description or ""
    row.word_count = item.word_count
    row.reading_minutes = item.reading_minutes
    row.text_hash = item.text_hash


def _update(row: Article, item: NormalisedArticle) -> Article:
    """A corrected or extended article keeps its id and links; its text is replaced."""
    sig = dedupe.signature(item.text)
    _fill(row, item)
    row.signature = sig.to_bytes()
    row.shingle_count = sig.shingle_count
    row.enriched = {}  # the new text is enriched again; its story stays
    row.stage = Stage.ENRICH
    row.work_due_at = timezone.now()
    row.updated_at = timezone.now()
    row.save()
    DedupeBand.objects.filter(article=row).delete()
    DedupeBand.objects.bulk_create(
        DedupeBand(article=row, band=band, key=key) for band, key in dedupe.band_keys(sig)
    )
    return row
