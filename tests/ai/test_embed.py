"""The embedding backends: offline loading, unit vectors, names that change with the model."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from daybook.ai.embed import (
    WordLlamaEmbedder,
    from_bytes,
    load_embedder,
    to_bytes,
)
from daybook.errors import ConfigError

QUAKE = "A magnitude 6.4 earthquake struck off the coast of Miyagi, halting bullet trains."
QUAKE_TOO = "A strong earthquake shook northeastern Japan and stopped Shinkansen services."
FOOTBALL = "The home side won the cup final with a goal in the last minute of extra time."


@pytest.fixture(scope="module")
def wordllama() -> WordLlamaEmbedder:
    return load_embedder("wordllama")  # type: ignore[return-value]


def test_wordllama_rows_are_unit_vectors_and_name_the_model(wordllama) -> None:
    vectors = wordllama.embed([QUAKE, QUAKE_TOO, FOOTBALL])
    assert vectors.shape == (3, wordllama.dimensions) == (3, 256)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert wordllama.model.startswith("wordllama-l2-256@")


def test_similar_texts_are_closer_than_unrelated_ones(wordllama) -> None:
    quake, quake_too, football = wordllama.embed([QUAKE, QUAKE_TOO, FOOTBALL])
    assert quake @ quake_too > quake @ football + 0.1


def test_empty_inputs(wordllama) -> None:
    assert wordllama.embed([]).shape == (0, 256)
    assert not np.isnan(wordllama.embed([""])).any()


def test_truncated_model_is_a_different_model(wordllama) -> None:
    small = WordLlamaEmbedder(dimensions=64)
    assert small.dimensions == 64
    assert small.model != wordllama.model
    assert small.embed([QUAKE]).shape == (1, 64)


def test_storage_roundtrip(wordllama) -> None:
    vector = wordllama.embed([QUAKE])[0]
    np.testing.assert_array_equal(from_bytes(to_bytes(vector)), vector)


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown embedding backend"):
        load_embedder("word2vec")


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="the minilm extra is not installed",
)
def test_minilm_backend_loads_offline_and_embeds(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    minilm = load_embedder("minilm")
    vectors = minilm.embed([QUAKE, QUAKE_TOO, FOOTBALL])
    assert vectors.shape == (3, 384)
    assert minilm.model.startswith("all-MiniLM-L6-v2@")
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
