"""The nearest-neighbour index of article vectors, kept beside the database.

The database is the truth: every original article's vector is stored on its row with
the model that made it. The usearch file in the data directory is a cache of those
rows for one model, brought back in step (``sync``) whenever its recorded count or
model disagrees with the database, so deleting it only costs a rebuild. Only
originals are indexed: a copy's neighbours are its original's, and indexing copies
would fill every neighbour list with one text from several outlets.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Collection
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from daybook.ai.embed import Vectors, from_bytes, load_embedder
from daybook.ai.index import VectorIndex
from daybook.news import revision
from daybook.news.models import Article

_lock = threading.Lock()
_indexes: dict[str, VectorIndex] = {}
_state: dict[str, tuple[int, int | None]] = {}
"""Per model, the (count, highest id) of indexed rows when last in step: one
aggregate tells whether another process added or demoted an original since."""
_checked: dict[str, int] = {}
"""Per model, the news revision under which ``_state`` was last compared with the
database. The aggregate reads every original (a tenth of a second at 100,000), and
nothing can have changed while the revision stands still."""


def _indexed(model: str):  # type: ignore[no-untyped-def]
    return Article.objects.filter(copy_of__isnull=True, embedding_model=model)


def _path(model: str) -> Path:
    """One file per database and model, so pointing daybook at another database
    never serves the old one's vectors."""
    db = settings.DATABASES["default"]
    identity = f"{db['ENGINE']}|{db.get('HOST', '')}|{db.get('PORT', '')}|{db['NAME']}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", model)
    return settings.DATA_DIR / "indexes" / f"articles-{digest}-{slug}.usearch"


def article_index() -> VectorIndex:
    """The process's index for the configured embedding model, in step with the
    database as of its news revision (so as fresh as the pages that show it).

    Articles whose vectors an older model made are not in it until ``daybook enrich
    --stale`` re-embeds them."""
    embedder = load_embedder(settings.DAYBOOK_EMBEDDING_BACKEND)
    model = embedder.model
    with _lock:
        index = _indexes.get(model)
        if index is None:
            index = VectorIndex.open(_path(model), embedder.dimensions)
            _indexes[model] = index
        # Read before the aggregate: a change committed after it moves the revision
        # again, and the next call looks once more.
        news = revision.value(revision.NEWS)
        if _checked.get(model) != news:
            rows = _indexed(model).aggregate(count=Count("id"), top=Max("id"))
            state = (rows["count"], rows["top"])
            if _state.get(model) != state:
                _sync(index, model)
                _state[model] = state
            _checked[model] = news
        return index


def _sync(index: VectorIndex, model: str) -> None:
    wanted = set(_indexed(model).values_list("id", flat=True))
    held = set(index.keys())
    stale = held if index.model != model else held - wanted
    index.remove(sorted(stale))
    missing = sorted(wanted - (held - stale))
    for start in range(0, len(missing), 2000):
        batch = missing[start : start + 2000]
        rows = Article.objects.filter(id__in=batch).values_list("id", "embedding")
        keys, vectors = zip(*((key, from_bytes(bytes(data))) for key, data in rows), strict=True)
        index.add(list(keys), _stack(vectors))
    if stale or missing or index.model != model:  # a process start finds it in step
        index.model = model
        index.save()


def _stack(vectors: Collection[Vectors]) -> Vectors:
    return np.vstack(list(vectors)).astype(np.float32)


def replace_vector(article: Article) -> None:
    """A re-embedded original whose id this process's index already holds gets its new
    vector. Nothing else needs doing here: ``article_index`` brings in new originals
    and drops demoted ones from the database when it next runs, but it goes by ids and
    would keep an old vector under a known id."""
    if article.copy_of_id is not None or not article.embedding:
        return
    with _lock:
        index = _indexes.get(article.embedding_model)
        if index is not None and article.pk in index:
            index.add([article.pk], from_bytes(bytes(article.embedding)).reshape(1, -1))


def save_indexes() -> None:
    with _lock:
        for index in _indexes.values():
            index.save()


def forget_indexes() -> None:
    """Drop the in-process indexes (tests switch databases under one process)."""
    with _lock:
        _indexes.clear()
        _state.clear()
        _checked.clear()
