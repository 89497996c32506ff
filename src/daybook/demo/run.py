"""``daybook demo``: add the corpus publishers as sources and ingest them for real."""

from __future__ import annotations

import secrets

from daybook.demo.server import CorpusServer
from daybook.news import sources
from daybook.news.fetching import make_fetcher
from daybook.news.ingest import Ingester, IngestStats, Progress
from daybook.news.models import Feed


def ingest_demo(corpus: CorpusServer, progress: Progress | None = None) -> IngestStats:
    """Discover each publisher's feed from its home page, poll them all, then
    ingest the captured-text pages from disk, through the same code as any user.
    The caller allows the corpus hosts and sets no per-host delay (the corpus
    servers are on this machine) before settings load."""
    with make_fetcher(extra_allowed_hosts=corpus.hosts, host_delay=0.0) as fetcher:
        for site in corpus.sites:
            if not Feed.objects.filter(url__startswith=site.local + "/").exists():
                sources.add_source(fetcher, site.local + "/", site.name)
    ingester = Ingester(progress=progress)
    stats = ingester.run_due(due_only=False)
    captures = ingester.ingest_paths([corpus.corpus / "captures"])
    stats.merge(captures)
    return stats


DEMO_READER = "reader"


def demo_reader() -> tuple[str, str]:
    """The demo's reader account, with a new password each run (printed, never
    a fixed one that would also open a demo left running on a shared machine)."""
    from django.contrib.auth import get_user_model

    password = "-".join(secrets.token_hex(3) for _ in range(3))
    user, _ = get_user_model().objects.get_or_create(username=DEMO_READER)
    user.set_password(password)
    user.save()
    return DEMO_READER, password
