"""Publishers' images through daybook: a reader's browser never asks a publisher
for anything, so no publisher learns who reads what, and the Content-Security-Policy
keeps ``img-src 'self'``.

Pages link ``/media/<size>/<signature>/<url>``: the URL is the publisher's, the
signature daybook's (``django.core.signing``, so nobody can make daybook fetch an
address of their choosing). The image is fetched through the safe fetcher (every
SSRF rule, redirects checked hop by hop, a size and a time cap), must be a raster
image Pillow can read (SVG is refused: it can carry script), is resized and
re-encoded as WebP (dropping whatever else the file carried), and kept on disk
under ``DAYBOOK_DATA_DIR/media`` within ``DAYBOOK_MEDIA_CACHE_MB``, oldest out
first. Anything that fails answers 404, and the page shows no image.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import io
import logging
import os
import tempfile
import threading
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from PIL import Image, UnidentifiedImageError

from daybook.errors import DaybookError
from daybook.news.fetching import fetch_config
from daybook.pipeline.fetch import Fetcher
from daybook.pipeline.urls import is_web_url

log = logging.getLogger("daybook.media")

SIZES = {"icon": 32, "thumb": 320, "lead": 960}
"""Widest a size is made, in pixels; an image is never made larger than it is."""
FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "ICO"})
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000
"""Larger images are refused before they are decoded (a small file can declare a huge
picture: a decompression bomb)."""
FETCH_SECONDS = 15.0
FAILED_FOR = 3600
"""Seconds an image that could not be had is not asked for again."""
KEEP_FOR = 7 * 24 * 3600
ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9"

_signer = Signer(salt="daybook.media")
_lock = threading.Lock()
_fetchers: dict[object, Fetcher] = {}


def media_url(url: str | None, size: str = "thumb") -> str | None:
    """The signed ``/media/`` path of a publisher's image, or None for no image."""
    if not url or not is_web_url(url) or size not in SIZES:
        return None
    encoded = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return f"/media/{size}/{_signer.signature(f'{size}:{url}')}/{encoded}"


@require_GET
def media(request: HttpRequest, size: str, signature: str, encoded: str) -> HttpResponse:
    if size not in SIZES:
        raise Http404("no such size")
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        _signer.unsign(f"{size}:{url}:{signature}")
    except (BadSignature, binascii.Error, UnicodeDecodeError, ValueError) as bad:
        raise Http404("not an image daybook linked") from bad
    path = _cache_dir() / hashlib.sha256(f"{size}:{url}".encode()).hexdigest()
    image = path.with_suffix(".webp")
    failed = path.with_suffix(".failed")
    try:
        data = image.read_bytes()
    except FileNotFoundError:
        if failed.exists() and time.time() - failed.stat().st_mtime < FAILED_FOR:
            raise Http404("image unavailable") from None
        try:
            data = _make(url, SIZES[size])
        except (DaybookError, OSError, ValueError, Image.DecompressionBombError) as error:
            log.info("media refused url=%s error=%s", url[:200], error)
            _write(failed, b"")
            raise Http404("image unavailable") from error
        _write(image, data)
        _evict(keep=image)
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = f"public, max-age={KEEP_FOR}"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _make(url: str, width: int) -> bytes:
    result = _fetcher().fetch(url, accept=ACCEPT)
    kind = (result.content_type or "").lower()
    if not kind.startswith("image/") or "svg" in kind:
        raise ValueError(f"not a raster image: {kind or 'no type'}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(result.content)) as probe:
                if probe.format not in FORMATS:
                    raise ValueError(f"not an image format shown here: {probe.format}")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValueError(f"too large: {probe.width}x{probe.height}")
                probe.verify()
            with Image.open(io.BytesIO(result.content)) as picture:
                picture.seek(0)  # an animation's first frame
                frame = picture.convert("RGBA" if _transparent(picture) else "RGB")
        except (UnidentifiedImageError, Image.DecompressionBombWarning, SyntaxError) as bad:
            raise ValueError(f"not a readable image: {bad}") from bad
    frame.thumbnail((width, width * 2))
    out = io.BytesIO()
    frame.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


def _transparent(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def _fetcher() -> Fetcher:
    """One fetcher per process for images: no spacing between requests to a host (a
    page shows many of one publisher's pictures at once), a tighter time cap."""
    config = dataclasses.replace(
        fetch_config(host_delay=0.0),
        total_timeout=FETCH_SECONDS,
        max_bytes=MAX_BYTES,
        retries=0,
    )
    with _lock:
        fetcher = _fetchers.get(config)
        if fetcher is None:
            for old in _fetchers.values():
                old.close()
            _fetchers.clear()
            fetcher = _fetchers[config] = Fetcher(config)
        return fetcher


def _cache_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a reader never gets half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _evict(keep: Path) -> None:
    """Oldest files out until the cache is within its cap (``keep``, just made, stays)."""
    cap = settings.DAYBOOK_MEDIA_CACHE_MB * 1024 * 1024
    files = [(p.stat(), p) for p in _cache_dir().iterdir() if p.is_file() and p != keep]
    total = keep.stat().st_size + sum(stat.st_size for stat, _ in files)
    for stat, path in sorted(files, key=lambda item: item[0].st_mtime):
        if total <= cap:
            break
        path.unlink(missing_ok=True)
        total -= stat.st_size
