"""``daybook serve``: the site under gunicorn, a production WSGI server, rather
than Django's development server (single-threaded per request, no keep-alive
tuning, and documented as unfit for use beyond a developer's desk).

Static files are collected first under hashed names, so whitenoise can send
them with far-future cache headers. Threads, not extra processes, by default:
SQLite and the in-memory page cache are shared best within one process.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from daybook.wsgi import application

        return application


def serve(host: str, port: int, *, workers: int = 1, threads: int = 8) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "keepalive": 5,
            "timeout": 120,
            "graceful_timeout": 10,
        }
    ).run()
