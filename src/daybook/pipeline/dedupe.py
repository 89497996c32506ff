"""Exact and near-duplicate detection, as pure functions over texts and signatures.

Wire stories are republished with a new headline, a trimmed ending or an added
local paragraph. Jaccard similarity punishes those edits (a copy trimmed to
half the original scores 0.5 at best), so the decision uses *containment*:
the share of the shorter text's word 5-grams found in the longer one.
Containment is estimated from MinHash signatures (datasketch) and the two
shingle counts, so a stored article never needs re-shingling. Candidates come
from LSH bands of the signature, which the store keeps in an indexed table:
only articles sharing a band with the new one are ever compared.

The threshold (default 0.6, ``DAYBOOK_NEAR_DUPLICATE_THRESHOLD``) was chosen
on the demo corpus; ``bench/dedupe.py`` prints the precision and recall it
reaches there for a range of thresholds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from daybook.pipeline.normalise import normalise_text

SHINGLE_WORDS = 5
NUM_PERM = 128
# 64 bands of 2 rows: a pair with Jaccard 0.15 shares a band with probability
# ~0.76 and one with 0.3 with ~0.9996, so copies trimmed to a third of the
# original are still found, while unrelated texts (Jaccard ~0.01) almost never
# collide and are never compared.
BANDS = 64
ROWS = NUM_PERM // BANDS
_SEED = 1


@dataclass(frozen=True)
class Signature:
    """A text's MinHash and the size of its shingle set."""

    hashvalues: np.ndarray
    shingle_count: int

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingle_count: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u8").copy(), shingle_count)


def shingles(text: str) -> set[bytes]:
    """Word 5-grams of the normalised text; a short text is its own single shingle."""
    words = normalise_text(text).split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> Signature:
    grams = shingles(text)
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED)
    minhash.update_batch(list(grams))
    return Signature(np.asarray(minhash.hashvalues, dtype=np.uint64), len(grams))


def band_keys(sig: Signature) -> list[tuple[int, int]]:
    """(band number, signed 64-bit key) pairs, the form the database indexes."""
    keys = []
    values = sig.hashvalues.astype("<u8")
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "little", signed=True)))
    return keys


def jaccard(a: Signature, b: Signature) -> float:
    if a.shingle_count == 0 or b.shingle_count == 0:
        return 0.0
    return float(np.mean(a.hashvalues == b.hashvalues))


def containment(a: Signature, b: Signature) -> float:
    """Estimated share of the smaller shingle set contained in the larger.

    From J = |A∩B| / |A∪B| and |A∪B| = |A| + |B| - |A∩B| follows
    |A∩B| = J (|A| + |B|) / (1 + J).
    """
    j = jaccard(a, b)
    smaller = min(a.shingle_count, b.shingle_count)
    if smaller == 0:
        return 0.0
    overlap = j * (a.shingle_count + b.shingle_count) / (1 + j)
    return min(1.0, overlap / smaller)


@dataclass(frozen=True)
class Match:
    article_id: int
    score: float


def best_match(sig: Signature, candidates: dict[int, Signature], threshold: float) -> Match | None:
    """The candidate the new text most contains or is contained in, if any
    reaches the threshold; ties go to the lowest id (the earliest stored)."""
    best: Match | None = None
    for article_id in sorted(candidates):
        score = containment(sig, candidates[article_id])
        if score >= threshold and (best is None or score > best.score):
            best = Match(article_id, score)
    return best
