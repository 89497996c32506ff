"""Nearest-neighbour search over article vectors that stays fast as the collection grows.

The vectors themselves live in the database (as bytes, beside the model that made them);
this module keeps a usearch HNSW index of them in a file beside the database. Neither
SQLite here (no ``enable_load_extension``, so no sqlite-vec) nor PostgreSQL (no pgvector
package) can search vectors, and a brute-force scan costs a full matrix product per
query, growing with every article. The index is a cache: it can be deleted at any time
and rebuilt from the database (``VectorIndex.build``).

So that the caller can tell a stale index from a good one, ``save`` writes a sidecar
``<path>.json`` recording the embedding model, the number of keys and the size of the
index file. ``open`` trusts the sidecar only when that size matches the file, so an
index saved without its sidecar (a crash between the two renames) reads as "model
unknown", and the caller rebuilds. Both files are written to a temporary name in the
same folder and renamed over the old one, so a crash never leaves a half-written file.

Vectors are L2-normalised float32 (``daybook.ai.embed``), the metric is cosine and the
scores returned are cosine similarities. Stored as f32: i8 quantisation halves build
time and memory but its recall@10 fell to 0.94 on ``bench/index.py``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from usearch.compiled import MetricKind
from usearch.index import Index

from daybook.ai.embed import Vectors

log = logging.getLogger(__name__)

# HNSW parameters, chosen on bench/index.py (100,000 clustered 256-d vectors): 16 links
# per node and 48 candidates while building keep recall@10 at 0.99+ and build in about
# 25 s on two cores; 64 candidates took twice as long for the same recall, 8 links
# dropped recall below 0.9, 32 links cost a third more time for nothing.
CONNECTIVITY = 16
EXPANSION_ADD = 48
EXPANSION_SEARCH = 64
EXACT_BELOW = 2_000
"""Below this many vectors a search scans them all: as fast as the graph there (0.16 ms
against 0.14 ms for 1,000 256-d vectors), and exact, so a small site's lists never
depend on the graph's luck."""

SIDECAR_FORMAT = 1

Keys = npt.NDArray[np.uint64]
KeysLike = Sequence[int] | npt.NDArray[np.integer[Any]]


class VectorIndex:
    """Keys (article ids, non-negative ints) to unit vectors, searchable by cosine.

    Safe to share between threads: every operation holds one lock, and a replacement
    (remove then add) is atomic for readers.
    """

    def __init__(self, dimensions: int, path: Path | None = None) -> None:
        if dimensions <= 0:
            raise ValueError(f"dimensions must be positive, not {dimensions}")
        self.dimensions = dimensions
        self.path = path
        self.model: str | None = None
        """The embedding model the vectors came from; saved in the sidecar."""
        self._index = _new_index(dimensions)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        with self._lock:
            return int(self._index.size)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int | np.integer) or int(key) < 0:
            return False
        with self._lock:
            return bool(self._index.contains(int(key)))

    def keys(self) -> list[int]:
        """Every key present, in no particular order."""
        with self._lock:
            # As one array: iterating the keys view reads them one by one, each in
            # time growing with the index (seconds at 10,000, a minute at 100,000).
            return [int(key) for key in np.asarray(self._index.keys)]

    def matches(self, model: str, count: int) -> bool:
        """Whether this index holds ``count`` vectors of ``model``, as the database does;
        when it does not, the caller should rebuild it."""
        return self.model == model and len(self) == count

    def add(self, keys: KeysLike, vectors: Vectors) -> None:
        """Add each key's vector, replacing the vector of a key already present (the
        last one wins when a key repeats)."""
        array = _keys(keys)
        matrix = self._matrix(vectors, len(array))
        if len(array) == 0:
            return
        # usearch's add does not replace: a key added twice is stored twice.
        _, last = np.unique(array[::-1], return_index=True)
        if len(last) != len(array):
            chosen = np.sort(len(array) - 1 - last)
            array, matrix = array[chosen], matrix[chosen]
        with self._lock:
            self._index.remove(array)
            self._index.add(array, matrix)

    def remove(self, keys: KeysLike) -> None:
        """Remove the keys; absent keys are ignored."""
        array = _keys(keys)
        if len(array) == 0:
            return
        with self._lock:
            self._index.remove(array)

    def search(
        self, vector: Vectors, count: int, *, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """Up to ``count`` (key, cosine similarity) pairs, most similar first, none of
        them in ``exclude``."""
        query = self._matrix(vector, 1)[0]
        if count <= 0:
            return []
        with self._lock:
            size = int(self._index.size)
            if size == 0:
                return []
            # Ask for enough that dropping the excluded keys still leaves ``count``.
            skipped = sum(1 for key in set(exclude) if key in self)
            wanted = min(count + skipped, size)
            matches = self._index.search(query, wanted, threads=1, exact=size < EXACT_BELOW)
            found: npt.NDArray[np.uint64] = matches.keys
            distances: npt.NDArray[np.float32] = matches.distances
        excluded = {int(key) for key in exclude}
        hits: list[tuple[int, float]] = []
        for key, distance in zip(found.tolist(), distances.tolist(), strict=True):
            if key not in excluded:
                hits.append((int(key), 1.0 - float(distance)))
        return hits[:count]

    def save(self) -> None:
        """Write the index and its sidecar to ``path``, atomically each."""
        if self.path is None:
            raise ValueError("this index has no path to save to")
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            with _temporary(path) as temporary:
                self._index.save(str(temporary))
                _sync_file(temporary)
                size = temporary.stat().st_size
                sidecar = {
                    "format": SIDECAR_FORMAT,
                    "model": self.model,
                    "count": int(self._index.size),
                    "dimensions": self.dimensions,
                    "bytes": size,
                }
                with _temporary(_sidecar(path)) as temporary_sidecar:
                    temporary_sidecar.write_text(json.dumps(sidecar, indent=1), "utf-8")
                    _sync_file(temporary_sidecar)
                    # The index first: a crash before the sidecar's rename leaves a
                    # sidecar whose ``bytes`` does not match, which reads as stale.
                    os.replace(temporary, path)
                    os.replace(temporary_sidecar, _sidecar(path))
            _sync_folder(path.parent)

    @classmethod
    def open(cls, path: Path, dimensions: int) -> VectorIndex:
        """The index saved at ``path``, or an empty one bound to ``path`` when there is
        none, or it is corrupt, or its dimensions or metric differ (logged): the caller
        then rebuilds it from the database."""
        index = cls(dimensions, path)
        if not path.exists():
            return index
        try:
            metadata = Index.metadata(str(path))
            if metadata is None:
                raise ValueError("not a usearch index")
            if int(metadata["dimensions"]) != dimensions:
                log.warning(
                    "vector index %s has %s dimensions, not %s: starting empty",
                    path,
                    metadata["dimensions"],
                    dimensions,
                )
                return index
            if metadata["kind_metric"] != MetricKind.Cos:
                log.warning("vector index %s is not a cosine index: starting empty", path)
                return index
            # Typed as Any: the stubs hide the expansion setters set below.
            loaded: Any = Index.restore(str(path))
            if loaded is None:
                raise ValueError("usearch could not restore it")
        except (ValueError, RuntimeError, OSError, KeyError) as error:
            log.warning("vector index %s is unreadable (%s): starting empty", path, error)
            return index
        loaded.expansion_search = EXPANSION_SEARCH
        loaded.expansion_add = EXPANSION_ADD
        index._index = loaded
        index.model = _read_model(path, count=int(loaded.size))
        return index

    @classmethod
    def build(
        cls,
        keys: KeysLike,
        vectors: Vectors,
        dimensions: int,
        path: Path | None = None,
        *,
        model: str | None = None,
    ) -> VectorIndex:
        """A new index holding ``keys``; not saved until ``save`` is called."""
        index = cls(dimensions, path)
        index.model = model
        index.add(keys, vectors)
        return index

    def _matrix(self, vectors: Vectors, rows: int) -> Vectors:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        if matrix.shape != (rows, self.dimensions):
            raise ValueError(
                f"expected {rows} vector(s) of {self.dimensions} dimensions, "
                f"got shape {matrix.shape}"
            )
        return np.ascontiguousarray(matrix)


def brute_force(
    matrix: Vectors,
    keys: KeysLike,
    vector: Vectors,
    count: int,
    exclude: Collection[int] = (),
) -> list[tuple[int, float]]:
    """The exact answer the index approximates: every row's dot product with ``vector``
    (cosine, for unit rows), the best ``count`` outside ``exclude``, best first."""
    if count <= 0 or len(keys) == 0:
        return []
    scores = np.asarray(matrix, dtype=np.float32) @ np.asarray(vector, dtype=np.float32).ravel()
    key_array = np.asarray(keys, dtype=np.int64)
    if exclude:
        scores = scores.copy()
        scores[np.isin(key_array, np.fromiter(exclude, dtype=np.int64))] = -np.inf
    count = min(count, len(scores))
    top = np.argpartition(-scores, count - 1)[:count] if count < len(scores) else np.arange(count)
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(key_array[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


def _new_index(dimensions: int) -> Any:
    return Index(
        ndim=dimensions,
        metric=MetricKind.Cos,
        dtype="f32",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _keys(keys: KeysLike) -> Keys:
    array = np.asarray(keys, dtype=np.int64).reshape(-1)
    if len(array) and int(array.min()) < 0:
        raise ValueError("vector index keys must be non-negative")
    return array.astype(np.uint64)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read_model(path: Path, *, count: int) -> str | None:
    """The model the sidecar records, if the sidecar belongs to this very file."""
    try:
        sidecar = json.loads(_sidecar(path).read_text("utf-8"))
        model = sidecar["model"]
        size = path.stat().st_size
        if sidecar["bytes"] != size or sidecar["count"] != count:
            log.warning("vector index %s does not match its sidecar: model unknown", path)
            return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("vector index %s has no readable sidecar (%s): model unknown", path, error)
        return None
    return model if isinstance(model, str) else None


@contextlib.contextmanager
def _temporary(path: Path) -> Iterator[Path]:
    """A fresh name in ``path``'s folder (so the final rename stays on one file system),
    removed if the block fails before renaming it."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _sync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the renames durable; not every platform can open a folder, which is fine."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
