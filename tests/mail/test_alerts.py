"""Alerts: a saved search or a followed publisher, topic or person, by mail as it
happens, hourly or daily, and as a private RSS feed that only its secret opens."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from daybook.community.models import Mute
from daybook.mail import send, subscriptions
from daybook.mail.models import Delivery, Sent, Subscription
from daybook.mail.timing import Schedule
from daybook.news.models import Entity, Source
from tests.mail import reader, story_of
from tests.mail.test_digests import header, parts

pytestmark = pytest.mark.django_db


def schedule(cadence: str) -> Schedule:
    return Schedule(cadence, 7, 0, "Asia/Tokyo")


def test_a_saved_search_alert_mails_new_matches_once(smtp):
    ana = reader("ana")
    story_of("Old harbour news")  # before the alert: never mailed
    alert = subscriptions.add_alert(ana.pk, "search", "harbour", schedule("instant"))
    assert send.send_period(alert.pk) == "empty"
    story_of("Harbour tunnel approved", summary="x")
    story_of("Library reopens")
    assert send.send_period(alert.pk) == "sent"
    [mail] = smtp.messages
    assert header(mail, "Subject") == "daybook alert: “harbour”, 1 new article"
    text, html = parts(mail)
    assert "Harbour tunnel approved" in text and "Old harbour" not in text
    assert "Library" not in text and "Harbour tunnel approved" in html
    # The next period finds nothing new: no mail.
    assert send.claim(alert, "later", "h") is None


@pytest.mark.parametrize("cadence", ["instant", "hourly", "daily"])
def test_each_cadence_sends_one_mail_per_period(smtp, cadence):
    ana = reader("ana")
    herald = Source.objects.create(name="Herald")
    alert = subscriptions.add_alert(ana.pk, "publisher", str(herald.pk), schedule(cadence))
    story_of("Rail strike ends", ("Herald",))
    assert send.send_period(alert.pk) == "sent"
    story_of("Library reopens", ("Herald",))
    assert send.send_period(alert.pk) == "taken"  # the same period: the next mail waits
    row = Subscription.objects.get(pk=alert.pk)
    assert row.due_at > timezone.now()
    [delivery] = Delivery.objects.all()
    key = {"instant": 16, "hourly": 13, "daily": 10}[cadence]  # minute, hour or date
    assert len(delivery.period) == key
    assert len(smtp.messages) == 1


def test_topic_and_person_alerts_honour_mutes(smtp):
    ana = reader("ana")
    topic = subscriptions.add_alert(ana.pk, "topic", "Sports", schedule("hourly"))
    story_of("Cup final tonight", ("Courier",), topics=["Sports"])
    story_of("Cup final betting scandal", ("Courier",), topics=["Sports"])
    Mute.objects.create(user=ana, kind="word", key="scandal")
    assert send.send_period(topic.pk) == "sent"
    text, _ = parts(smtp.messages[0])
    assert "Cup final tonight" in text and "scandal" not in text

    person = Entity.objects.create(name="Ada Lovelace", kind="person")
    alert = subscriptions.add_alert(ana.pk, "entity", str(person.pk), schedule("instant"))
    mentioned = story_of("Engine notes found").articles.get()
    mentioned.mentions.create(entity=person, count=1)
    assert send.send_period(alert.pk) == "sent"
    assert "Engine notes found" in parts(smtp.messages[1])[0]


def test_an_article_goes_once_to_a_reader_whatever_alerts_match_it(smtp):
    ana = reader("ana")
    first = subscriptions.add_alert(ana.pk, "search", "harbour", schedule("instant"))
    second = subscriptions.add_alert(ana.pk, "topic", "Sports", schedule("instant"))
    story_of("Harbour regatta", topics=["Sports"])
    assert send.send_period(first.pk) == "sent"
    assert send.send_period(second.pk) == "empty"
    assert Sent.objects.filter(user=ana).count() == 1


def test_the_private_feed_opens_with_its_secret_only_and_can_be_renewed(client):
    ana = reader("ana")
    alert = subscriptions.add_alert(ana.pk, "search", "harbour", schedule("daily"))
    story_of("Harbour tunnel approved")
    story_of("Library reopens")
    Mute.objects.create(user=ana, kind="word", key="ferry")
    story_of("Harbour ferry cancelled")
    answer = client.get(f"/mail/feeds/{alert.feed_token}.rss")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/rss+xml")
    assert "no-store" in answer["Cache-Control"] or "private" in answer["Cache-Control"]
    titles = [t.text for t in ElementTree.fromstring(answer.content).iter("title")]
    assert "Harbour tunnel approved (Gazette)" in titles
    assert not any("Library" in t or "ferry" in t for t in titles)

    last = "y" if alert.feed_token.endswith("x") else "x"
    assert client.get(f"/mail/feeds/{alert.feed_token[:-1]}{last}.rss").status_code == 404
    assert client.get("/mail/feeds/.rss").status_code == 404
    old = alert.feed_token
    assert subscriptions.renew_feed(ana.pk, alert.pk)
    assert client.get(f"/mail/feeds/{old}.rss").status_code == 404
    alert.refresh_from_db()
    assert client.get(f"/mail/feeds/{alert.feed_token}.rss").status_code == 200
    ben = reader("ben")
    assert not subscriptions.renew_feed(ben.pk, alert.pk)  # not his to renew


def test_alerts_only_mail_what_arrived_after_them(smtp):
    ana = reader("ana")
    alert = subscriptions.add_alert(ana.pk, "search", "harbour", schedule("instant"))
    old = story_of("Harbour tunnel approved").articles.get()
    type(old).objects.filter(pk=old.pk).update(created_at=alert.created_at - timedelta(hours=1))
    assert send.send_period(alert.pk) == "empty"


def test_search_text_cannot_inject_headers(smtp):
    ana = reader("ana")
    hostile = "harbour\r\nBcc: evil@example.org"
    alert = subscriptions.add_alert(ana.pk, "search", hostile, schedule("instant"))
    story_of("Harbour warning: evil Bcc, example org")  # words both databases split alike
    assert send.send_period(alert.pk) == "sent"
    [mail] = smtp.messages
    assert mail["Bcc"] is None
    assert "\n" not in header(mail, "Subject") and "harbour" in header(mail, "Subject")
