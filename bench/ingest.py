"""End-to-end ingestion speed on the demo corpus, next to trafilatura alone.

The corpus is served on 127.0.0.1 (one port per publisher) and ingested
through the real path: fetch feed, parse, fetch each page, extract,
normalise, dedupe, store in a fresh SQLite database (or ``--database-url``).
Then trafilatura's extraction alone runs on the same pages in the same
process. The ratio of the two rates is the figure: it says what the rest of
the pipeline costs on top of extraction. Peak memory is the process's
maximum resident set size after the ingest phase.

    .venv/bin/python bench/ingest.py [--database-url URL]

Enrichment is left out (``enrich=False``): bench/enrich.py measures it.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daybook.demo.server import CorpusServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="daybook-bench-")
    os.environ["DAYBOOK_DATA_DIR"] = workdir
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"

    from daybook.demo.server import CorpusServer, load_truth

    with CorpusServer() as corpus:
        os.environ["DAYBOOK_ALLOWED_HOSTS"] = ",".join(corpus.hosts)
        os.environ["DAYBOOK_HOST_DELAY"] = "0"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        if args.database_url:
            call_command("flush", verbosity=0, interactive=False)
        from daybook.news import sources
        from daybook.news.fetching import make_fetcher
        from daybook.news.ingest import Ingester
        from daybook.news.models import Article

        with make_fetcher() as fetcher:
            for site in corpus.sites:
                sources.add_source(fetcher, site.local + "/", site.name)
        start = time.perf_counter()
        stats = Ingester().run_due(enrich=False)
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        handled = stats.new + stats.updated + stats.duplicate + stats.failed
        stored = Article.objects.count()
        exact, copies_found, copies_true, copies_wrong = _quality(corpus)

        import trafilatura

        pages = [
            corpus.rewrite((corpus.corpus / a["file"]).read_bytes()).decode("utf-8")
            for a in load_truth()["articles"]
            if a["kind"] == "page" and not a.get("page_missing")
        ]
        start = time.perf_counter()
        for html in pages:
            trafilatura.extract(html, with_metadata=True)
        alone = time.perf_counter() - start

    ingest_rate = handled / elapsed
    trafilatura_rate = len(pages) / alone
    print(
        f"ingest (end to end):   {handled} articles in {elapsed:.2f} s = "
        f"{ingest_rate:.1f} articles/s ({stored} rows stored, {stats.failed} failed)"
    )
    print(
        f"trafilatura alone:     {len(pages)} pages in {alone:.2f} s = "
        f"{trafilatura_rate:.1f} pages/s"
    )
    print(f"ratio ingest/trafilatura: {ingest_rate / trafilatura_rate:.2f}")
    print(f"peak RSS after ingest: {peak_mb:.0f} MB")
    print(f"stored text equal to the ground-truth body: {exact[0]}/{exact[1]} articles")
    print(
        f"copies linked to the right original: {copies_found}/{copies_true}; "
        f"wrongly linked: {copies_wrong}"
    )


def _quality(corpus: CorpusServer) -> tuple[tuple[int, int], int, int, int]:
    """Compare what was stored with truth.json: body text, and copy links."""
    from daybook.demo.server import load_truth
    from daybook.news.models import ArticleLink

    truth = [a for a in load_truth()["articles"] if a["kind"] == "page"]
    row_of = {}
    for article in truth:
        link = ArticleLink.objects.filter(url=corpus.local_url(article["url"])).first()
        row_of[article["id"]] = link.article if link else None
    exact = sum(
        1
        for a in truth
        if row_of[a["id"]] is not None and row_of[a["id"]].text == "\n\n".join(a["body"])
    )

    def root(row):  # the original a stored row is folded into
        return row.copy_of_id or row.pk

    found = wrong = expected = 0
    for a in truth:
        row = row_of[a["id"]]
        if row is None:
            continue
        if a["copy_of"]:
            expected += 1
            original = row_of.get(a["copy_of"])
            found += bool(original is not None and root(row) == root(original))
        elif row.copy_of_id is not None:
            wrong += 1
    return (exact, len(truth)), found, expected, wrong


if __name__ == "__main__":
    main()
