"""Polling one feed, and fetching one entry's page: the two ingest tasks.

    poll:  fetch feed -> parse -> decide per entry -> record pending entries -> schedule
    entry: fetch page -> extract -> normalise -> store -> schedule enrichment

A poll runs only while it holds the feed's claim (``Feed.claim``, taken by the tick
in ``news/schedule.py``), and writes the feed's next poll only if it still holds it,
so a poll that outlived its lease cannot overwrite the one that took over. Network
work runs outside any transaction; each store is one transaction. An entry's page
is fetched by its own task, so one slow page holds up neither the feed nor the
other entries, and an entry whose task was lost is due again when its lease ends.
Decisions (new? changed? when next?) live in ``daybook.pipeline.decide``; HTML is
not sanitised here because nothing stored is HTML.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from daybook.errors import DaybookError, RetryLater
from daybook.news import tasks, websub
from daybook.news.fetching import shared_fetcher
from daybook.news.ingest import entry_url, from_feed_content
from daybook.news.models import Article, Entry, Feed, FetchAttempt, Source, WebSubSubscription
from daybook.news.store import Outcome, store_article
from daybook.news.work import Stage, lease
from daybook.pipeline import decide
from daybook.pipeline.extract import extract_html
from daybook.pipeline.feeds import parse_feed
from daybook.pipeline.normalise import normalise
from daybook.pipeline.pagetext import has_prose
from daybook.pipeline.types import ExtractedArticle, FeedEntry, FetchResult, ParsedFeed, Validators
from daybook.pipeline.urls import is_web_url
from daybook.text.script import word_count

log = logging.getLogger("daybook.polling")

WEEK = timedelta(days=7)
_SKIP = (decide.EntryAction.KNOWN, decide.EntryAction.GIVEN_UP)


def poll(feed_id: int, claim: str) -> dict[str, Any]:
    """Poll feed ``feed_id`` if ``claim`` is still its claim; a summary of what happened."""
    feed = Feed.objects.select_related("source").filter(pk=feed_id, claim=claim).first()
    if feed is None or not feed.active:
        return {"feed": feed_id, "skipped": True}
    started = timezone.now()
    clock = time.monotonic()
    fetched: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: DaybookError | None = None
    fetcher = shared_fetcher()
    try:
        fetched = fetcher.fetch(
            feed.url, validators=Validators(feed.etag or None, feed.last_modified or None)
        )
        if not fetched.not_modified:
            parsed = parse_feed(fetched.content, url=fetched.url, content_type=fetched.content_type)
    except DaybookError as failure:
        error = failure
    duration_ms = int((time.monotonic() - clock) * 1000)

    with transaction.atomic():
        pending = _record_entries(feed, parsed) if parsed is not None else []
        FetchAttempt.objects.create(
            feed=feed,
            url=feed.url,
            started_at=started,
            duration_ms=duration_ms,
            status=fetched.status if fetched else None,
            outcome=(
                FetchAttempt.Outcome.ERROR
                if error
                else FetchAttempt.Outcome.NOT_MODIFIED
                if fetched and fetched.not_modified
                else FetchAttempt.Outcome.OK
            ),
            error=str(error or ""),
            bytes=len(fetched.content) if fetched else 0,
        )
        kept = _schedule(feed, claim, fetched, parsed, error, fetcher.crawl_delay(feed.url))
    for entry_pk in pending:
        tasks.submit(tasks.fetch_entry, entry_pk)
    if fetched is not None and parsed is not None:
        websub.consider(feed, fetched, parsed)
    if error is not None:
        log.warning("feed failed", extra={"feed": feed.url, "error": str(error)})
    return {
        "feed": feed_id,
        "url": feed.url,
        "error": f"{type(error).__name__}: {error}" if error else None,
        "entries": len(pending),
        "claim_kept": kept,
    }


def take_pushed(feed: Feed, parsed: ParsedFeed) -> int:
    """Entries a hub pushed (WebSub), taken like a poll's: recorded, then their pages
    fetched by tasks. The feed's schedule is left alone. Returns how many are new."""
    with transaction.atomic():
        pending = _record_entries(feed, parsed)
    for entry_pk in pending:
        tasks.submit(tasks.fetch_entry, entry_pk)
    return len(pending)


def _record_entries(feed: Feed, parsed: ParsedFeed) -> list[int]:
    """Note every entry seen; the ones whose page must be fetched get a lease and
    are returned. One whose fetch is already under way is handed out again: of the
    two fetches, the first to finish stores it and the other finds nothing to do."""
    now = timezone.now()
    known = {
        entry_id: decide.KnownEntry(fingerprint, article_id is not None, attempts)
        for entry_id, fingerprint, article_id, attempts in feed.entries.values_list(
            "entry_id", "fingerprint", "article_id", "attempts"
        )
    }
    seen: list[str] = []
    pending: list[int] = []
    for item in parsed.entries:
        action = decide.entry_action(item, known.get(item.id))
        if action in _SKIP:
            seen.append(item.id)
            continue
        entry, _ = Entry.objects.get_or_create(
            feed=feed, entry_id=item.id, defaults={"fingerprint": decide.fingerprint(item)}
        )
        entry.last_seen_at = now
        entry.pending = _to_json(item)
        entry.fetch_due_at = lease(now)
        entry.save(update_fields=["last_seen_at", "pending", "fetch_due_at"])
        pending.append(entry.pk)
    if seen:
        Entry.objects.filter(feed=feed, entry_id__in=seen).update(last_seen_at=now)
    return pending


def _schedule(
    feed: Feed,
    claim: str,
    fetched: FetchResult | None,
    parsed: ParsedFeed | None,
    error: DaybookError | None,
    crawl_delay: float | None,
) -> bool:
    """Write the feed's state and next poll, if this poll still holds its claim."""
    now = timezone.now()
    asked = [crawl_delay or 0]
    if fetched is not None and fetched.cache_seconds:
        asked.append(fetched.cache_seconds)
    if parsed is not None and parsed.ttl_seconds:
        asked.append(parsed.ttl_seconds)
    retry_after = error.retry_after if isinstance(error, RetryLater) else None
    if retry_after:
        asked.append(retry_after)
    changes: dict[str, Any] = {"last_polled_at": now, "claim": ""}
    if error is None:
        # A hostile header may ask for years; the floor is capped (and fits the column).
        changes["asked_floor"] = min(int(max(asked)), decide.MAX_ASKED_FLOOR)
    interval = decide.poll_interval(
        entries_last_week=_entries_last_week(feed, parsed, now),
        minimum=settings.DAYBOOK_POLL_MIN_SECONDS,
        maximum=settings.DAYBOOK_POLL_MAX_SECONDS,
        asked_floor=changes.get("asked_floor", feed.asked_floor),
        floor_override=feed.floor_override,
        override=feed.interval_override,
    )
    if _pushed_to(feed):
        # The hub pushes what is new; polling stays only as a rare safety net.
        interval = max(interval, settings.DAYBOOK_POLL_MAX_SECONDS)
    changes["poll_interval"] = interval
    if error is not None:
        failures = feed.consecutive_failures + 1
        first_failure = feed.first_failure_at or now
        changes.update(
            consecutive_failures=failures,
            first_failure_at=first_failure,
            last_error=f"{type(error).__name__}: {error}",
            last_error_at=now,
            next_poll_at=decide.next_poll(now, timedelta(seconds=interval), failures, retry_after),
        )
        if decide.should_disable(first_failure, now, settings.DAYBOOK_FEED_DISABLE_DAYS):
            days = settings.DAYBOOK_FEED_DISABLE_DAYS
            changes.update(
                active=False,
                disabled_reason=f"failing since {first_failure:%Y-%m-%d %H:%M} UTC "
                f"(more than {days:g} days): {changes['last_error']}",
            )
    else:
        changes.update(
            consecutive_failures=0,
            first_failure_at=None,
            last_success_at=now,
            etag=(fetched.validators.etag or "") if fetched else feed.etag,
            last_modified=(fetched.validators.last_modified or "") if fetched else "",
            next_poll_at=decide.next_poll(now, timedelta(seconds=interval), 0),
        )
        if parsed is not None and parsed.title and not feed.title:
            changes["title"] = parsed.title[:500]
        if parsed is not None and parsed.icon and feed.source_id is not None:
            # A publisher's icon follows what its feed names now.
            icon = parsed.icon[:2000]
            Source.objects.filter(pk=feed.source_id).exclude(icon=icon).update(icon=icon)
    kept = bool(Feed.objects.filter(pk=feed.pk, claim=claim).update(**changes))
    if not kept:
        log.warning("poll outlived its claim; schedule left to the newer poll feed=%s", feed.url)
    return kept


def _pushed_to(feed: Feed) -> bool:
    """Whether a hub is really pushing this feed: subscribed, and a signed push
    accepted lately (a hub that ignores our secret gets every push refused, and
    its feed must not go a day between polls)."""
    now = timezone.now()
    return WebSubSubscription.objects.filter(
        feed=feed,
        state=WebSubSubscription.State.ACTIVE,
        expires_at__gt=now,
        last_push_at__gte=now - WEEK,
    ).exists()


def _entries_last_week(feed: Feed, parsed: ParsedFeed | None, now: datetime) -> int:
    """How often the feed publishes: its entries dated within the last week, or, when
    the feed dates none, the entries first seen in it within the week."""
    if parsed is not None:
        dated = [e.published or e.updated for e in parsed.entries if e.published or e.updated]
        if dated:
            return sum(1 for when in dated if when and when >= now - WEEK)
    return feed.entries.filter(first_seen_at__gte=now - WEEK).count()


# -- one entry's page -----------------------------------------------------------------


def fetch_entry(entry_id: int) -> dict[str, Any]:
    """Fetch, extract and store entry ``entry_id``'s page if it is still pending."""
    entry = Entry.objects.select_related("feed__source").filter(pk=entry_id).first()
    if entry is None or not entry.pending:
        return {"entry": entry_id, "outcome": "none"}
    item = _from_json(entry.pending)
    extracted, page_url, reason = _fetch_page(item)
    with transaction.atomic():
        row = Entry.objects.select_for_update().filter(pk=entry_id).first()
        if row is None or row.pending != entry.pending:
            return {"entry": entry_id, "outcome": "none"}  # a newer poll took it over
        row.pending = {}
        row.fetch_due_at = None
        if extracted is None or not extracted.text.strip():
            row.attempts += 1
            row.error = reason or "no text extracted"
            row.save()
            return {
                "entry": entry_id,
                "outcome": "failed",
                "error": f"{item.url or item.id}: {row.error}",
            }
        feed = entry.feed
        url = page_url or entry_url(feed.url, item)
        # A page that does not name its site is named after the source.
        extracted = replace(extracted, site_name=extracted.site_name or feed.source.name)
        normalised = normalise(extracted, url=url, entry=item)
        extra = tuple(u for u in (item.url,) if u and is_web_url(u))
        stored = store_article(normalised, source=feed.source, feed=feed, extra_urls=extra)
        row.article = stored.article
        row.fingerprint = decide.fingerprint(item)
        row.error = ""
        row.save()
    if stored.outcome is not Outcome.UNCHANGED:  # new, changed, or given an earlier identity
        schedule_enrichment(stored.article.pk)
    return {"entry": entry_id, "outcome": stored.outcome.value}


def schedule_enrichment(article_pk: int) -> None:
    """Hand an article awaiting enrichment to the enrich queue, under a lease."""
    if Article.objects.filter(pk=article_pk, stage=Stage.ENRICH).update(work_due_at=lease()):
        tasks.submit(tasks.enrich_article, article_pk)


def _fetch_page(item: FeedEntry) -> tuple[ExtractedArticle | None, str | None, str | None]:
    """The entry's page, extracted; the feed's own content when the page cannot be
    had. A bug met on one hostile page costs that entry, never the task queue."""
    page_error: str | None = None
    if item.url and is_web_url(item.url):
        try:
            page = shared_fetcher().fetch(item.url, accept="text/html,*/*;q=0.5")
            extracted = extract_html(page.text, url=page.url)
            if not has_prose(extracted.text.split("\n\n")):
                extracted = _fuller(extracted, from_feed_content(item))
            return extracted, page.url, None
        except DaybookError as error:
            page_error = f"{type(error).__name__}: {error}"
            log.info(
                "page unavailable, using feed content", extra={"url": item.url, "error": page_error}
            )
        except Exception as error:
            log.exception("entry failed unexpectedly", extra={"url": item.url})
            page_error = f"{type(error).__name__}: {error}"
    fallback = from_feed_content(item)
    if fallback is not None:
        return fallback, None, None
    return None, None, page_error or "entry has no usable link and no content"


def _fuller(page: ExtractedArticle, feed: ExtractedArticle | None) -> ExtractedArticle:
    """A page that gave only a line or two (a video page, a photo caption), with the
    feed's text when the feed's content says more."""
    if feed is None or word_count(feed.text) <= word_count(page.text):
        return page
    return replace(page, text=feed.text)


def _to_json(entry: FeedEntry) -> dict[str, Any]:
    data = asdict(entry)
    for name in ("published", "updated"):
        data[name] = data[name].isoformat() if data[name] else None
    data["authors"] = list(entry.authors)
    return data


def _from_json(data: dict[str, Any]) -> FeedEntry:
    values = dict(data)
    for name in ("published", "updated"):
        values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
    values["authors"] = tuple(values.get("authors") or ())
    return FeedEntry(**values)
