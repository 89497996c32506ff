"""Near-duplicate detection on the demo corpus: precision and recall by threshold.

Articles are fed to the detector in publication order, as ingestion would
meet them; each is compared only with the earlier articles it shares an LSH
band with, and linked to the best one scoring at or above the threshold.
A pair of articles is *truly* a copy pair when the ground truth puts them in
the same copy group (an original and everything that copies it); a pair is
*predicted* when the detector links them into one group. Exact duplicates
(the same text twice, e.g. a capture of a feed article) count as copies.

    .venv/bin/python bench/dedupe.py
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from daybook.demo.server import load_truth
from daybook.pipeline import dedupe
from daybook.pipeline.normalise import text_hash

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def groups_from(links: list[tuple[str, str]], keys: list[str]) -> dict[str, str]:
    """Connected components of the copy links (union-find), as key -> group root."""
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in links:
        parent[root(a)] = root(b)
    return {key: root(key) for key in keys}


def pairs(group_of: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for key, group in group_of.items():
        members[group].append(key)
    return {frozenset(p) for m in members.values() for p in itertools.combinations(m, 2)}


def main() -> None:
    truth = load_truth()
    articles = sorted(truth["articles"], key=lambda a: (a["published"] or "9999", a["id"]))
    bodies = {a["id"]: "\n\n".join(a["body"]) for a in articles}
    # Ground truth: copy_of links, plus identical texts (captures of feed articles).
    keys = [a["id"] for a in articles]
    links = [(a["id"], a["copy_of"]) for a in articles if a["copy_of"]]
    first_by_hash: dict[str, str] = {}
    for a in articles:
        h = text_hash(bodies[a["id"]])
        if h in first_by_hash:
            links.append((a["id"], first_by_hash[h]))
        first_by_hash.setdefault(h, a["id"])
    true_pairs = pairs(groups_from(links, keys))

    sigs = {key: dedupe.signature(text) for key, text in bodies.items()}
    print(f"{len(articles)} articles, {len(true_pairs)} true copy pairs")
    scores = {
        frozenset(p): dedupe.containment(sigs[p[0]], sigs[p[1]])
        for p in itertools.combinations(keys, 2)
    }
    # Copies link to their original, not to each other: the margin is between
    # the weakest original-copy link and the strongest pair that is no copy.
    linked = [scores[frozenset(link)] for link in links if link[0] != link[1]]
    unrelated = [score for pair, score in scores.items() if pair not in true_pairs]
    print(f"weakest copy link: {min(linked):.3f}; strongest non-copy pair: {max(unrelated):.3f}")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'f1':>6} {'pairs':>6}")
    for threshold in THRESHOLDS:
        index: dict[tuple[int, int], list[str]] = defaultdict(list)
        predicted_links: list[tuple[str, str]] = []
        for a in articles:
            key = a["id"]
            sig = sigs[key]
            candidates = {other for band in dedupe.band_keys(sig) for other in index[band]}
            numbered = sorted(candidates)
            match = dedupe.best_match(sig, {i: sigs[k] for i, k in enumerate(numbered)}, threshold)
            if match:
                predicted_links.append((key, numbered[match.article_id]))
            for band in dedupe.band_keys(sig):
                index[band].append(key)
        predicted = pairs(groups_from(predicted_links, keys))
        hit = len(predicted & true_pairs)
        precision = hit / len(predicted) if predicted else 1.0
        recall = hit / len(true_pairs) if true_pairs else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{threshold:>9.2f} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {len(predicted):>6}")


if __name__ == "__main__":
    main()
