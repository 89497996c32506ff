"""The ingest service: it sequences the pipeline stages and saves their output.

    feed:  fetch -> parse -> decide per entry -> fetch page -> extract -> normalise -> store
    file:  read -> (feed: parse -> entries) | (page or capture: extract) -> normalise -> store

Network work for a feed runs in a worker thread and touches no database: it
gets a snapshot of what the store knows (validators, known entries) and
returns plain results. The calling thread stores them, one transaction per
article, and records the feed's new state only after all its entries are
stored, so a run killed half-way re-reads the feed next time and stores
exactly what is missing. Decisions (new? changed? when next?) live in
``daybook.pipeline.decide``; HTML is not sanitised here because nothing stored
is HTML: the extractors return plain text, and pages sanitise at render time.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from daybook.errors import DaybookError, RetryLater
from daybook.news.models import Entry, Feed, FetchAttempt
from daybook.news.store import Outcome, store_article
from daybook.pipeline import decide
from daybook.pipeline.extract import extract_document, extract_html
from daybook.pipeline.feeds import looks_like_feed, parse_feed
from daybook.pipeline.fetch import Fetcher
from daybook.pipeline.normalise import is_web_url, normalise
from daybook.pipeline.types import ExtractedArticle, FeedEntry, ParsedFeed, Validators

log = logging.getLogger("daybook.ingest")


@dataclass
class IngestStats:
    """Counts shown on the progress bar and in the summary."""

    feeds_total: int = 0
    feeds_done: int = 0
    feeds_failed: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0  # exact duplicates and near-duplicate copies
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.NEW:
            self.new += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        elif outcome in (Outcome.DUPLICATE, Outcome.COPY):
            self.duplicate += 1
        else:
            self.unchanged += 1

    def merge(self, other: IngestStats) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)

    def fail(self, message: str) -> None:
        self.failed += 1
        self.errors.append(message)


Progress = Callable[[IngestStats], None]


@dataclass(frozen=True)
class _Snapshot:
    """What a worker thread needs to know about a feed, copied out of the database."""

    feed_id: int
    url: str
    validators: Validators
    known: dict[str, decide.KnownEntry]


@dataclass(frozen=True)
class _EntryResult:
    entry: FeedEntry
    action: decide.EntryAction
    extracted: ExtractedArticle | None
    page_url: str | None
    error: str | None


@dataclass
class _FeedResult:
    snapshot: _Snapshot
    started: datetime
    duration_ms: int = 0
    status: int | None = None
    size: int = 0
    not_modified: bool = False
    validators: Validators = field(default_factory=Validators)
    parsed: ParsedFeed | None = None
    error: DaybookError | None = None
    entries: list[_EntryResult] = field(default_factory=list)


class Ingester:
    def __init__(self, fetcher: Fetcher, *, workers: int = 8, progress: Progress | None = None):
        self.fetcher = fetcher
        self.workers = max(1, workers)
        self.progress = progress or (lambda stats: None)

    # -- feeds ---------------------------------------------------------------

    def run_due(self, *, due_only: bool = True) -> IngestStats:
        """Poll, once, every active feed whose next poll time has come (or all of them)."""
        feeds = Feed.objects.filter(active=True).order_by("id")
        if due_only:
            feeds = feeds.filter(next_poll_at__lte=timezone.now())
        return self.poll(list(feeds))

    def poll(self, feeds: list[Feed]) -> IngestStats:
        stats = IngestStats(feeds_total=len(feeds))
        self.progress(stats)
        if not feeds:
            return stats
        snapshots = [self._snapshot(feed) for feed in feeds]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(feeds))) as pool:
            futures = [pool.submit(self._fetch_feed, snap) for snap in snapshots]
            for future in as_completed(futures):
                self._save_feed(future.result(), stats)
                stats.feeds_done += 1
                self.progress(stats)
        return stats

    def _snapshot(self, feed: Feed) -> _Snapshot:
        known = {
            entry_id: decide.KnownEntry(fingerprint, article_id is not None, attempts)
            for entry_id, fingerprint, article_id, attempts in feed.entries.values_list(
                "entry_id", "fingerprint", "article_id", "attempts"
            )
        }
        return _Snapshot(
            feed_id=feed.pk,
            url=feed.url,
            validators=Validators(feed.etag or None, feed.last_modified or None),
            known=known,
        )

    def _fetch_feed(self, snap: _Snapshot) -> _FeedResult:
        """Network only: runs in a worker thread and never touches the database."""
        result = _FeedResult(snapshot=snap, started=timezone.now())
        clock = time.monotonic()
        try:
            fetched = self.fetcher.fetch(snap.url, validators=snap.validators)
            result.status = fetched.status
            result.size = len(fetched.content)
            result.validators = fetched.validators
            result.not_modified = fetched.not_modified
            if not fetched.not_modified:
                result.parsed = parse_feed(
                    fetched.content, url=fetched.url, content_type=fetched.content_type
                )
        except DaybookError as error:
            result.error = error
        result.duration_ms = int((time.monotonic() - clock) * 1000)
        if result.parsed is not None:
            for entry in result.parsed.entries:
                action = decide.entry_action(entry, snap.known.get(entry.id))
                if action in (decide.EntryAction.KNOWN, decide.EntryAction.GIVEN_UP):
                    result.entries.append(_EntryResult(entry, action, None, None, None))
                else:
                    result.entries.append(self._fetch_entry_safely(entry, action))
        return result

    def _fetch_entry_safely(self, entry: FeedEntry, action: decide.EntryAction) -> _EntryResult:
        """A bug met on one hostile page costs that entry, never the run."""
        try:
            return self._fetch_entry(entry, action)
        except Exception as error:
            log.exception("entry failed unexpectedly", extra={"url": entry.url})
            return _EntryResult(entry, action, None, None, f"{type(error).__name__}: {error}")

    def _fetch_entry(self, entry: FeedEntry, action: decide.EntryAction) -> _EntryResult:
        """The entry's page, extracted; the feed's own content when the page cannot be had."""
        page_error: str | None = None
        if entry.url and is_web_url(entry.url):
            try:
                page = self.fetcher.fetch(entry.url, accept="text/html,*/*;q=0.5")
                extracted = extract_html(page.text, url=page.url)
                return _EntryResult(entry, action, extracted, page.url, None)
            except DaybookError as error:
                page_error = f"{type(error).__name__}: {error}"
                log.info(
                    "page unavailable, using feed content",
                    extra={"url": entry.url, "error": page_error},
                )
        fallback = _from_feed_content(entry)
        if fallback is not None:
            return _EntryResult(entry, action, fallback, None, None)
        reason = page_error or "entry has no usable link and no content"
        return _EntryResult(entry, action, None, None, reason)

    def _save_feed(self, result: _FeedResult, stats: IngestStats) -> None:
        feed = Feed.objects.select_related("source").get(pk=result.snapshot.feed_id)
        for item in result.entries:
            try:
                self._save_entry(feed, item, stats)
            except (DaybookError, DatabaseError) as error:
                # The entry's transaction rolled back; it is retried next poll.
                log.exception("entry not stored", extra={"feed": feed.url, "url": item.entry.url})
                stats.fail(f"{item.entry.url or item.entry.id}: {type(error).__name__}: {error}")
        now = timezone.now()
        FetchAttempt.objects.create(
            feed=feed,
            url=feed.url,
            started_at=result.started,
            duration_ms=result.duration_ms,
            status=result.status,
            outcome=(
                FetchAttempt.Outcome.ERROR
                if result.error
                else FetchAttempt.Outcome.NOT_MODIFIED
                if result.not_modified
                else FetchAttempt.Outcome.OK
            ),
            error=str(result.error or ""),
            bytes=result.size,
        )
        interval = timedelta(seconds=feed.poll_interval)
        feed.last_polled_at = now
        if result.error is not None:
            stats.feeds_failed += 1
            stats.errors.append(f"{feed.url}: {result.error}")
            feed.consecutive_failures += 1
            feed.last_error = f"{type(result.error).__name__}: {result.error}"
            feed.last_error_at = now
            retry_after = result.error.retry_after if isinstance(result.error, RetryLater) else None
            feed.next_poll_at = decide.next_poll(
                now, interval, feed.consecutive_failures, retry_after
            )
            log.warning("feed failed", extra={"feed": feed.url, "error": feed.last_error})
        else:
            feed.consecutive_failures = 0
            feed.last_success_at = now
            feed.etag = result.validators.etag or ""
            feed.last_modified = result.validators.last_modified or ""
            if result.parsed and result.parsed.title and not feed.title:
                feed.title = result.parsed.title[:500]
            feed.next_poll_at = decide.next_poll(now, interval, 0)
        feed.save()

    def _save_entry(self, feed: Feed, item: _EntryResult, stats: IngestStats) -> None:
        if item.action in (decide.EntryAction.KNOWN, decide.EntryAction.GIVEN_UP):
            Entry.objects.filter(feed=feed, entry_id=item.entry.id).update(
                last_seen_at=timezone.now()
            )
            stats.unchanged += 1
            return
        fingerprint = decide.fingerprint(item.entry)
        with transaction.atomic():
            entry, _ = Entry.objects.get_or_create(
                feed=feed, entry_id=item.entry.id, defaults={"fingerprint": fingerprint}
            )
            entry.last_seen_at = timezone.now()
            if item.extracted is None or not item.extracted.text.strip():
                entry.attempts += 1
                entry.error = item.error or "no text extracted"
                entry.save()
                stats.fail(f"{item.entry.url or item.entry.id}: {entry.error}")
                self.progress(stats)
                return
            url = item.page_url or entry_url(feed.url, item.entry)
            # A page that does not name its site is named after the source.
            extracted = replace(
                item.extracted, site_name=item.extracted.site_name or feed.source.name
            )
            normalised = normalise(extracted, url=url, entry=item.entry)
            extra = tuple(u for u in (item.entry.url,) if u and is_web_url(u))
            stored = store_article(normalised, source=feed.source, feed=feed, extra_urls=extra)
            entry.article = stored.article
            entry.fingerprint = fingerprint
            entry.error = ""
            entry.save()
        stats.count(stored.outcome)
        self.progress(stats)

    # -- local files ------------------------------------------------------------

    def ingest_paths(self, paths: Iterable[Path], *, base_url: str | None = None) -> IngestStats:
        """Ingest feeds, HTML pages and captured texts from disk, without the network.

        A feed file's entries are stored from the feed's own content: pages
        are not fetched, so a local import works offline and never surprises
        an operator with requests they did not ask for.
        """
        files = _expand(paths)
        stats = IngestStats(feeds_total=len(files))
        self.progress(stats)
        for path in files:
            try:
                self._ingest_file(path, base_url, stats)
            except (DaybookError, OSError) as error:
                stats.fail(f"{path}: {error}")
            stats.feeds_done += 1
            self.progress(stats)
        return stats

    def _ingest_file(self, path: Path, base_url: str | None, stats: IngestStats) -> None:
        data = path.read_bytes()
        if looks_like_feed(data, None):
            parsed = parse_feed(data, url=base_url or path.resolve().as_uri())
            for entry in parsed.entries:
                extracted = _from_feed_content(entry)
                if extracted is None:
                    stats.fail(f"{path}: entry {entry.id} has no content")
                    continue
                url = entry_url(parsed.url, entry)
                normalised = normalise(extracted, url=url, entry=entry)
                stats.count(store_article(normalised, input_path=str(path)).outcome)
            return
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        extracted = extract_document(data, url=base_url, now=mtime)
        url = extracted.canonical_url or extracted.url or base_url or path.resolve().as_uri()
        normalised = normalise(extracted, url=url)
        stored = store_article(normalised, input_path=str(path), related=extracted.related)
        stats.count(stored.outcome)


def _from_feed_content(entry: FeedEntry) -> ExtractedArticle | None:
    """An article made of what the feed itself carries (full content, else summary)."""
    html = entry.content or entry.summary
    if not html or not html.strip():
        return None
    try:
        extracted = extract_html(
            f"<html><body><article>{html}</article></body></html>", url=entry.url
        )
    except DaybookError:
        return None
    return ExtractedArticle(
        text=extracted.text,
        title=entry.title,
        authors=entry.authors,
        published=entry.published,
        image=entry.image,
    )


def entry_url(feed_url: str, entry: FeedEntry) -> str:
    """The entry's link when it is a web URL; otherwise a stable identifier
    (a ``javascript:`` or missing link must never become an article's URL)."""
    if entry.url and is_web_url(entry.url):
        return entry.url
    digest = hashlib.sha256(f"{feed_url}\x1f{entry.id}".encode()).hexdigest()[:32]
    return f"urn:daybook:entry:{digest}"


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            files.append(path)
    return files
