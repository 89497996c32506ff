"""Static file storage: hashed, compressed names once collected, plain names before."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class Storage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """whitenoise's manifest storage, which links the plain name while nothing has
    been collected (tests, a bare WSGI run) instead of failing the page; whitenoise
    then serves that name from the app folder with a short max-age."""

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return str(super().stored_name(name))
