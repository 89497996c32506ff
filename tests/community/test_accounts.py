"""Accounts: signing up, in and out, passwords (changed, and reset through a real
SMTP server), and the brake on guessing passwords."""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User

from daybook.community import throttle
from daybook.community.models import Throttle
from tests.community import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGNIN = "/accounts/signin/"


def signin(client, username, password, ip="192.0.2.1", forwarded=None, **data):
    meta = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    fields = {"username": username, "password": password, **data}
    return client.post(SIGNIN, fields, REMOTE_ADDR=ip, **meta)


def test_signup_creates_an_argon2_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newreader",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/accounts/tokens/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"
    user = User.objects.get(username="newreader")
    assert user.email == ""
    assert user.password.startswith("argon2")
    assert client.get("/accounts/").status_code == 200


def test_signup_shows_clear_errors(client):
    make_user("taken")
    response = client.post(
        "/accounts/signup/",
        {"username": "Taken", "password1": PASSWORD, "password2": "something else"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "already exists" in body
    assert "didn’t match" in body or "didn't match" in body
    assert User.objects.count() == 1


def test_signin_and_signout(client):
    make_user("alice")
    page = client.get(SIGNIN)
    assert page.status_code == 200
    assert 'for="id_username"' in page.content.decode()
    response = signin(client, "alice", PASSWORD, next="/saved/")
    assert response.status_code == 302
    assert response["Location"] == "/saved/"
    assert client.get("/accounts/").status_code == 200
    assert client.get("/accounts/signout/").status_code == 405
    assert client.post("/accounts/signout/").status_code == 302
    assert client.get("/accounts/")["Location"].startswith("/accounts/signin/?next=")


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"],
)
def test_signin_refuses_an_off_site_next(client, next_url):
    make_user("alice")
    response = signin(client, "alice", PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_says_nothing_about_the_username(client):
    make_user("alice")
    wrong_password = signin(client, "alice", "nope").content.decode()
    no_such_user = signin(client, "nobody", "nope", ip="192.0.2.2").content.decode()

    def error(body):
        return re.search(r'<ul class="errorlist nonfield">.*?</ul>', body, re.S).group(0)

    assert error(wrong_password) == error(no_such_user)


def test_password_change(client):
    user = make_user("alice")
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a whole new phrase 42",
            "new_password2": "a whole new phrase 42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    user.refresh_from_db()
    assert user.check_password("a whole new phrase 42")
    assert user.password.startswith("argon2")
    # Still signed in: the session was updated with the new hash.
    assert client.get("/accounts/").status_code == 200


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def test_password_reset_through_a_real_mail_server(client, smtp):
    make_user("alice", email="alice@example.com")
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert client.get(response["Location"]).status_code == 200

    [mail] = smtp.messages
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "Set a new password for daybook"
    body = mail.get_payload(decode=True).decode()
    assert "Hello alice" in body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Set a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "reset phrase 9000", "new_password2": "reset phrase 9000"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert client.get(done["Location"]).status_code == 200

    assert signin(client, "alice", PASSWORD).status_code == 200  # the old one no longer works
    assert signin(client, "alice", "reset phrase 9000").status_code == 302
    # The link works once.
    assert "expired" in client.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, smtp):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert smtp.messages == []


def test_reset_mails_one_address_may_ask_for_are_capped(client, smtp):
    make_user("alice", email="alice@example.com")
    [(_, limit)] = throttle.RESET_LIMITS
    for _ in range(limit):
        assert (
            client.post("/accounts/password/reset/", {"email": "alice@example.com"}).status_code
            == 302
        )
    refused = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(smtp.messages) == limit
    other = client.post(
        "/accounts/password/reset/", {"email": "alice@example.com"}, REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 302 and len(smtp.messages) == limit + 1


def test_new_accounts_one_address_may_make_are_capped(client):
    [(_, limit)] = throttle.SIGNUP_LIMITS

    def sign_up(name, ip="192.0.2.1"):
        fields = {"username": name, "password1": PASSWORD, "password2": PASSWORD}
        return client.post("/accounts/signup/", fields, REMOTE_ADDR=ip)

    for n in range(limit):
        assert sign_up(f"reader{n}").status_code == 302
        client.post("/accounts/signout/")
    refused = sign_up("one_too_many")
    assert refused.status_code == 429 and "Too many new accounts" in refused.content.decode()
    assert not User.objects.filter(username="one_too_many").exists()
    assert sign_up("from_elsewhere", ip="198.51.100.10").status_code == 302


def test_repeated_failures_are_refused_with_429(client):
    make_user("alice")
    for _ in range(throttle.SIGNIN_LIMIT):
        assert signin(client, "alice", "guess").status_code == 200
    # Even the right password is refused now, with a clear message and Retry-After.
    locked = signin(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= throttle.SIGNIN_WINDOW
    assert "Too many failed sign-ins" in locked.content.decode()
    # The username is locked from any address, and the address for any username...
    assert signin(client, "alice", PASSWORD, ip="198.51.100.7").status_code == 429
    make_user("bob")
    assert signin(client, "bob", PASSWORD).status_code == 429
    # ...but another reader from another address signs in.
    assert signin(client, "bob", PASSWORD, ip="198.51.100.8").status_code == 302


def test_behind_a_proxy_readers_are_counted_by_the_address_it_saw(client, settings):
    settings.DAYBOOK_PROXY_HOPS = 1
    make_user("alice")
    proxy = "10.0.0.2"
    for n in range(throttle.SIGNIN_LIMIT):
        # A client's own X-Forwarded-For entries come first; the proxy appends the real one.
        signin(client, f"guess{n}", "guess", ip=proxy, forwarded=f"203.0.113.{n}, 198.51.100.66")
    make_user("bob")
    assert signin(client, "bob", PASSWORD, ip=proxy, forwarded="198.51.100.66").status_code == 429
    assert signin(client, "bob", PASSWORD, ip=proxy, forwarded="198.51.100.77").status_code == 302


def test_unknown_usernames_lock_the_same_way(client):
    for n in range(throttle.SIGNIN_LIMIT):
        signin(client, "ghost", "guess", ip=f"203.0.113.{n}")
    assert signin(client, "Ghost", "guess", ip="203.0.113.99").status_code == 429


def test_a_success_clears_the_usernames_failures(client):
    make_user("alice")
    for n in range(throttle.SIGNIN_LIMIT - 1):
        signin(client, "alice", "guess", ip=f"203.0.113.{n}")
    assert signin(client, "alice", PASSWORD, ip="203.0.113.50").status_code == 302
    client.post("/accounts/signout/")
    for n in range(throttle.SIGNIN_LIMIT - 1):
        assert signin(client, "alice", "guess", ip=f"203.0.113.{10 + n}").status_code == 200
    assert signin(client, "alice", PASSWORD, ip="203.0.113.51").status_code == 302


def test_failures_after_a_lockout_lock_for_longer():
    ip = "192.0.2.9"
    for _ in range(throttle.SIGNIN_LIMIT):
        assert throttle.begin_signin(ip, "carol") == 0
        throttle.signin_failed(ip, "carol")
    first = throttle.signin_retry_after(ip, "carol")
    assert 0 < first <= throttle.SIGNIN_WINDOW
    assert throttle.begin_signin(ip, "carol") == first, "locked: not even counted"
    # The lockout has passed (its end moved into the past, as time would move it).
    Throttle.objects.update(locked_until=time.time() - 1)
    assert throttle.begin_signin(ip, "carol") == 0
    throttle.signin_failed(ip, "carol")
    assert throttle.signin_retry_after(ip, "carol") > throttle.SIGNIN_WINDOW
    assert throttle.signin_retry_after("192.0.2.10", "dave") == 0


def test_attempts_in_flight_count_before_their_passwords_are_checked():
    """What parallel requests do: every attempt takes its place first, so those past
    the limit are refused even though no failure has been recorded yet."""
    taken = [throttle.begin_signin("192.0.2.20", "erin") for _ in range(throttle.SIGNIN_LIMIT + 3)]
    assert taken[: throttle.SIGNIN_LIMIT] == [0] * throttle.SIGNIN_LIMIT
    assert all(wait > 0 for wait in taken[throttle.SIGNIN_LIMIT :])


def test_a_right_password_gives_its_attempt_back():
    for _ in range(throttle.SIGNIN_LIMIT * 2):
        assert throttle.begin_signin("192.0.2.30", "frank") == 0
        throttle.signin_succeeded("192.0.2.30", "frank")
