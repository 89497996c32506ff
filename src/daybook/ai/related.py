"""Choosing an article's related articles from its nearest neighbours.

Nearest neighbours alone give five wire copies of the same text from five outlets.
A reader wants the other angles: so one article per copy group (never a copy of the
article itself), a penalty for repeating a publisher, a nudge for shared entities, and
room kept for at least one article from another story when one is close enough.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

METHOD = "diversified-knn@1"


@dataclass(frozen=True)
class Candidate:
    id: int
    similarity: float
    publisher: str
    story: int | None
    group: int
    """The id of the original its copy group descends from (its own id if none)."""
    entities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RelatedConfig:
    # Measured on the demo corpus with wordllama vectors (bench/quality.py): without a
    # floor, every list is padded to five and precision@5 is 0.71; at 0.4 it is 0.82
    # with 3.6 articles a list. Another embedding model may need another floor.
    min_similarity: float = 0.4
    """Below this, a neighbour is not related at all: a short list beats a padded one."""
    publisher_penalty: float = 0.06
    entity_weight: float = 0.25
    other_story_floor: float = 0.45
    """Similarity an article from another story needs to claim the reserved slot."""


def choose(
    group: int,
    story: int | None,
    entities: Collection[str],
    candidates: Sequence[Candidate],
    limit: int = 5,
    config: RelatedConfig | None = None,
) -> list[Candidate]:
    """Up to ``limit`` candidates, best first, diversified across publishers and copies."""
    config = config or RelatedConfig()
    pool = [c for c in candidates if c.group != group and c.similarity >= config.min_similarity]
    reserve = next(
        (
            c
            for c in sorted(pool, key=lambda c: -c.similarity)
            if (story is None or c.story != story) and c.similarity >= config.other_story_floor
        ),
        None,
    )
    chosen: list[Candidate] = []
    groups: set[int] = set()
    publishers: Counter[str] = Counter()
    own_story_limit = limit - 1 if reserve is not None else limit

    def gain(candidate: Candidate) -> float:
        shared = len(candidate.entities.intersection(entities))
        return (
            candidate.similarity
            + config.entity_weight * min(1.0, shared / 3)
            - config.publisher_penalty * publishers[candidate.publisher]
        )

    while len(chosen) < limit:
        own = sum(1 for c in chosen if story is not None and c.story == story)
        eligible = [
            c
            for c in pool
            if c.group not in groups
            and not (story is not None and c.story == story and own >= own_story_limit)
        ]
        if not eligible:
            break
        best = max(eligible, key=lambda c: (gain(c), -c.id))
        chosen.append(best)
        groups.add(best.group)
        publishers[best.publisher] += 1
    return chosen
