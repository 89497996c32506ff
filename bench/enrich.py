"""Enrichment speed and memory per embedding backend, and related-article lookup time.

Part 1 runs once per backend, each in its own process so peak memory is that
backend's: the demo corpus is ingested into a fresh SQLite database, then every
article is enriched (vector, summary, entities, quotes, topics, story) and timed.
Next to it, in the same process, the backend embeds the same texts alone: the
ratio says what the other stages cost on top of the embedding.

Part 2 times related-article queries on the usearch index at 1,000 and 100,000
stored vectors (synthetic unit vectors) against an exact brute-force scan measured
in the same run (see bench/index.py).

    .venv/bin/python bench/enrich.py [--backends wordllama,minilm] [--sizes 1000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="wordllama,minilm")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_enrich_corpus(args.child)))
        return
    for backend in filter(None, args.backends.split(",")):
        result = subprocess.run(
            [sys.executable, __file__, "--child", backend],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            print(f"{backend}: failed\n{result.stderr[-2000:]}")
            continue
        row = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{backend:<10} enrich: {row['articles']} articles in {row['seconds']:.2f} s = "
            f"{row['rate']:.1f} articles/s; embedding alone {row['embed_rate']:.1f} texts/s "
            f"(ratio {row['rate'] / row['embed_rate']:.3f}); model load {row['load']:.2f} s; "
            f"peak RSS {row['peak_mb']:.0f} MB (after ingest {row['ingest_mb']:.0f} MB); "
            f"{row['failed']} failed"
        )
    sys.path.insert(0, str(Path(__file__).parent))
    from index import measure

    sizes = [int(size) for size in args.sizes.split(",")]
    for row in measure(sizes, queries=200):
        print(
            f"related lookup at {row['size']:>7} vectors: index {row['index_ms']:.3f} ms, "
            f"brute force {row['brute_ms']:.3f} ms, ratio brute/index "
            f"{row['brute_ms'] / row['index_ms']:.1f}, recall@10 {row['recall_at_10']:.3f}"
        )


def _enrich_corpus(backend: str) -> dict[str, float]:
    workdir = tempfile.mkdtemp(prefix="daybook-enrich-")
    os.environ["DAYBOOK_DATA_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/enrich.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"
    os.environ["DAYBOOK_EMBEDDING_BACKEND"] = backend
    os.environ["HF_HUB_OFFLINE"] = "1"

    from daybook.demo.server import CorpusServer

    with CorpusServer() as corpus:
        os.environ["DAYBOOK_ALLOWED_HOSTS"] = ",".join(corpus.hosts)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from daybook.demo.run import ingest_demo

        ingest_demo(corpus)
    ingest_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from daybook.ai.embed import load_embedder
    from daybook.news.enrich import Enricher
    from daybook.news.models import Article

    start = time.perf_counter()
    embedder = load_embedder(backend)
    load = time.perf_counter() - start
    enricher = Enricher(embedder)
    start = time.perf_counter()
    stats = enricher.run()
    seconds = time.perf_counter() - start
    texts = [
        f"{title}\n\n{text[:4000]}" for title, text in Article.objects.values_list("title", "text")
    ]
    start = time.perf_counter()
    embedder.embed(texts)
    embed_seconds = time.perf_counter() - start
    return {
        "articles": stats.done,
        "failed": stats.failed,
        "seconds": seconds,
        "rate": stats.done / seconds,
        "embed_rate": len(texts) / embed_seconds,
        "load": load,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ingest_mb": ingest_mb,
    }


if __name__ == "__main__":
    main()
