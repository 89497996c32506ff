"""Online story clustering: does a new article join a story, start one, or bridge two?

An article is compared with the stories active around its publication time on three
signals: how close its text is to the story (the story's centroid and its nearest
member), how much of the article's entity weight the story already names, and how far
apart in time they are. The decision is pure; ``news.stories`` loads the candidates and
applies it.

Stability is a property of the caller's use: an article is placed once, when it
arrives, and only moves when its whole story is merged into another. Merging happens
when one article scores above the merge threshold against two stories: the later
article bridged what turned out to be one event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from daybook.ai.embed import Vectors

METHOD = "online-centroid-entities@1"


@dataclass(frozen=True)
class ClusterConfig:
    # Chosen on the demo corpus (bench/quality.py): B-cubed F1 stays within 0.93-0.95
    # for thresholds 0.45-0.5 and entity weights 0.1-0.3; these sit inside that plateau.
    threshold: float = 0.5
    """Score at which an article joins a story."""
    merge_threshold: float = 0.55
    """Score an article needs against a second story to merge the two."""
    entity_weight: float = 0.2
    window: timedelta = timedelta(days=2)
    """Beyond this gap from a story's first and last article, no join."""
    time_penalty: float = 0.12
    """Score lost over a gap of one full window."""


@dataclass(frozen=True)
class Features:
    """What clustering needs of an article."""

    vector: Vectors
    entities: Mapping[str, float]
    """Canonical entity name -> weight (rarer entities weigh more; the caller decides)."""
    published: datetime


@dataclass(frozen=True)
class StoryView:
    id: int
    centroid: Vectors
    members: Vectors
    """Vectors of (some of) the story's articles, one row each."""
    entities: Mapping[str, int]
    """Canonical entity name -> number of the story's articles naming it."""
    first_seen: datetime
    last_seen: datetime
    size: int


@dataclass(frozen=True)
class Placement:
    story: int | None
    """The story to join, or None to start a new one."""
    merge: tuple[int, ...] = ()
    """Other stories this article showed to be the same event, to fold into ``story``."""
    score: float = 0.0
    scores: dict[int, float] = field(default_factory=dict)


def time_gap(published: datetime, story: StoryView) -> timedelta:
    if published < story.first_seen:
        return story.first_seen - published
    if published > story.last_seen:
        return published - story.last_seen
    return timedelta(0)


def entity_overlap(entities: Mapping[str, float], story: Mapping[str, int]) -> float:
    """Share of the article's entity weight that the story already names."""
    total = sum(entities.values())
    if total <= 0:
        return 0.0
    return sum(weight for name, weight in entities.items() if name in story) / total


def score(features: Features, story: StoryView, config: ClusterConfig) -> float:
    gap = time_gap(features.published, story)
    if gap > config.window:
        return 0.0
    centroid = float(np.dot(features.vector, story.centroid))
    nearest = float(np.max(story.members @ features.vector)) if len(story.members) else centroid
    text = (centroid + nearest) / 2
    entities = entity_overlap(features.entities, story.entities)
    penalty = config.time_penalty * (gap / config.window)
    return (1 - config.entity_weight) * text + config.entity_weight * entities - penalty


def place(
    features: Features, candidates: Sequence[StoryView], config: ClusterConfig | None = None
) -> Placement:
    """Join the best story above the threshold; merge any other the article also fits."""
    config = config or ClusterConfig()
    scores = {story.id: score(features, story, config) for story in candidates}
    fitting = sorted(
        (story for story in candidates if scores[story.id] >= config.threshold),
        key=lambda story: (-scores[story.id], story.id),
    )
    if not fitting:
        return Placement(None, scores=scores)
    best = fitting[0]
    bridged = [s for s in fitting[1:] if scores[s.id] >= config.merge_threshold]
    if bridged and scores[best.id] >= config.merge_threshold:
        # The surviving story is the larger (then older) one, so the fewest articles
        # move and links to the established story keep working.
        group = [best, *bridged]
        target = min(group, key=lambda s: (-s.size, s.first_seen, s.id))
        others = tuple(sorted(s.id for s in group if s.id != target.id))
        return Placement(target.id, others, scores[best.id], scores)
    return Placement(best.id, (), scores[best.id], scores)


def centroid(vectors: Vectors) -> Vectors:
    """Unit mean of the rows (zero when there are none)."""
    if not len(vectors):
        return np.zeros(vectors.shape[1] if vectors.ndim == 2 else 0, dtype=np.float32)
    mean: Vectors = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / np.float32(norm) if norm > 0 else mean
