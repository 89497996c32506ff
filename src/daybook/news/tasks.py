"""Every piece of background work, as a task of Django's tasks API.

The backend is chosen by ``DAYBOOK_TASKS_URL`` (settings.py): the database queue by
default, RQ on Redis for many machines. ``daybook ingest`` runs the same tasks in
its own process (the ``inprocess`` backend, Django's ImmediateBackend), so there is
one way the pipeline runs.

Each task is thin: it calls a service that checks the row's state first and does
nothing when the work is done already, so running a task twice, or two copies at
once, has the effect of running it once (see ``news/work.py`` for how work lost
with a worker comes back). Arguments are ids, never objects: the row is read when
the task runs, not when it was queued.

Queues: ``feeds`` (polls), ``pages`` (article pages), ``enrich``, ``stories``
(placement and summaries), ``llm`` (the language model, so a slow provider holds
up nothing else) and ``mail`` (digests and alerts: ``daybook.mail.send``).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task

log = logging.getLogger("daybook.tasks")

P = ParamSpec("P")
T = TypeVar("T")

INPROCESS = "inprocess"

PRIORITY = {"stories": 30, "enrich": 20, "mail": 10, "llm": 0, "pages": -10, "feeds": -20}
"""Work nearer the reader first: a poll queues every page of its feed at once, and
without this an article would wait for all of them before its enrichment could
start. The database queue takes tasks by priority; RQ workers listen to their
queues in this order (``news/worker.py``)."""
_in_process: contextvars.ContextVar[tuple[bool, frozenset[str] | None]] = contextvars.ContextVar(
    "in_process", default=(False, None)
)


@contextmanager
def in_process(queues: Collection[str] | None = None) -> Iterator[None]:
    """Run every task submitted inside this block at once, in this process; with
    ``queues``, only the tasks of those queues. The others are not queued at all:
    their work stays due in the database (``news/work.py``), for the caller to finish
    or for the service's tick to hand out."""
    token = _in_process.set((True, frozenset(queues) if queues is not None else None))
    try:
        yield
    finally:
        _in_process.reset(token)


def submit(work: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
    """Queue ``work``, once the current transaction commits (at once outside one).

    A task queued before its rows are committed could run before they exist; one
    queued for a transaction that rolls back would run for nothing. If the queue
    cannot take it (Redis down), the failure is logged and nothing else happens:
    the work's lease runs out and the tick submits it again. In process, the task
    runs at once, on this connection, which sees what it wrote (callers submit
    outside their transactions, so a slow task never holds one open).
    """
    here, served = _in_process.get()
    if here:
        if served is None or work.queue_name in served:
            work.using(backend=INPROCESS).enqueue(*args, **kwargs)
        return

    def enqueue() -> None:
        try:
            chosen = work
            if work.get_backend().supports_priority:
                chosen = work.using(priority=PRIORITY.get(work.queue_name, 0))
            chosen.enqueue(*args, **kwargs)
        except Exception as error:  # the broker's failure must not undo committed work
            log.warning("task not queued task=%s error=%s", work.name, error)

    transaction.on_commit(enqueue, robust=True)


@task(queue_name="feeds")
def poll_feed(feed_id: int, claim: str) -> dict[str, Any]:
    """Fetch one feed, store what it says is new, schedule its next poll."""
    from daybook.news import polling

    return polling.poll(feed_id, claim)


@task(queue_name="pages")
def fetch_entry(entry_id: int) -> dict[str, Any]:
    """Fetch, extract and store the page of one feed entry."""
    from daybook.news import polling

    return polling.fetch_entry(entry_id)


@task(queue_name="enrich")
def enrich_article(article_id: int) -> bool:
    """Vector, summary, entities, quotes and topics of one article."""
    from daybook.news.enrich import record_failure, shared_enricher

    try:
        enriched = shared_enricher().enrich(article_id)
    except Exception as error:  # recorded on the article, retried after a backoff
        log.exception("enrich failed article=%s", article_id)
        record_failure(article_id, error)
        return False
    if enriched:
        submit(place_article, article_id)
    return enriched


@task(queue_name="stories")
def place_article(article_id: int) -> int | None:
    """Put one enriched article in its story (serialised by the placement lock)."""
    from daybook.news import stories

    story = stories.place(article_id)
    return story.pk if story else None


@task(queue_name="stories")
def refresh_story(story_id: int) -> bool:
    """Rewrite one story's combined summary from its articles."""
    from daybook.news import stories
    from daybook.news.enrich import shared_enricher

    return stories.summarise(story_id, shared_enricher().embedder.embed)


@task(queue_name="llm")
def write_story_summary(story_id: int) -> bool:
    """Have the language-model provider write one story's summary."""
    from daybook.news import stories
    from daybook.news.enrich import shared_enricher

    return stories.write_generated_summary(story_id, shared_enricher().embedder.embed)


@task(queue_name="feeds")
def websub_subscribe(subscription_id: int, mode: str) -> dict[str, Any]:
    """Ask a feed's WebSub hub to start (``subscribe``, also a renewal) or stop
    (``unsubscribe``) pushing it to us."""
    from daybook.news import websub

    return websub.request(subscription_id, mode)
