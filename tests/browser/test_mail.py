"""A reader chooses a digest on the site, the digest is sent through a real SMTP
server, and the link in the mail itself unsubscribes them in the browser; after
that, no more digests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from daybook.mail import send
from daybook.mail.models import Subscription
from daybook.news import tasks
from tests.browser.test_reader import sign_up
from tests.mail import story_of
from tests.mail.conftest import smtp  # noqa: F401  (the real SMTP server)
from tests.mail.test_digests import parts

pytestmark = pytest.mark.django_db(transaction=True)


def run_the_tick_when_due() -> None:
    """The digest's hour comes (its due time moves, not the clock) and the service's
    tick submits what is due, its tasks run in this process."""
    Subscription.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    with tasks.in_process():
        send.submit_due()


def test_a_reader_chooses_a_digest_then_unsubscribes_from_the_mail(
    live_server,
    open_page,
    smtp,  # noqa: F811  (the fixture imported above)
    settings,
):
    settings.DAYBOOK_PUBLIC_URL = live_server.url
    story_of("Rail strike ends", ("Gazette", "Herald"), summary="Trains run again.")
    watched = open_page()
    page = watched.page
    sign_up(page, live_server.url, "cleo")

    page.get_by_role("link", name="cleo").click()
    page.get_by_role("link", name="Mail: digest and alerts").click()
    form = page.get_by_role("region", name="Digest", exact=True).locator("form")
    form.get_by_label("Digest").select_option("daily")
    form.get_by_label("At").select_option("7")
    form.get_by_label("Time zone").fill("Mars/Olympus")
    form.get_by_label("Send to").fill("cleo@example.org")
    form.get_by_role("button", name="Save digest").click()
    expect(page.get_by_text("not a time zone we know")).to_be_visible()
    form = page.get_by_role("region", name="Digest", exact=True).locator("form")
    form.get_by_label("Time zone").fill("Europe/Paris")
    form.get_by_role("button", name="Save digest").click()
    expect(page.get_by_role("status")).to_contain_text("Your digest is saved")
    expect(page.get_by_text("Next digest")).to_be_visible()

    run_the_tick_when_due()
    [mail] = smtp.messages
    assert mail["To"] == "cleo@example.org"
    text, html = parts(mail)
    assert "Rail strike ends" in text and "Trains run again." in html
    link = re.search(r'class="unsubscribe" href="([^"]+)"', html).group(1)
    assert link.startswith(live_server.url + "/mail/unsubscribe/")

    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    assert Subscription.objects.exists()  # opening the link alone changes nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("you will get no more")
    watched.assert_clean()

    story_of("Library reopens", ("Courier",))
    run_the_tick_when_due()
    assert len(smtp.messages) == 1
    assert not Subscription.objects.exists()
