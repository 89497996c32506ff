"""Serving the demo corpus as if each invented publisher were its own web site.

Every publisher gets its own HTTP server on 127.0.0.1 (its own host:port, so
per-host politeness and robots.txt behave as on the web). The corpus is
written with ``https://www.<name>.example`` origins; bodies are served with
each such origin rewritten to the local address that plays it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import mimetypes
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from daybook.demo.dating import Shift
from daybook.text.places import HOME_REGION, REGIONS, foreign

CORPUS = Path(str(resources.files("daybook.demo").joinpath("corpus")))


def load_truth(corpus: Path = CORPUS) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((corpus / "truth.json").read_text("utf-8"))
    return data


def truth_topics(article: dict[str, Any], home: str = HOME_REGION) -> set[str]:
    """A truth article's topics as daybook files them: the corpus names subjects and
    regions, and foreign news (``places.foreign``) is also "World"."""
    topics = set(article["topics"])
    return topics | ({"World"} if foreign(topics & set(REGIONS), home) else set())


@dataclass
class Site:
    slug: str
    name: str
    origin: str  # as written in the corpus, https://www.x.example
    root: Path
    server: ThreadingHTTPServer | None = None

    @property
    def local(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"


class CorpusServer:
    """Context manager: starts one local server per publisher, stops them on exit."""

    def __init__(self, corpus: Path = CORPUS, *, base_port: int = 0, to_now: bool = False) -> None:
        """``base_port`` 0 picks free ports; the demo uses fixed ones (8101...) so
        that a second ``daybook demo`` finds the same feed URLs it stored before.
        ``to_now`` serves every date moved to the present (``daybook.demo.dating``);
        tests and benches keep the corpus's own dates, which its truth file uses."""
        self.corpus = corpus
        self.base_port = base_port
        truth = load_truth(corpus)
        self.sites = [
            Site(p["slug"], p["name"], p["origin"].rstrip("/"), corpus / "sites" / p["slug"])
            for p in truth["publishers"]
        ]
        self._threads: list[threading.Thread] = []
        files = (p for site in self.sites for p in site.root.rglob("*") if p.is_file())
        self.shift = Shift.to_now(files) if to_now else Shift(timedelta(0))

    @property
    def hosts(self) -> list[str]:
        return [site.local.removeprefix("http://") for site in self.sites]

    def rewrite(self, body: bytes) -> bytes:
        for site in self.sites:
            body = body.replace(site.origin.encode(), site.local.encode())
            body = body.replace(
                site.origin.replace("https://", "http://").encode(), site.local.encode()
            )
        return body

    def serve(self, body: bytes) -> bytes:
        """A corpus file as its site serves it: local origins, dates moved."""
        return self.shift.apply(self.rewrite(body))

    def local_url(self, url: str) -> str:
        """The local address of a corpus URL (as truth.json writes them)."""
        return self.rewrite(url.encode()).decode()

    def __enter__(self) -> CorpusServer:
        for number, site in enumerate(self.sites, start=1):
            port = self.base_port + number if self.base_port else 0
            site.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self, site))
            site.server.daemon_threads = True
            thread = threading.Thread(target=site.server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for site in self.sites:
            if site.server is not None:
                site.server.shutdown()
                site.server.server_close()


def _handler(corpus: CorpusServer, site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "daybook-demo"

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            target = (site.root / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            inside = target.is_relative_to(site.root.resolve())
            suffix = target.suffix.lower()
            if inside and not target.exists() and suffix in PICTURES:
                body, kind = picture(site.slug + path, suffix), PICTURES[suffix][1]
            elif not inside or not target.is_file():
                self.send_error(404)
                return
            else:
                body = corpus.serve(target.read_bytes())
                kind = _content_type(target)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the demo prints its own summary."""

    return Handler


PICTURES = {
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
    ".webp": ("WEBP", "image/webp"),
}
"""The corpus names its pictures but ships none (no photographs of anyone's): each
site draws one for any such path, the same every time, so the demo has images."""


@functools.lru_cache(maxsize=256)
def picture(key: str, suffix: str) -> bytes:
    """A 1200x675 picture made from ``key``: two colours, soft bands, a horizon."""
    from PIL import Image, ImageDraw

    seed = hashlib.sha256(key.encode()).digest()
    top, bottom = seed[:3], seed[3:6]
    image = Image.new("RGB", (1200, 675))
    draw = ImageDraw.Draw(image)
    for y in range(675):
        mix = y / 674
        draw.line(
            [(0, y), (1200, y)],
            fill=tuple(int(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for n in range(4):
        x = seed[6 + n] * 5
        draw.ellipse(
            [x - 160, 300 + n * 40, x + 160, 620 + n * 40],
            fill=tuple(seed[10 + n * 3 : 13 + n * 3]),
        )
    draw.rectangle([0, 560, 1200, 675], fill=tuple(c // 2 for c in bottom))
    out = io.BytesIO()
    image.save(out, PICTURES[suffix][0], quality=82)
    return out.getvalue()


def _content_type(path: Path) -> str:
    if path.suffix == ".xml":
        head = path.read_bytes()[:500]
        return "application/atom+xml" if b"<feed" in head else "application/rss+xml"
    if path.suffix == ".json":
        return "application/feed+json"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind
