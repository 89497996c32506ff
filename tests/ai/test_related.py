"""Choosing related articles: no copies of itself, one per copy group, publishers mixed."""

from __future__ import annotations

from daybook.ai.related import Candidate, choose


def c(id, similarity, publisher="p", story=1, group=None, entities=(), actors=()) -> Candidate:
    return Candidate(
        id, similarity, publisher, story, group or id, frozenset(entities), frozenset(actors)
    )


def test_never_a_copy_of_the_article_itself() -> None:
    chosen = choose(10, 1, [], [c(11, 0.99, group=10), c(12, 0.7)])
    assert [x.id for x in chosen] == [12]


def test_one_article_per_copy_group() -> None:
    chosen = choose(
        1, 1, [], [c(20, 0.9, "a", group=20), c(21, 0.89, "b", group=20), c(22, 0.6, "c")]
    )
    assert [x.id for x in chosen] == [20, 22]


def test_publishers_are_mixed() -> None:
    candidates = [
        c(2, 0.80, "wire"),
        c(3, 0.79, "wire"),
        c(4, 0.78, "wire"),
        c(5, 0.74, "post"),
    ]
    chosen = [x.id for x in choose(1, 1, [], candidates, limit=2)]
    assert chosen == [2, 5]


def test_a_slot_is_kept_for_another_story() -> None:
    own = [c(i, 0.9 - i / 100, f"p{i}", story=1) for i in range(2, 8)]
    other = c(50, 0.5, "x", story=2)
    chosen = [x.id for x in choose(1, 1, [], [*own, other], limit=5)]
    assert 50 in chosen
    assert len(chosen) == 5


def test_no_reserved_slot_for_a_weak_other_story() -> None:
    own = [c(i, 0.9 - i / 100, f"p{i}", story=1) for i in range(2, 8)]
    chosen = [x.id for x in choose(1, 1, [], [*own, c(50, 0.42, "x", story=2)], limit=5)]
    assert 50 not in chosen


def test_weak_neighbours_are_not_related_at_all() -> None:
    chosen = choose(1, 1, [], [c(2, 0.7, "a"), c(3, 0.39, "b", story=2)], limit=5)
    assert [x.id for x in chosen] == [2]


def test_shared_entities_lift_a_candidate() -> None:
    plain = c(2, 0.70, "a")
    named = c(3, 0.66, "b", entities={"Kazuhiro Endo", "Sendai", "Miyagi"})
    chosen = choose(1, 1, {"Kazuhiro Endo", "Sendai", "Miyagi"}, [plain, named], limit=1)
    assert chosen[0].id == 3


def test_fewer_candidates_than_the_limit() -> None:
    assert choose(1, None, [], []) == []
    assert [x.id for x in choose(1, None, [], [c(2, 0.5)])] == [2]


def test_another_story_needs_a_shared_person_or_organisation_or_close_text() -> None:
    candidates = [
        c(2, 0.46, "a", story=2, actors={"Kitaura Motors"}),
        c(3, 0.47, "b", story=3, entities={"Japan"}),  # only the same sort of subject
        c(4, 0.55, "c", story=4),
        c(5, 0.42, "d", story=1),  # its own story
    ]
    chosen = choose(1, 1, ["Japan", "Kitaura Motors"], candidates, actors=["Kitaura Motors"])
    assert sorted(x.id for x in chosen) == [2, 4, 5]
