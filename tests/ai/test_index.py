"""The vector index against the exact answer, and its file on disk."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from daybook.ai.embed import Vectors
from daybook.ai.index import EXACT_BELOW, VectorIndex, brute_force

DIMENSIONS = 32


def unit_rows(count: int, seed: int = 0, dimensions: int = DIMENSIONS) -> Vectors:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((count, dimensions)).astype(np.float32)
    unit: Vectors = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return unit


@pytest.fixture
def vectors() -> Vectors:
    return unit_rows(300)


@pytest.fixture
def keys() -> list[int]:
    # Sparse, unordered keys, as article ids are after deletions.
    return [1000 + 7 * i for i in range(300)][::-1]


def test_search_finds_the_exact_neighbours(vectors: Vectors, keys: list[int]) -> None:
    index = VectorIndex.build(keys, vectors, DIMENSIONS)
    assert len(index) == 300
    for row in range(0, 300, 15):
        hits = index.search(vectors[row], 10)
        exact = brute_force(vectors, keys, vectors[row], 10)
        assert [key for key, _ in hits] == [key for key, _ in exact]
        assert hits[0][0] == keys[row]
        assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
        for (_, got), (_, want) in zip(hits, exact, strict=True):
            assert got == pytest.approx(want, abs=1e-5)


def test_a_large_index_searches_its_graph_with_high_recall() -> None:
    # Past EXACT_BELOW the answer comes from the HNSW graph, which may miss a neighbour
    # now and then: clustered vectors, like embeddings, should lose almost none.
    size = EXACT_BELOW + 1000
    rng = np.random.default_rng(4)
    centres = unit_rows(size // 50, seed=5)
    noisy = centres[rng.integers(0, len(centres), size)] + 0.15 * rng.standard_normal(
        (size, DIMENSIONS)
    )
    vectors: Vectors = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
    keys = list(range(size))
    index = VectorIndex.build(keys, vectors, DIMENSIONS)
    recalls = []
    for row in range(0, size, size // 50):
        exclude = {row, row + 1}
        hits = index.search(vectors[row], 10, exclude=exclude)
        exact = brute_force(vectors, keys, vectors[row], 10, exclude=exclude)
        assert len(hits) == 10
        assert not exclude & {key for key, _ in hits}
        recalls.append(len({k for k, _ in hits} & {k for k, _ in exact}) / 10)
    assert sum(recalls) / len(recalls) >= 0.9


def test_search_never_returns_excluded_keys_and_still_fills_the_list(
    vectors: Vectors, keys: list[int]
) -> None:
    index = VectorIndex.build(keys, vectors, DIMENSIONS)
    nearest = [key for key, _ in brute_force(vectors, keys, vectors[0], 5)]
    exclude = {*nearest, 999_999}  # an absent key is harmless
    hits = index.search(vectors[0], 10, exclude=exclude)
    assert len(hits) == 10
    assert not exclude & {key for key, _ in hits}
    exact = brute_force(vectors, keys, vectors[0], 10, exclude=exclude)
    assert [key for key, _ in hits] == [key for key, _ in exact]


def test_brute_force_orders_best_first_and_drops_excluded() -> None:
    matrix = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    query = np.array([1, 0], dtype=np.float32)
    assert brute_force(matrix, [10, 11, 12, 13], query, 2) == [
        (10, 1.0),
        (13, pytest.approx(0.8)),
    ]
    got = brute_force(matrix, [10, 11, 12, 13], query, 9, exclude={10})
    assert [key for key, _ in got] == [13, 12, 11]


def test_add_replaces_an_existing_key(vectors: Vectors, keys: list[int]) -> None:
    index = VectorIndex.build(keys, vectors, DIMENSIONS)
    index.add([keys[0]], vectors[1])  # key 0 now carries row 1's vector
    assert len(index) == 300
    hits = index.search(vectors[1], 2)
    assert {key for key, _ in hits} == {keys[0], keys[1]}
    assert all(similarity == pytest.approx(1.0, abs=1e-5) for _, similarity in hits)
    assert index.search(vectors[0], 1)[0][0] != keys[0]


def test_a_key_repeated_in_one_add_keeps_its_last_vector(vectors: Vectors) -> None:
    index = VectorIndex(DIMENSIONS)
    index.add([5, 6, 5], vectors[:3])
    assert len(index) == 2
    key, similarity = index.search(vectors[2], 1)[0]
    assert key == 5
    assert similarity == pytest.approx(1.0, abs=1e-5)
    assert index.search(vectors[0], 1)[0][1] < 0.99  # row 0's vector is gone


def test_remove(vectors: Vectors, keys: list[int]) -> None:
    index = VectorIndex.build(keys, vectors, DIMENSIONS)
    index.remove([keys[0], keys[1], 424242])
    assert len(index) == 298
    assert keys[0] not in index
    assert keys[2] in index
    assert sorted(index.keys()) == sorted(keys[2:])
    found = {key for key, _ in index.search(vectors[0], 50)}
    assert keys[0] not in found and keys[1] not in found


def test_empty_index_and_bad_input() -> None:
    index = VectorIndex(DIMENSIONS)
    assert index.search(unit_rows(1)[0], 5) == []
    assert 3 not in index
    with pytest.raises(ValueError, match="dimensions"):
        index.add([1], unit_rows(1, dimensions=8))
    with pytest.raises(ValueError, match="vector"):
        index.add([1, 2], unit_rows(1))
    with pytest.raises(ValueError, match="non-negative"):
        index.add([-1], unit_rows(1))


def test_save_and_open_roundtrip(tmp_path: Path, vectors: Vectors, keys: list[int]) -> None:
    path = tmp_path / "articles.usearch"
    index = VectorIndex.build(keys, vectors, DIMENSIONS, path, model="wordllama-l2-32@test")
    index.remove([keys[-1]])
    index.save()
    reopened = VectorIndex.open(path, DIMENSIONS)
    assert reopened.model == "wordllama-l2-32@test"
    assert reopened.matches("wordllama-l2-32@test", 299)
    assert not reopened.matches("other-model", 299)
    assert not reopened.matches("wordllama-l2-32@test", 300)
    assert keys[-1] not in reopened
    assert reopened.search(vectors[3], 10) == index.search(vectors[3], 10)
    # The reopened index is live: it takes additions and saves again.
    reopened.add([1], vectors[-1])
    reopened.save()
    assert len(VectorIndex.open(path, DIMENSIONS)) == 300


def test_open_without_a_file_is_empty_and_bound_to_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nothing.usearch"
    index = VectorIndex.open(path, DIMENSIONS)
    assert len(index) == 0
    assert index.model is None
    index.add([1], unit_rows(1))
    index.save()
    assert len(VectorIndex.open(path, DIMENSIONS)) == 1


def test_save_without_a_path_is_refused() -> None:
    with pytest.raises(ValueError, match="path"):
        VectorIndex(DIMENSIONS).save()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupt_file_opens_empty(
    tmp_path: Path, vectors: Vectors, keys: list[int], damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "articles.usearch"
    VectorIndex.build(keys, vectors, DIMENSIONS, path, model="m").save()
    data = path.read_bytes()
    path.write_bytes(
        {"garbage": b"not an index" * 100, "truncated": data[: len(data) - 64], "empty": b""}[
            damage
        ]
    )
    with caplog.at_level(logging.WARNING, logger="daybook.ai.index"):
        index = VectorIndex.open(path, DIMENSIONS)
    assert len(index) == 0
    assert index.model is None
    assert "unreadable" in caplog.text
    # It can be rebuilt in place.
    index.add(keys, vectors)
    index.save()
    assert len(VectorIndex.open(path, DIMENSIONS)) == 300


def test_a_dimension_mismatch_opens_empty(
    tmp_path: Path, vectors: Vectors, keys: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "articles.usearch"
    VectorIndex.build(keys, vectors, DIMENSIONS, path, model="m").save()
    with caplog.at_level(logging.WARNING, logger="daybook.ai.index"):
        index = VectorIndex.open(path, 64)
    assert len(index) == 0
    assert index.model is None
    assert index.dimensions == 64
    assert "dimensions" in caplog.text


def test_an_index_whose_sidecar_is_missing_or_foreign_reads_as_stale(
    tmp_path: Path, vectors: Vectors, keys: list[int]
) -> None:
    path = tmp_path / "articles.usearch"
    sidecar = tmp_path / "articles.usearch.json"
    VectorIndex.build(keys, vectors, DIMENSIONS, path, model="m").save()
    kept = sidecar.read_text()
    sidecar.unlink()
    missing = VectorIndex.open(path, DIMENSIONS)
    assert len(missing) == 300 and missing.model is None
    # A sidecar written for another save of the file (a crash between the renames).
    record = json.loads(kept)
    record["bytes"] += 1
    sidecar.write_text(json.dumps(record))
    assert VectorIndex.open(path, DIMENSIONS).model is None
    sidecar.write_text(kept)
    assert VectorIndex.open(path, DIMENSIONS).model == "m"


def test_save_is_atomic_and_leaves_no_temporary_file(
    tmp_path: Path, vectors: Vectors, keys: list[int]
) -> None:
    path = tmp_path / "articles.usearch"
    index = VectorIndex.build(keys[:100], vectors[:100], DIMENSIONS, path, model="m")
    index.save()
    first = path.read_bytes()
    index.add(keys[100:], vectors[100:])
    index.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "articles.usearch",
        "articles.usearch.json",
    ]
    assert path.read_bytes() != first
    assert json.loads((tmp_path / "articles.usearch.json").read_text())["count"] == 300


def test_a_failed_save_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, vectors: Vectors, keys: list[int]
) -> None:
    path = tmp_path / "articles.usearch"
    VectorIndex.build(keys[:10], vectors[:10], DIMENSIONS, path, model="m").save()
    # A folder where the sidecar should go makes the final rename fail.
    (tmp_path / "articles.usearch.json").unlink()
    (tmp_path / "articles.usearch.json").mkdir()
    index = VectorIndex.build(keys, vectors, DIMENSIONS, path, model="m")
    with pytest.raises(OSError):
        index.save()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    # The index itself was replaced before the sidecar failed; without a matching
    # sidecar it reads as stale, never as a half-written file.
    reopened = VectorIndex.open(path, DIMENSIONS)
    assert reopened.model is None
    assert len(reopened) == 300
