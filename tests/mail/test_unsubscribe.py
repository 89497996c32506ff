"""One-click unsubscribe (RFC 8058): a POST to the mail's own link, with no session
and no CSRF token, answers 200 and stops the mail at once; a GET only asks; forged
tokens, and one reader's token aimed at another's subscription, are refused."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from daybook.mail import send, subscriptions, unsubscribe
from daybook.mail.models import Subscription
from daybook.mail.timing import Schedule
from tests.mail import reader, story_of
from tests.mail.test_digests import header

pytestmark = pytest.mark.django_db

DAILY = Schedule("daily", 7, 0, "UTC")


def path_of(url: str) -> str:
    return url.removeprefix("https://news.example.org")


def test_the_one_click_post_from_the_mail_unsubscribes_without_signing_in(smtp):
    ana = reader("ana")
    story_of("Rail strike ends")
    digest = subscriptions.set_digest(ana.pk, DAILY)
    send.send_period(digest.pk)
    [mail] = smtp.messages
    link = header(mail, "List-Unsubscribe").strip("<>")
    strict = Client(enforce_csrf_checks=True)  # as a mail provider posts: no cookie, no token

    shown = strict.get(path_of(link))  # a link scanner's GET changes nothing
    assert shown.status_code == 200 and b'<form method="post">' in shown.content
    assert Subscription.objects.filter(pk=digest.pk).exists()

    done = strict.post(path_of(link), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Subscription.objects.filter(pk=digest.pk).exists()
    story_of("Library reopens")
    assert send.send_period(digest.pk) == "gone"
    assert len(smtp.messages) == 1
    again = strict.post(path_of(link))  # said twice: still 200, still nothing sent
    assert again.status_code == 200 and b"already unsubscribed" in again.content


def test_forged_and_other_readers_tokens_are_refused(client):
    ana, ben = reader("ana"), reader("ben")
    hers = subscriptions.set_digest(ana.pk, DAILY)
    his = subscriptions.set_digest(ben.pk, DAILY)
    # Ana's genuine token names her subscription; pointed at Ben's, it is not genuine.
    token = unsubscribe.token(hers)
    forged = [
        "nonsense",
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.dumps([ben.pk, his.pk], salt="another.salt"),
        signing.dumps([ana.pk, his.pk], salt="another.salt"),
        signing.dumps([ben.pk, his.pk]),  # the site's key without the salt
        "x" * 500,
    ]
    for bad in forged:
        answer = client.post(f"/mail/unsubscribe/{bad}/")
        assert answer.status_code in (400, 404), bad
    # A genuine token for (ana, ben's subscription) cannot exist; even if it did,
    # the subscription must belong to the reader it names.
    crossed = signing.dumps([ana.pk, his.pk], salt=unsubscribe.SALT)
    assert client.post(f"/mail/unsubscribe/{crossed}/").status_code == 200
    assert Subscription.objects.filter(pk=his.pk).exists()
    assert Subscription.objects.filter(pk=hers.pk).exists()


def test_each_subscription_has_its_own_token():
    ana = reader("ana")
    digest = subscriptions.set_digest(ana.pk, DAILY)
    alert = subscriptions.add_alert(ana.pk, "search", "harbour", Schedule("hourly", 0, 0, "UTC"))
    assert unsubscribe.token(digest) != unsubscribe.token(alert)
    assert unsubscribe.ids(unsubscribe.token(alert)) == (ana.pk, alert.pk)
