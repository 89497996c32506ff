"""``daybook serve``: the site under gunicorn, a production WSGI server, rather
than Django's development server (single-threaded per request, no keep-alive
tuning, and documented as unfit for use beyond a developer's desk).

Static files are collected first under hashed names, so whitenoise can send
them with far-future cache headers. Threads, not extra processes, by default:
SQLite and the in-memory page cache are shared best within one process.

By default the scheduler and a task worker run beside the site, as ``daybook
worker`` in a child process (models and the tick stay out of the web process),
started before gunicorn and stopped after it, so one command gives a site that
keeps itself current. The child dies with its parent (``news/worker.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from gunicorn.app.base import BaseApplication

from daybook.news.worker import STOP_GRACE, die_with_parent


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


def serve(
    host: str, port: int, *, workers: int = 1, threads: int = 8, with_worker: bool = True
) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    worker = (
        subprocess.Popen(
            [sys.executable, "-m", "daybook", "worker"],
            start_new_session=True,  # Ctrl+C reaches it once, relayed from here
            preexec_fn=die_with_parent,
        )
        if with_worker
        else None
    )
    try:
        _run(host, port, workers=workers, threads=threads)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=STOP_GRACE + 5)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


GRACE = 3
"""Seconds a stopping web process gives requests in flight (pages take milliseconds):
an idle or half-sent connection never holds a stop longer than this."""


def _exit_now(_arbiter: Any, worker: Any) -> None:
    """Gunicorn's ``worker_exit`` hook: a web process that is done ends at once.

    Without it, Python's exit joins the thread pool, and a thread still waiting on a
    client's half-sent request (a browser's preconnect is one) holds the process
    until the arbiter kills it ("Worker was sent SIGKILL! Perhaps out of memory?")
    after the graceful timeout. Gunicorn also calls this hook in the arbiter when
    it reaps a worker; only the worker itself ends here.
    """
    if os.getpid() == worker.pid:
        os._exit(0)  # nothing flushed: see _quit_now


def _quit_now(worker: Any) -> None:
    """Gunicorn's ``worker_int`` hook, run in a web process on SIGINT or SIGQUIT (a
    quick stop: Ctrl+C reaches every process of the group, then the arbiter sends
    SIGQUIT): end at once, in the signal handler, so a second signal arriving while
    the process unwinds cannot leave it waiting on its threads. Nothing is flushed: a
    lock another thread holds (logging's, a stream's) must not hold the exit."""
    os._exit(0)


def _run(host: str, port: int, *, workers: int, threads: int) -> None:
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
            "graceful_timeout": GRACE,
            "worker_exit": _exit_now,
            "worker_int": _quit_now,
        }
    ).run()
