"""Related-article lookups: the usearch index against an exact brute-force scan.

Synthetic, seeded 256-dimension unit vectors stand in for article embeddings. They are
clustered like real ones: each is a "topic" centre plus noise (cosine about 0.6 to its
centre, 50 vectors a topic), because uniformly random vectors in 256 dimensions have
no near neighbours at all (every pair scores about 0), which tells nothing about an
index meant for text. Each query is a stored article asking for its top 10, excluding
itself and its two nearest neighbours (as the caller excludes an article's copies),
timed through ``VectorIndex.search`` and through ``brute_force`` in the same run.
Recall@10 is the share of brute force's ten the index also returns.

    .venv/bin/python bench/index.py [--sizes 1000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from daybook.ai.index import VectorIndex, brute_force

DIMENSIONS = 256
TOPIC_SIZE = 50
NOISE = 0.08  # per coordinate; with 256 of them the noise's norm is about 1.3
TOP = 10
SEED = 20240601


def vectors(count: int, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = _unit(rng.standard_normal((max(count // TOPIC_SIZE, 1), DIMENSIONS)))
    topic = rng.integers(0, len(centres), count)
    return _unit(centres[topic] + NOISE * rng.standard_normal((count, DIMENSIONS)))


def _unit(matrix: np.ndarray) -> np.ndarray:
    unit: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return unit.astype(np.float32)


def measure(sizes: Sequence[int], queries: int) -> list[dict[str, Any]]:
    """One row of figures per collection size."""
    rows = []
    for size in sizes:
        matrix = vectors(size)
        keys = np.arange(1, size + 1, dtype=np.int64)
        start = time.perf_counter()
        index = VectorIndex.build(keys, matrix, DIMENSIONS)
        build = time.perf_counter() - start

        rng = np.random.default_rng(SEED + size)
        asked = rng.choice(size, size=min(queries, size), replace=False)
        excludes = []
        for row in asked:
            nearest = brute_force(matrix, keys, matrix[row], 3)
            excludes.append({int(keys[row])} | {key for key, _ in nearest})

        start = time.perf_counter()
        exact = [
            brute_force(matrix, keys, matrix[row], TOP, exclude)
            for row, exclude in zip(asked, excludes, strict=True)
        ]
        brute = (time.perf_counter() - start) / len(asked)

        start = time.perf_counter()
        found = [
            index.search(matrix[row], TOP, exclude=exclude)
            for row, exclude in zip(asked, excludes, strict=True)
        ]
        search = (time.perf_counter() - start) / len(asked)

        recall = np.mean(
            [
                len({k for k, _ in got} & {k for k, _ in want}) / len(want)
                for got, want in zip(found, exact, strict=True)
            ]
        )
        leaked = sum(
            bool({k for k, _ in got} & exclude)
            for got, exclude in zip(found, excludes, strict=True)
        )
        rows.append(
            {
                "size": size,
                "queries": len(asked),
                "build_s": build,
                "index_ms": search * 1000,
                "brute_ms": brute * 1000,
                "ratio": brute / search,
                "recall_at_10": float(recall),
                "excluded_returned": leaked,
            }
        )
    return rows


def table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'keys':>8} {'build s':>8} {'index ms':>9} {'brute ms':>9} "
        f"{'brute/index':>11} {'recall@10':>9} {'queries':>7}"
    ]
    for row in rows:
        lines.append(
            f"{row['size']:>8,} {row['build_s']:>8.2f} {row['index_ms']:>9.3f} "
            f"{row['brute_ms']:>9.3f} {row['ratio']:>11.1f} {row['recall_at_10']:>9.3f} "
            f"{row['queries']:>7}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rows = measure(args.sizes, args.queries)
    print(
        f"top-{TOP} of {DIMENSIONS}-d unit vectors, excluding self and 2 nearest; "
        "mean time per query"
    )
    print(table(rows))
    leaked = sum(row["excluded_returned"] for row in rows)
    if leaked:
        print(f"WARNING: the index returned an excluded key in {leaked} queries")


if __name__ == "__main__":
    main()
