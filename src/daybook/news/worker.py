"""``daybook worker``: worker processes for the task queues, and the scheduler's tick.

The parent process runs the tick (``news/schedule.py``) in a thread and supervises
``concurrency`` child processes, each a worker of the configured backend: the
database queue's worker from django-tasks-db, or an RQ ``SimpleWorker`` (tasks run
in the worker process itself, which keeps the models it loaded, instead of a fork
per task). A child that dies (the database restarted, Redis went away) is started
again after a pause; the parent never runs tasks, so it stays up.

Signals: SIGTERM or SIGINT to the parent sends one SIGTERM to each child, which
finishes the task in hand (the worker's warm shutdown) and exits; the children live
in their own process group so a terminal's Ctrl+C reaches them only through the
parent, once. A child whose parent dies is sent SIGTERM by the kernel (Linux). A
SIGKILL anywhere loses nothing: the work's lease runs out and the tick hands it out
again (``news/work.py``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from django.conf import settings
from django.db import close_old_connections, connections

log = logging.getLogger("daybook.worker")

HEARTBEAT_SECONDS = 10.0
RESTART_PAUSE = 2.0
STOP_GRACE = 60.0
"""Seconds a child may take to finish its task after SIGTERM before it is killed."""


def run(queues: Sequence[str], *, concurrency: int = 1, tick: bool = True) -> None:
    """Run ``concurrency`` workers for ``queues`` (and the tick) until signalled."""
    stopping = threading.Event()
    context = multiprocessing.get_context("spawn")
    children: list[multiprocessing.process.BaseProcess | None] = [None] * concurrency

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ticker = threading.Thread(target=_tick_loop, args=(stopping,), daemon=True, name="tick")
    if tick:
        ticker.start()
    try:
        while not stopping.is_set():
            for slot, child in enumerate(children):
                if child is None or not child.is_alive():
                    if child is not None:
                        log.warning("worker exited code=%s; restarting", child.exitcode)
                        stopping.wait(RESTART_PAUSE)
                        if stopping.is_set():
                            break
                    name = f"{socket.gethostname()}-{os.getpid()}-{slot}-{secrets.token_hex(3)}"
                    children[slot] = context.Process(
                        target=_child, args=(list(queues), name), name=name, daemon=False
                    )
                    children[slot].start()  # type: ignore[union-attr]
            stopping.wait(1.0)
    finally:
        for child in children:
            if child is not None and child.is_alive() and child.pid:
                os.kill(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in children:
            if child is not None:
                child.join(max(0.0, deadline - time.monotonic()))
                if child.is_alive():
                    child.kill()
                    child.join()
        stopping.set()


def _tick_loop(stopping: threading.Event) -> None:
    from daybook.news import schedule

    while not stopping.is_set():
        try:
            schedule.tick()
        except Exception:  # the database or the broker is away: try again next tick
            log.exception("tick failed")
        finally:
            close_old_connections()
            connections.close_all()
        stopping.wait(settings.DAYBOOK_TICK_SECONDS)


# -- in the child process ------------------------------------------------------------


def _child(queues: list[str], name: str) -> None:
    os.setpgrp()  # the terminal's Ctrl+C goes to the parent, which relays it once
    die_with_parent()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    import django

    django.setup()
    beating = threading.Thread(target=_heartbeat, args=(name, queues), daemon=True)
    beating.start()
    from daybook.news import queues as backend

    if backend.uses_redis():
        _run_rq(queues, name)
    else:
        _run_db(queues, name)


def _heartbeat(name: str, queues: list[str]) -> None:
    from daybook.news import schedule

    while True:
        try:
            schedule.beat(name, "worker", ",".join(queues))
        except Exception as error:  # the database is away; the worker itself will notice
            log.warning("heartbeat failed worker=%s error=%s", name, error)
        finally:
            connections.close_all()
        time.sleep(HEARTBEAT_SECONDS)


def _run_db(queues: list[str], name: str) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=queues,
        interval=0.5,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=name[:64],
        excluded_queue_names=[],
    )
    worker.configure_signals()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from daybook.news.queues import release_own

    lost = False
    while worker.running:
        try:
            if lost:
                release_own(worker.worker_id)
                lost = False
            worker.run()
        except Exception as error:  # the database went away: reconnect and go on
            log.warning("worker lost the database; retrying worker=%s error=%s", name, error)
            lost = True
            connections.close_all()
            time.sleep(RESTART_PAUSE)


def _run_rq(queues: list[str], name: str) -> None:
    import django_rq
    from redis.exceptions import RedisError
    from rq import SimpleWorker

    from daybook.news.tasks import PRIORITY

    class Worker(SimpleWorker):
        """Stops on SIGTERM only: SIGINT is the parent's to relay."""

        def _install_signal_handlers(self) -> None:
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    stopped = False
    while not stopped:
        try:
            worker = django_rq.get_worker(
                *sorted(queues, key=lambda q: -PRIORITY.get(q, 0)),  # nearer the reader first
                job_class="django_tasks_rq.backend.Job",
                worker_class=Worker,  # type: ignore[arg-type]
                name=name,
            )
            worker.work(with_scheduler=False, logging_level="WARNING")
            stopped = True
        except RedisError as error:  # Redis went away: reconnect and go on
            log.warning("worker lost Redis; retrying worker=%s error=%s", name, error)
            time.sleep(RESTART_PAUSE)
            name = f"{name.rsplit('~', 1)[0]}~{secrets.token_hex(2)}"


def die_with_parent() -> None:
    """Ask the kernel to send SIGTERM to this process when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
