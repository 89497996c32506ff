"""A digest through a real SMTP server: the top stories of what the reader follows
with their publishers and summaries, linked back to the site, in a text and an HTML
part with one-click unsubscribe headers; never empty, never a story twice, mutes
honoured."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from daybook.community.models import Follow, Mute
from daybook.mail import send, subscriptions, timing, unsubscribe
from daybook.mail.models import Delivery, Sent
from daybook.mail.timing import Schedule
from tests.mail import reader, story_of

pytestmark = pytest.mark.django_db

DAILY = Schedule("daily", 7, 0, "Europe/Paris")


def header(mail, name):
    """A header decoded and unfolded (long ones are folded onto several lines, as RFC
    5322 allows; others are encoded words)."""
    return " ".join(str(make_header(decode_header(mail[name]))).split())


def parts(mail):
    found = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in mail.walk()
        if not part.is_multipart()
    }
    return found["text/plain"], found["text/html"]


def test_a_digest_carries_the_top_stories_their_publishers_and_summaries(smtp, site_url):
    ana = reader("ana")
    broad = story_of("Rail strike ends", ("Gazette", "Herald", "Courier"), summary="Trains run.")
    small = story_of("Library reopens", ("Herald",), summary="Books are back.")
    digest = subscriptions.set_digest(ana.pk, DAILY)

    assert send.send_period(digest.pk) == "sent"

    [mail] = smtp.messages
    assert mail["To"] == "ana@example.org"
    assert header(mail, "Subject") == "Your daybook digest: 2 stories"
    text, html = parts(mail)
    assert text.index("Rail strike ends") < text.index("Library reopens")  # the front page's order
    assert "Gazette, Herald, Courier" in text and "Trains run." in text
    assert f"{site_url}/stories/{broad.pk}/" in text
    assert f'href="{site_url}/stories/{small.pk}/"' in html and "Books are back." in html
    stop = unsubscribe.url(digest)
    assert stop.startswith(site_url + "/mail/unsubscribe/")
    assert header(mail, "List-Unsubscribe") == f"<{stop}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in text and stop in html
    assert set(Sent.objects.filter(user=ana).values_list("story_id", flat=True)) == {
        broad.pk,
        small.pk,
    }


def test_the_unsubscribe_mailto_is_given_when_configured(smtp, settings):
    settings.DAYBOOK_EMAIL_UNSUBSCRIBE = "leave@news.example.org"
    ana = reader("ana")
    story_of("Rail strike ends")
    digest = subscriptions.set_digest(ana.pk, DAILY)
    send.send_period(digest.pk)
    [mail] = smtp.messages
    assert header(mail, "List-Unsubscribe") == (
        f"<{unsubscribe.url(digest)}>, <mailto:leave@news.example.org?subject=unsubscribe>"
    )


def test_a_digest_of_what_the_reader_follows(smtp):
    ana = reader("ana")
    rail = story_of("Rail strike ends", ("Gazette", "Herald"))
    story_of("Library reopens", ("Courier",))
    match = story_of("Cup final tonight", ("Courier",), topics=["Sports"])
    gazette = rail.articles.get(source__name="Gazette").source_id
    Follow.objects.create(user=ana, kind="publisher", key=str(gazette))
    Follow.objects.create(user=ana, kind="topic", key="Sports")
    send.send_period(subscriptions.set_digest(ana.pk, DAILY).pk)
    [mail] = smtp.messages
    text, _ = parts(mail)
    assert "Rail strike ends" in text and "Cup final tonight" in text
    assert "Library reopens" not in text
    assert set(Sent.objects.filter(user=ana).values_list("story_id", flat=True)) == {
        rail.pk,
        match.pk,
    }


def test_mutes_hide_stories_and_publishers(smtp):
    ana = reader("ana")
    story_of("Rail strike ends", ("Gazette", "Herald"))
    story_of("Celebrity wedding", ("Herald",))
    shared = story_of("Harbour fire", ("Tattler", "Herald"))
    only_muted = story_of("Tabloid exclusive", ("Tattler",))
    Mute.objects.create(user=ana, kind="word", key="wedding")
    Mute.objects.create(user=ana, kind="publisher", key=str(only_muted.articles.get().source_id))
    send.send_period(subscriptions.set_digest(ana.pk, DAILY).pk)
    [mail] = smtp.messages
    text, _ = parts(mail)
    assert "Rail strike ends" in text
    assert "wedding" not in text.lower() and "Tabloid" not in text and "Tattler" not in text
    assert f"/stories/{shared.pk}/" in text  # another publisher covers it: shown without Tattler


def test_nothing_new_sends_no_mail_and_no_story_goes_twice(smtp):
    ana = reader("ana")
    digest = subscriptions.set_digest(ana.pk, DAILY)
    assert send.send_period(digest.pk) == "empty"  # no stories at all: no mail
    assert smtp.messages == [] and not Delivery.objects.exists()

    first = story_of("Rail strike ends")
    assert send.send_period(digest.pk) == "sent"
    assert send.send_period(digest.pk) == "taken"  # the same period again: nothing
    # The next period: only what the reader has not had.
    assert send.claim(digest, "next-period", "holder") is None
    second = story_of("Library reopens")
    claimed = send.claim(digest, "next-period", "holder")
    assert claimed is not None
    assert [i["story"] for i in Delivery.objects.get(pk=claimed).items] == [second.pk]
    assert send.deliver(claimed, "holder") == "sent"
    bodies = [parts(m)[0] for m in smtp.messages]
    assert len(bodies) == 2
    assert sum(b.count(f"/stories/{first.pk}/") for b in bodies) == 1


def test_a_reader_without_an_address_gets_nothing(smtp):
    ana = reader("ana", email="")
    ana.email = ""
    ana.save()
    story_of("Rail strike ends")
    assert send.send_period(subscriptions.set_digest(ana.pk, DAILY).pk) == "empty"
    assert smtp.messages == []


def test_choosing_a_digest_sets_when_it_is_next_due():
    ana = reader("ana")
    digest = subscriptions.set_digest(ana.pk, Schedule("weekly", 18, 4, "Asia/Tokyo"))
    local = digest.due_at.astimezone(timing.zone_of("Asia/Tokyo"))
    assert (local.weekday(), local.hour, local.minute) == (4, 18, 0)
    assert digest.due_at > timezone.now()
    assert re.fullmatch(r"[\w-]{40,}", digest.feed_token)
