"""Exactly once per reader and period: two real ``daybook worker`` processes on the
database queue, each running the tick and two workers, with every send task queued
twice as well (a queue delivers at least once); and a claim whose worker died is
sent by another, once. Runs on SQLite and, with ``DATABASE_URL``, on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from daybook.mail import send, subscriptions
from daybook.mail.models import Delivery
from daybook.mail.timing import Schedule
from daybook.news import tasks
from tests.conftest import run_daybook
from tests.mail import reader, story_of
from tests.mail.conftest import SITE
from tests.service import Peek, daybook, service_env, wait_for

READERS = 12

SEED = f"""
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from daybook.mail import send, subscriptions
from daybook.mail.models import Subscription
from daybook.mail.timing import Schedule
from tests.mail import reader, story_of

story_of("Rail strike ends", ("Gazette", "Herald"))
story_of("Library reopens", ("Courier",))
for n in range({READERS}):
    user = reader(f"reader{{n}}")
    zone = ("Asia/Tokyo", "Europe/Paris", "America/New_York")[n % 3]
    digest = subscriptions.set_digest(user.pk, Schedule("daily", n % 24, 0, zone))
    Subscription.objects.filter(pk=digest.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    send.send_due.enqueue(digest.pk)
    send.send_due.enqueue(digest.pk)
"""


def test_two_worker_processes_send_each_reader_one_digest(new_database, smtp, tmp_path):
    db = new_database()
    migrated = run_daybook(["sources", "list"], database=db)
    assert migrated.returncode == 0, migrated.stderr
    env = service_env(
        db,
        [],
        DAYBOOK_PUBLIC_URL=SITE,
        DAYBOOK_EMAIL_HOST="127.0.0.1",
        DAYBOOK_EMAIL_PORT=str(smtp.port),
        DJANGO_SETTINGS_MODULE="daybook.settings",
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED],
        env=env,
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    with (
        Peek(db) as peek,
        daybook(["worker", "--concurrency", "2"], env, tmp_path) as first,
        daybook(["worker", "--concurrency", "2"], env, tmp_path) as second,
    ):

        def settled() -> bool:
            waiting = peek.count(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY', 'RUNNING')"
            )
            sent = peek.count("SELECT COUNT(*) FROM mail_delivery WHERE status = 'sent'")
            return waiting == 0 and sent == READERS

        wait_for(settled, "every digest sent and every task run", first)
        assert second.popen.poll() is None, second.output()
        ran = peek.count(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%send_due' AND status = 'SUCCESSFUL'"
        )
    assert ran >= 2 * READERS  # both queued copies ran, and the ticks' own
    recipients = Counter(str(m["To"]) for m in smtp.messages)
    assert recipients == Counter({f"reader{n}@example.org": 1 for n in range(READERS)})


pytestmark = pytest.mark.django_db(transaction=True)


def test_a_claim_whose_worker_died_is_sent_once_by_another(smtp):
    ana = reader("ana")
    story_of("Rail strike ends")
    digest = subscriptions.set_digest(ana.pk, Schedule("daily", 7, 0, "UTC"))
    # A worker claims the period, then dies before it reaches the mail server.
    claimed = send.claim(digest, "2026-11-20", "the-dead-worker")
    assert claimed is not None
    with tasks.in_process():
        assert send.submit_due() == 0  # its lease still holds: nobody else takes it
    assert smtp.messages == []
    Delivery.objects.filter(pk=claimed).update(lease_until=timezone.now() - timedelta(seconds=1))
    with tasks.in_process():
        send.submit_due()
        send.submit_due()
    assert len(smtp.messages) == 1
    assert Delivery.objects.get(pk=claimed).status == "sent"
    # The dead worker, were it only slow, no longer holds the claim: it sends nothing.
    assert send.deliver(claimed, "the-dead-worker") == "taken"
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Message-ID"] == f"<delivery-{claimed}.2026-11-20@news.example.org>"
