"""The installable app: its manifest, its service worker and the page shown offline.

The service worker must be served from the site's root, not from /static/: a
worker controls only the paths under the one it was loaded from (unless the
server allows more), and it must be re-checked on every visit so a new version
reaches readers. The script's static URLs are rewritten to the names the pages
use (hashed once collected), and its cache version is derived from the result,
so a deploy that changes the shell also renews the worker's caches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from daybook.news.models import Article

SERVICE_WORKER = Path(__file__).parent / "static" / "web" / "sw.js"
THEME_COLOUR = "#1d3557"
BACKGROUND_COLOUR = "#f1faee"
OFFLINE_SAVED_LIMIT = 200

_STATIC_LITERAL = re.compile(r'"/static/([^"\s]+)"')
_VERSION_LITERAL = '"__VERSION__"'


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "id": "/",
        "name": "daybook",
        "short_name": "daybook",
        "description": (
            "The day's news from many publishers, grouped into stories; "
            "saved articles stay readable offline."
        ),
        "lang": "en",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["news"],
        "icons": [
            {"src": static("web/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("web/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@functools.cache
def service_worker_script() -> bytes:
    """sw.js with its static URLs as served and its version filled in; read once per process."""
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    script = _STATIC_LITERAL.sub(lambda m: json.dumps(static(m.group(1))), source)
    version = hashlib.sha256(script.encode()).hexdigest()[:12]
    return script.replace(_VERSION_LITERAL, json.dumps(version)).encode()


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        service_worker_script(), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the worker shows when a page is neither reachable nor cached.

    The worker fetches it again after each sync of saved articles, so the list
    here is the list of articles it holds.
    """
    saved: list[Article] = []
    if request.user.is_authenticated:
        saved = list(
            Article.objects.filter(bookmarks__user=request.user)
            .select_related("source")
            .only("id", "title", "site_name", "source__name")
            .order_by("-bookmarks__created_at", "-bookmarks__id")[:OFFLINE_SAVED_LIMIT]
        )
    return render(request, "web/offline.html", {"saved": saved})
