"""What the task queues hold, whichever backend carries them: for the tick (is there
room?), `daybook status` and /healthz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings


def uses_redis() -> bool:
    return "django_rq" in settings.INSTALLED_APPS


@dataclass(frozen=True)
class QueueState:
    name: str
    waiting: int
    running: int
    failed: int


def depths() -> dict[str, int]:
    """Tasks waiting per queue."""
    return {state.name: state.waiting for state in states()}


def states() -> list[QueueState]:
    if uses_redis():
        import django_rq
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        found = []
        for name in settings.DAYBOOK_QUEUES:
            queue = django_rq.get_queue(name)
            found.append(
                QueueState(
                    name,
                    queue.count,
                    StartedJobRegistry(queue=queue).count,
                    FailedJobRegistry(queue=queue).count,
                )
            )
        return found
    from django.db.models import Count
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    counts: dict[tuple[str, str], int] = {
        (queue, status): n
        for queue, status, n in DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
        .values_list("queue_name", "status")
        .annotate(n=Count("id"))
        .values_list("queue_name", "status", "n")
    }
    return [
        QueueState(
            name,
            counts.get((name, TaskResultStatus.READY), 0),
            counts.get((name, TaskResultStatus.RUNNING), 0),
            counts.get((name, TaskResultStatus.FAILED), 0),
        )
        for name in settings.DAYBOOK_QUEUES
    ]


def ping() -> None:
    """Raise if the queue's broker does not answer."""
    if uses_redis():
        import django_rq

        django_rq.get_connection("feeds").ping()
    else:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()


def forget_lost(alive: set[str], *, started_before: datetime) -> int:
    """Mark failed the database-queue tasks left running by a worker that is gone
    (killed): the work itself comes back through its lease (``news/work.py``); this
    only keeps the queue's own record true. RQ keeps such records itself."""
    if uses_redis():
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    lost = [
        pk
        for pk, workers in DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=started_before
        ).values_list("pk", "worker_ids")
        if not workers or workers[-1] not in alive
    ]
    return _fail(lost, "the worker running this task stopped without finishing it")


def _fail(pks: list[Any], why: str) -> int:
    """Record database-queue tasks as failed because their worker lost them."""
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk__in=pks, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="daybook.errors.WorkerLost",
        traceback=why,
    )


def prune(*, finished_before: datetime, failed_before: datetime) -> int:
    """Drop the database queue's records of finished tasks, so the table holds what
    is waiting or running and a recent history of failures, not every task ever run."""
    if uses_redis():
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    done, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=finished_before
    ).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=failed_before
    ).delete()
    return done + failed


def release_own(worker_id: str) -> int:
    """Mark failed the database-queue tasks this worker was running when it lost the
    database: it is alive, so ``forget_lost`` would never count them as lost."""
    if uses_redis():
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    mine = [
        pk
        for pk, workers in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "pk", "worker_ids"
        )
        if workers and workers[-1] == worker_id
    ]
    return _fail(mine, "the worker lost its database connection while running this task")
