"""The online clustering decision: join, start, bridge; time and entities matter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from daybook.ai.cluster import ClusterConfig, Features, StoryView, centroid, place

T0 = datetime(2026, 11, 16, 9, tzinfo=UTC)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def story(id: int, *members: np.ndarray, entities=None, at=T0, size=None) -> StoryView:
    rows = np.vstack(members)
    return StoryView(
        id=id,
        centroid=centroid(rows),
        members=rows,
        entities=entities or {},
        first_seen=at,
        last_seen=at,
        size=size or len(members),
    )


def features(vector, entities=None, at=T0) -> Features:
    return Features(vector, entities or {}, at)


def test_a_close_article_with_shared_entities_joins() -> None:
    quake = story(1, unit(1, 0.1, 0), entities={"Miyagi": 2, "Sendai": 1})
    result = place(features(unit(1, 0.15, 0), {"Miyagi": 3.0, "Sendai": 2.0}), [quake])
    assert result.story == 1
    assert result.merge == ()


def test_an_unrelated_article_starts_a_new_story() -> None:
    quake = story(1, unit(1, 0, 0), entities={"Miyagi": 2})
    result = place(features(unit(0, 1, 0), {"Premier League": 2.0}), [quake])
    assert result.story is None


def test_text_alone_without_shared_entities_is_not_enough_when_far() -> None:
    # Moderately similar text (two different earthquakes) and nothing named in common.
    quake = story(1, unit(1, 0.6, 0), entities={"Miyagi": 2})
    other = features(unit(0.4, 0, 1), {"Chile": 2.0, "Valparaiso": 1.0})
    assert place(other, [quake]).story is None


def test_too_far_in_time_never_joins() -> None:
    quake = story(1, unit(1, 0, 0), entities={"Miyagi": 1})
    late = features(unit(1, 0, 0), {"Miyagi": 1.0}, at=T0 + timedelta(days=9))
    result = place(late, [quake])
    assert result.story is None
    assert result.scores[1] == 0.0


def test_the_best_story_wins() -> None:
    near = story(1, unit(1, 0.05, 0), entities={"A": 1})
    far = story(2, unit(1, 0.5, 0), entities={"A": 1})
    assert place(features(unit(1, 0, 0), {"A": 1.0}), [far, near]).story == 1


def test_an_article_that_fits_two_stories_merges_them_into_the_larger() -> None:
    big = story(1, unit(1, 0.05, 0), unit(1, 0.02, 0), unit(1, 0.04, 0), entities={"A": 3})
    small = story(2, unit(1, -0.05, 0), entities={"A": 1})
    result = place(features(unit(1, 0, 0), {"A": 1.0}), [small, big])
    assert result.story == 1
    assert result.merge == (2,)


def test_a_weak_second_fit_does_not_merge() -> None:
    strong = story(1, unit(1, 0, 0), entities={"A": 1, "B": 1})
    weak = story(2, unit(1, 1.6, 0), entities={"A": 1})
    config = ClusterConfig()
    result = place(features(unit(1, 0, 0), {"A": 1.0, "B": 1.0}), [strong, weak], config)
    assert result.story == 1
    assert result.merge == ()
    assert config.threshold <= result.scores[2] < config.merge_threshold


def test_centroid_is_a_unit_mean() -> None:
    middle = centroid(np.vstack([unit(1, 0), unit(0, 1)]))
    np.testing.assert_allclose(middle, unit(1, 1), rtol=1e-6)
