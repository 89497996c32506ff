"""Unread counts for a reader following 500 publishers over 100,000 articles.

A fresh database (SQLite by default, or ``--database`` a PostgreSQL URL to a database
that may be emptied) gets ``--publishers`` sources and ``--articles`` originals spread
over 30 days, written straight in (no text, enrichment or stories: the count reads
none of it). One reader follows every publisher and has a read state shaped like weeks
of use: a watermark two days back, "mark all as read" on 50 publishers and 10 topics,
400 articles opened above the bounds and 20 marked unread below them.

Timed, each the median of ``--repeat`` runs in the same process:

- baseline: originals per followed publisher, one grouped count with no read state
  (the least any unread count can cost);
- unread: ``daybook.community.reading.unread_by_publisher`` for that reader.

    .venv/bin/python bench/unread.py [--articles 100000] [--publishers 500]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

SEED = 20261203
TOPICS = ("World", "Economy", "Science", "Sports", "Health", "Technology")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--publishers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="daybook-unread-") as workdir:
        os.environ["DAYBOOK_DATA_DIR"] = workdir
        os.environ["DATABASE_URL"] = args.database or f"sqlite:///{Path(workdir) / 'u.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"
        import django
        from django.core.management import call_command

        django.setup()
        if args.database:
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        _run(args)


def _run(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from daybook.community import reading
    from daybook.community.models import Follow, ReadBound, ReadMark
    from daybook.news.models import Article, Source

    rng = random.Random(SEED)
    now = timezone.now()
    start = time.perf_counter()
    Source.objects.bulk_create(Source(name=f"Publisher {n}") for n in range(args.publishers))
    sources = list(Source.objects.values_list("pk", flat=True))
    batch = []
    for n in range(args.articles):
        stored = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
        batch.append(
            Article(
                source_id=rng.choice(sources),
                url=f"https://p.example/{n}",
                canonical_url=f"https://p.example/{n}",
                title=f"Article {n}",
                text="",
                text_hash=f"{n:032x}",
                published_at=stored,
                created_at=stored,
                topics=rng.sample(TOPICS, 2),
                stage="done",
                work_due_at=None,
            )
        )
        if len(batch) == 5000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    filled = time.perf_counter() - start

    reader = User.objects.create_user("reader")
    Follow.objects.bulk_create(Follow(user=reader, kind="publisher", key=str(pk)) for pk in sources)
    ReadBound.objects.create(user=reader, kind="all", key="", before=now - timedelta(days=2))
    for pk in rng.sample(sources, 50):
        bound = now - timedelta(hours=rng.uniform(0, 48))
        ReadBound.objects.create(user=reader, kind="publisher", key=str(pk), before=bound)
    for topic in TOPICS[:3]:
        bound = now - timedelta(hours=rng.uniform(0, 48))
        ReadBound.objects.create(user=reader, kind="topic", key=topic, before=bound)
    recent = list(
        Article.objects.filter(created_at__gt=now - timedelta(days=2)).values_list(
            "pk", "created_at"
        )
    )
    older = list(
        Article.objects.filter(created_at__lte=now - timedelta(days=2)).values_list(
            "pk", "created_at"
        )[:2000]
    )
    ReadMark.objects.bulk_create(
        [
            ReadMark(user=reader, article_id=pk, read=True, stored=at)
            for pk, at in rng.sample(recent, 400)
        ]
        + [
            ReadMark(user=reader, article_id=pk, read=False, stored=at)
            for pk, at in rng.sample(older, 20)
        ]
    )
    state = reading.load(reader.pk)

    def baseline() -> object:
        rows = (
            Article.objects.filter(copy_of=None, source_id__in=sources)
            .order_by()
            .values("source_id")
            .annotate(n=Count("id"))
        )
        return {r["source_id"]: r["n"] for r in rows}

    def unread() -> object:
        return reading.unread_by_publisher(state, sources)

    base_ms = _median_ms(baseline, args.repeat)
    unread_ms = _median_ms(unread, args.repeat)
    counts = reading.unread_by_publisher(state, sources)
    print(
        f"{connection.vendor}: {args.articles:,} articles, {args.publishers} publishers followed, "
        f"filled in {filled:.1f} s; read state: 1 watermark, 53 list bounds, 420 marks"
    )
    print(f"unread articles: {sum(counts.values()):,} over {len(counts)} publishers")
    print(f"  baseline (grouped count, no read state): {base_ms:7.1f} ms")
    print(f"  unread counts (reading.unread_by_publisher): {unread_ms:7.1f} ms")
    print(f"  ratio unread / baseline: {unread_ms / base_ms:.2f}")


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    call()  # warm the page cache and the statement cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
