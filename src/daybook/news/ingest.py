"""Ingest runs: every due feed polled once, or local files, in this process.

    feeds: claim due feeds -> poll_feed -> fetch_entry -> enrich -> place  (the tasks)
    files: read -> (feed: parse -> entries) | (page or capture: extract) -> normalise -> store

Feeds go through the service's own tasks, run here (``news/tasks.py``), so a
one-off ``daybook ingest`` and a running service share one pipeline; this module
only counts what the tasks report. Local files are not feeds: they are read and
stored here, and enrichment picks them up like any new article.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_tasks import TaskResult
from django_tasks.signals import task_finished

from daybook.errors import DaybookError
from daybook.news.models import Feed
from daybook.news.store import Outcome, store_article
from daybook.pipeline.extract import extract_document, extract_html
from daybook.pipeline.feeds import looks_like_feed, parse_feed
from daybook.pipeline.normalise import normalise
from daybook.pipeline.types import ExtractedArticle, FeedEntry
from daybook.pipeline.urls import is_web_url

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


class Ingester:
    def __init__(self, *, progress: Progress | None = None):
        self.progress = progress or (lambda stats: None)

    # -- feeds ---------------------------------------------------------------

    def run_due(self, *, due_only: bool = True, enrich: bool = True) -> IngestStats:
        """Poll, once, every active feed whose next poll time has come (or all of
        them), and carry what they bring through the pipeline."""
        from daybook.news import schedule, tasks

        stats = IngestStats(
            feeds_total=Feed.objects.filter(active=True).count()
            if not due_only
            else Feed.objects.filter(active=True, next_poll_at__lte=timezone.now()).count()
        )
        self.progress(stats)

        def count(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
            if task_result.backend != tasks.INPROCESS or not task_result.is_finished:
                return
            value = task_result.return_value if task_result.errors == [] else None
            if task_result.task.func is tasks.poll_feed.func:
                stats.feeds_done += 1
                if value is None or value.get("error"):
                    stats.feeds_failed += 1
                    stats.errors.append(
                        value["error"] if value else f"feed {task_result.args[0]}: task failed"
                    )
            elif task_result.task.func is tasks.fetch_entry.func:
                if value is None:
                    stats.fail(f"entry {task_result.args[0]}: task failed")
                elif value["outcome"] == "failed":
                    stats.fail(value["error"])
                elif value["outcome"] != "none":
                    stats.count(Outcome(value["outcome"]))
            else:
                return
            self.progress(stats)

        task_finished.connect(count, weak=False, dispatch_uid=f"ingest-{id(stats)}")
        try:
            schedule.run_in_process(due_only=due_only, enrich=enrich)
        finally:
            task_finished.disconnect(dispatch_uid=f"ingest-{id(stats)}")
        return stats

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
                extracted = from_feed_content(entry)
                if extracted is None:
                    stats.fail(f"{path}: entry {entry.id} has no content")
                    continue
                url = entry_url(parsed.url, entry)
                normalised = normalise(extracted, url=url, entry=entry)
                stats.count(store_article(normalised, input_path=str(path)).outcome)
            return
        # No ``now``: an age ("3 hours ago") in a file says nothing of when it was
        # saved (a copy or a checkout resets its time), so such a capture stays undated.
        extracted = extract_document(data, url=base_url)
        url = extracted.canonical_url or extracted.url or base_url or path.resolve().as_uri()
        normalised = normalise(extracted, url=url)
        stored = store_article(normalised, input_path=str(path), related=extracted.related)
        stats.count(stored.outcome)


def from_feed_content(entry: FeedEntry) -> ExtractedArticle | None:
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
