"""Choosing an article's related articles from its nearest neighbours.

Nearest neighbours alone give five wire copies of the same text from five outlets.
A reader wants the other angles of the same event and more on the same people: so one
article per copy group (never a copy of the article itself), a penalty for repeating
a publisher, a nudge for shared entities, room kept for at least one article from
another story when one is close enough, and an article of another story only when it
shares a person or organisation or is close in text, never for being on the same sort
of subject.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

METHOD = "diversified-knn@2"


@dataclass(frozen=True)
class Candidate:
    id: int
    similarity: float
    publisher: str
    story: int | None
    group: int
    """The id of the original its copy group descends from (its own id if none)."""
    entities: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    """The people and organisations among ``entities``: who the article is about."""


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
    loose_similarity: float = 0.5
    """Similarity an article from another story needs when it shares no person or
    organisation with the article: below it, it is only about the same sort of thing.
    On the demo corpus, precision@5 0.82 -> 0.93 and same event 0.36 -> 0.55 against no
    such rule, with 2.2 articles a list instead of 3.4."""


def choose(
    group: int,
    story: int | None,
    entities: Collection[str],
    candidates: Sequence[Candidate],
    limit: int = 5,
    config: RelatedConfig | None = None,
    actors: Collection[str] = (),
) -> list[Candidate]:
    """Up to ``limit`` candidates, best first, diversified across publishers and copies:
    the same story first, then other stories about the same people or organisations,
    and only a close one that shares neither."""
    config = config or RelatedConfig()

    def related(c: Candidate) -> bool:
        if c.group == group or c.similarity < config.min_similarity:
            return False
        same_story = story is not None and c.story == story
        return (
            same_story
            or bool(c.actors.intersection(actors))
            or c.similarity >= config.loose_similarity
        )

    pool = [c for c in candidates if related(c)]
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
