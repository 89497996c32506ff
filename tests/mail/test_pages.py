"""The reader's mail page: reachable from the account page, forms validated with
clear errors, CSRF on, another reader's alerts out of reach."""

from __future__ import annotations

import pytest
from django.test import Client

from daybook.community.models import Follow
from daybook.mail import subscriptions
from daybook.mail.models import Subscription
from daybook.mail.timing import Schedule
from daybook.news.models import Source
from tests.community import PASSWORD
from tests.mail import reader

pytestmark = pytest.mark.django_db

PAGE = "/accounts/mail/"


def signed_in(name: str = "ana", **options) -> Client:
    reader(name)
    client = Client(**options)
    assert client.login(username=name, password=PASSWORD)
    return client


def test_the_mail_page_is_linked_from_the_account_page():
    client = signed_in()
    assert f'href="{PAGE}"' in client.get("/accounts/").content.decode()
    assert client.get(PAGE).status_code == 200
    assert Client().get(PAGE)["Location"].startswith("/accounts/signin/")


def test_choosing_and_stopping_a_digest():
    client = signed_in()
    form = {"cadence": "weekly", "weekday": "4", "hour": "18", "zone": "Asia/Tokyo",
            "email": "ana@example.net"}  # fmt: skip
    assert client.post("/accounts/mail/digest", form).status_code == 302
    digest = Subscription.objects.get(kind="digest")
    assert (digest.cadence, digest.weekday, digest.hour, digest.zone) == (
        "weekly", 4, 18, "Asia/Tokyo",
    )  # fmt: skip
    assert digest.user.email == "ana@example.net"
    assert "Next digest" in client.get(PAGE).content.decode()
    client.post("/accounts/mail/digest", {**form, "cadence": "off"})
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("zone", "Mars/Olympus", "not a time zone we know"),
        ("zone", "../../etc/passwd", "not a time zone we know"),
        ("hour", "25", "Select a valid choice"),
        ("weekday", "9", "Select a valid choice"),
        ("cadence", "hourly", "Select a valid choice"),
        ("email", "", "needs an address"),
        ("email", "not an address", "valid email"),
    ],
)
def test_bad_digest_choices_get_clear_errors(field, value, error):
    client = signed_in()
    form = {"cadence": "daily", "weekday": "0", "hour": "7", "zone": "UTC", "email": "a@b.org"}
    answer = client.post("/accounts/mail/digest", {**form, field: value})
    assert answer.status_code == 400
    assert error in answer.content.decode()
    assert not Subscription.objects.exists()


def test_adding_and_removing_alerts():
    client = signed_in()
    herald = Source.objects.create(name="Herald")
    Follow.objects.create(user_id=client.session["_auth_user_id"], kind="publisher",
                          key=str(herald.pk))  # fmt: skip
    base = {"cadence": "hourly", "hour": "7", "zone": "Europe/Paris"}
    assert client.post("/accounts/mail/alerts/add", {**base, "search": "  harbour  tunnel "})
    assert client.post("/accounts/mail/alerts/add", {**base, "follow": f"publisher:{herald.pk}"})
    keys = sorted(Subscription.objects.values_list("target", "key"))
    assert keys == [("publisher", str(herald.pk)), ("search", "harbour tunnel")]
    page = client.get(PAGE).content.decode()
    assert "“harbour tunnel”" in page and "Herald" in page and "/mail/feeds/" in page

    both = {"search": "x", "follow": f"publisher:{herald.pk}"}
    for bad in ({}, both, {"follow": "publisher:999"}, {"follow": "topic:Nope"}):
        answer = client.post("/accounts/mail/alerts/add", {**base, **bad})
        assert answer.status_code == 400
    assert Subscription.objects.count() == 2

    alert = Subscription.objects.get(target="search")
    assert client.post(f"/accounts/mail/alerts/{alert.pk}/remove").status_code == 302
    assert Subscription.objects.count() == 1


def test_another_readers_alerts_are_out_of_reach():
    client = signed_in("ana")
    ben = reader("ben")
    his = subscriptions.add_alert(ben.pk, "search", "harbour", Schedule("daily", 7, 0, "UTC"))
    assert client.post(f"/accounts/mail/alerts/{his.pk}/remove").status_code == 404
    assert client.post(f"/accounts/mail/alerts/{his.pk}/feed").status_code == 404
    assert his.feed_token not in client.get(PAGE).content.decode()
    assert Subscription.objects.filter(pk=his.pk, feed_token=his.feed_token).exists()


def test_the_forms_need_their_csrf_token():
    client = signed_in(enforce_csrf_checks=True)
    form = {"cadence": "daily", "weekday": "0", "hour": "7", "zone": "UTC", "email": "a@b.org"}
    assert client.post("/accounts/mail/digest", form).status_code == 403
    assert client.post("/accounts/mail/alerts/add", {"search": "x"}).status_code == 403
    assert not Subscription.objects.exists()
