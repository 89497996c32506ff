"""The scheduler and the tasks: claims only one process wins, leases that bring lost
work back, polls that fail alone, intervals that follow the feed, feeds disabled with
their reason, the page cache surviving steady ingest, and what status reports."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from daybook.news import revision, schedule, status, tasks
from daybook.news.ingest import Ingester
from daybook.news.models import Article, Entry, Feed, FetchAttempt, Heartbeat, Revision, Source
from daybook.news.polling import poll
from daybook.news.queues import forget_lost
from tests.conftest import daybook_env
from tests.servers import serve, stall

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>
<link>{base}/</link><description>x</description><ttl>{ttl}</ttl>{items}</channel></rss>"""
ITEM = """<item><title>Ferry {n} returns</title><link>{base}/news/{n}.html</link>
<guid>{base}/news/{n}.html</guid><pubDate>{date}</pubDate>
<description>Ferry {n} is back in service, the operator said.</description></item>"""
PAGE = """<html><head><title>Ferry {n} returns</title></head><body><article>
<h1>Ferry {n} returns</h1>
<p>The harbour ferry number {n} returned to service on Monday after {n} weeks of repairs
to its engines.</p>
<p>Passengers on route {n} said the crossing had been missed, and the operator thanked
them for waiting.</p>
</article></body></html>"""


def feed_xml(base: str, numbers: range, ttl: int = 0) -> str:
    now = timezone.now()
    items = "".join(
        ITEM.format(
            base=base, n=n, date=(now - timedelta(hours=n)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        )
        for n in numbers
    )
    return RSS.format(base=base, items=items, ttl=ttl or "")


def routes_for(base: str, numbers: range, ttl: int = 0) -> dict:
    routes: dict = {
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, feed_xml(base, numbers, ttl))
    }
    for n in numbers:
        routes[f"/news/{n}.html"] = (200, {"Content-Type": "text/html"}, PAGE.format(n=n))
    return routes


def add_feed(url: str, name: str = "Harbour Post") -> Feed:
    source = Source.objects.create(name=name)
    return Feed.objects.create(
        source=source, url=url, next_poll_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def allowed(settings):
    def allow(*host_ports: str) -> None:
        settings.DAYBOOK_ALLOWED_HOSTS = frozenset(host_ports)
        settings.DAYBOOK_HOST_DELAY = 0.0

    return allow


def test_a_claimed_feed_is_not_claimed_again_until_its_lease_runs_out(settings):
    feed = add_feed("https://paper.example/feed.xml")
    first = schedule.claim_feeds()
    assert [pk for pk, _ in first] == [feed.pk]
    assert schedule.claim_feeds() == []  # held: nobody else gets it
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    second = schedule.claim_feeds()  # the first poll's worker died: its lease ran out
    assert [pk for pk, _ in second] == [feed.pk]
    assert second[0][1] != first[0][1]
    # The first poll, if it ever runs, finds its claim gone and does nothing.
    assert poll(feed.pk, first[0][1]) == {"feed": feed.pk, "skipped": True}
    assert not FetchAttempt.objects.exists()


def test_ticks_in_many_processes_claim_each_due_feed_exactly_once(new_database):
    db = new_database()
    script = """
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from daybook.news.schedule import claim_feeds
print(json.dumps([pk for pk, _ in claim_feeds(limit=1000)]))
"""
    setup = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from daybook.news.models import Feed, Source
from django.utils import timezone
source = Source.objects.create(name="Many")
Feed.objects.bulk_create(
    Feed(source=source, url=f"https://p{n}.example/feed", next_poll_at=timezone.now())
    for n in range(300)
)
"""
    env = daybook_env(db)
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)
    racers = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    claimed = [json.loads(p.communicate(timeout=120)[0]) for p in racers]
    every = [pk for batch in claimed for pk in batch]
    assert len(every) == 300 == len(set(every))


def test_a_feed_that_fails_fails_alone_and_visibly(allowed, settings):
    settings.DAYBOOK_FETCH_TIMEOUT = 3
    good: dict = {}
    with (
        serve(good) as ok,
        serve(
            {"/feed.xml": (200, {"Content-Type": "application/rss+xml"}, b"\x00\xff<<garbage")}
        ) as junk,
        serve({"/feed.xml": stall(30)}) as hung,
        serve({"/feed.xml": (302, {"Location": "http://10.0.0.1/feed.xml"}, "")}) as sneaky,
    ):
        good.update(routes_for(ok.base_url, range(1, 4)))
        allowed(ok.host_port, junk.host_port, hung.host_port, sneaky.host_port)
        feeds = {
            "good": add_feed(ok.url("/feed.xml"), "Good"),
            "junk": add_feed(junk.url("/feed.xml"), "Junk"),
            "hung": add_feed(hung.url("/feed.xml"), "Hung"),
            "sneaky": add_feed(sneaky.url("/feed.xml"), "Sneaky"),
        }
        stats = Ingester().run_due()
    assert stats.feeds_done == 4 and stats.feeds_failed == 3
    assert Article.objects.filter(feed=feeds["good"]).count() == 3
    for name in ("junk", "hung", "sneaky"):
        feed = Feed.objects.get(pk=feeds[name].pk)
        assert feed.last_error and feed.consecutive_failures == 1
        assert feed.next_poll_at > timezone.now() and feed.claim == ""
        assert not Article.objects.filter(feed=feed).exists()
    assert "BlockedAddress" in Feed.objects.get(pk=feeds["sneaky"].pk).last_error


def test_the_interval_follows_the_feed_and_never_undercuts_what_it_asks(allowed, settings):
    settings.DAYBOOK_POLL_MIN_SECONDS = 300
    settings.DAYBOOK_POLL_MAX_SECONDS = 86400
    routes: dict = {}
    with serve(routes) as server:
        routes.update(routes_for(server.base_url, range(1, 50)))  # 49 entries, one an hour
        allowed(server.host_port)
        busy = add_feed(server.url("/feed.xml"))
        Ingester().run_due()
        busy.refresh_from_db()
        week = 7 * 24 * 3600
        assert busy.poll_interval == max(300, week // 49)
        assert busy.next_poll_at - timezone.now() >= timedelta(seconds=busy.poll_interval - 5)
        # The same feed asking for a five-hour ttl is polled no more often than that.
        routes.update(routes_for(server.base_url, range(1, 50), ttl=300))
        Feed.objects.filter(pk=busy.pk).update(next_poll_at=timezone.now())
        Ingester().run_due()
        busy.refresh_from_db()
        assert busy.asked_floor == 18000 and busy.poll_interval == 18000
        # Unless the operator, who owns it, lowers the floor.
        Feed.objects.filter(pk=busy.pk).update(floor_override=60, next_poll_at=timezone.now())
        Ingester().run_due()
        busy.refresh_from_db()
        assert busy.poll_interval == week // 49


def test_a_feed_failing_for_days_is_disabled_with_its_reason(allowed, settings):
    settings.DAYBOOK_FEED_DISABLE_DAYS = 30
    with serve({}) as server:  # every path is a 404
        allowed(server.host_port)
        feed = add_feed(server.url("/feed.xml"))
        Feed.objects.filter(pk=feed.pk).update(
            consecutive_failures=40, first_failure_at=timezone.now() - timedelta(days=31)
        )
        Ingester().run_due()
    feed.refresh_from_db()
    assert not feed.active
    assert "404" in feed.disabled_reason and "30 days" in feed.disabled_reason
    assert schedule.claim_feeds() == []


def test_an_entry_whose_fetch_was_lost_is_handed_out_again(allowed):
    routes: dict = {}
    with serve(routes) as server:
        routes.update(routes_for(server.base_url, range(1, 3)))
        allowed(server.host_port)
        feed = add_feed(server.url("/feed.xml"))
        [(pk, claim)] = schedule.claim_feeds()
        # Queued for real (the database queue), then the worker "dies": nothing runs.
        result = poll(pk, claim)
        assert result["entries"] == 2
        assert Entry.objects.exclude(pending={}).count() == 2
        assert not Article.objects.exists()
        Entry.objects.update(fetch_due_at=timezone.now() - timedelta(seconds=1))  # lease over
        with tasks.in_process():
            stats = schedule.tick()
        assert stats.entries == 2
    assert Article.objects.filter(feed=feed).count() == 2
    assert not Entry.objects.exclude(pending={}).exists()
    assert all(a.story_id for a in Article.objects.all())


def test_a_task_left_running_by_a_dead_worker_is_marked_lost():
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    result = tasks.refresh_story.enqueue(12345)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["gone-worker"],
    )
    Heartbeat.objects.create(name="alive-worker", kind="worker")
    assert forget_lost({"alive-worker"}, started_before=timezone.now() - timedelta(minutes=1)) == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and "WorkerLost" in row.exception_class_path


def test_news_revisions_move_at_most_once_per_freshness_window(settings):
    settings.DAYBOOK_PAGE_FRESHNESS_SECONDS = 30
    revision.bump(revision.NEWS)
    first = Revision.objects.get(name=revision.NEWS).value
    for _ in range(5):
        revision.bump(revision.NEWS)  # steady ingest
    row = Revision.objects.get(name=revision.NEWS)
    assert row.value == first and row.pending
    assert dict((n, v) for n, v, _ in revision.current())[revision.NEWS] == first
    Revision.objects.filter(name=revision.NEWS).update(
        changed_at=timezone.now() - timedelta(seconds=31)
    )
    assert dict((n, v) for n, v, _ in revision.current())[revision.NEWS] == first + 1  # never lost
    assert not Revision.objects.get(name=revision.NEWS).pending
    revision.bump(revision.COMMENTS)
    revision.bump(revision.COMMENTS)  # a reader's comment shows at once
    assert Revision.objects.get(name=revision.COMMENTS).value == 2


def test_status_and_healthz_say_whether_the_tick_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "tick: never ran" in response.json()["problems"]
    schedule.tick()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    report = status.report()
    assert {q["name"] for q in report["queues"]} >= {"feeds", "pages", "enrich", "stories", "llm"}
    assert report["last_tick"] is not None
    Heartbeat.objects.filter(kind="tick").update(seen_at=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 503 and "tick: last ran" in response.json()["problems"][0]


def test_a_page_of_one_line_gives_way_to_the_fuller_text_of_the_feed(allowed):
    content = "".join(
        f"<p>Paragraph {n}: the harbour ferry returned to service on Monday after weeks of "
        "repairs to its engines, the operator said.</p>"
        for n in range(1, 4)
    )
    routes: dict = {}
    with serve(routes) as server:
        item = (
            f"<item><title>Ferry returns</title><link>{server.base_url}/video.html</link>"
            f"<description><![CDATA[{content}]]></description></item>"
        )
        routes["/feed.xml"] = (
            200,
            {"Content-Type": "application/rss+xml"},
            RSS.format(base=server.base_url, items=item, ttl=""),
        )
        routes["/video.html"] = (
            200,
            {"Content-Type": "text/html"},
            "<html><body><article><h1>Ferry returns</h1><p>Watch the video</p></article>"
            "</body></html>",
        )
        allowed(server.host_port)
        add_feed(server.url("/feed.xml"))
        with tasks.in_process():
            schedule.tick()
        assert "/video.html" in server.paths()
    [article] = Article.objects.all()
    assert article.text.count("the harbour ferry returned to service") == 3
    assert article.title == "Ferry returns"


def test_a_poll_gives_the_publisher_the_icon_its_feed_names(allowed):
    routes: dict = {}
    with serve(routes) as server:
        xml = feed_xml(server.base_url, range(1, 2)).replace(
            "<description>x</description>",
            "<description>x</description><image>"
            f"<url>{server.base_url}/logo.png</url><title>H</title><link>{server.base_url}/</link>"
            "</image>",
        )
        routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, xml)
        allowed(server.host_port)
        feed = add_feed(server.url("/feed.xml"))
        [(pk, claim)] = schedule.claim_feeds()
        poll(pk, claim)
    assert Source.objects.get(pk=feed.source_id).icon == f"{server.base_url}/logo.png"
