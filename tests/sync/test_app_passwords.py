"""App passwords: made once, kept as digests, bound to their reader, revoked at
once; on the site and from the command line."""

from __future__ import annotations

import hashlib
import re

import pytest

from daybook.community import app_passwords
from daybook.community.models import AppPassword, Follow
from tests.community import PASSWORD, make_user
from tests.conftest import run_daybook

pytestmark = pytest.mark.django_db


def test_a_password_is_kept_only_as_digests_and_checked_with_its_owner():
    alice, bob = make_user("alice", email="alice@example.com"), make_user("bob")
    password, secret = app_passwords.make(alice, "phone")
    assert re.fullmatch(r"([a-z2-9]{4}-){5}[a-z2-9]{4}", secret)
    stored = AppPassword.objects.get()
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.fever_key == hashlib.md5(f"alice:{secret}".encode()).hexdigest()
    assert secret not in (stored.digest, stored.fever_key) and stored.prefix == secret[:4]

    assert app_passwords.check("alice", secret) == password
    assert app_passwords.check("alice@example.com", secret.upper()) == password
    assert app_passwords.check("bob", secret) is None  # not bob's
    forged = secret[:-1] + ("y" if secret.endswith("x") else "x")
    assert app_passwords.check("alice", forged) is None
    assert app_passwords.check("alice", PASSWORD) is None  # the account password
    assert app_passwords.check("", secret) is None
    assert app_passwords.by_fever_key(stored.fever_key) == password
    assert app_passwords.by_fever_key(hashlib.md5(f"bob:{secret}".encode()).hexdigest()) is None

    assert not app_passwords.revoke(bob, password.pk)  # only its owner revokes it
    assert app_passwords.revoke(alice, password.pk)
    assert app_passwords.check("alice", secret) is None
    assert app_passwords.by_fever_key(stored.fever_key) is None


def test_an_inactive_reader_has_no_working_app_password():
    alice = make_user("alice")
    _, secret = app_passwords.make(alice)
    alice.is_active = False
    alice.save()
    assert app_passwords.check("alice", secret) is None


def test_the_page_shows_a_new_password_once_lists_and_revokes(client):
    alice = make_user("alice")
    client.force_login(alice)
    made = client.post("/accounts/app-passwords/", {"label": "NetNewsWire"})
    assert made.status_code == 200
    secret = re.search(r'id="new-app-password"[^>]*value="([^"]+)"', made.text)[1]
    assert app_passwords.check("alice", secret) is not None
    listed = client.get("/accounts/app-passwords/")
    assert "NetNewsWire" in listed.text and secret not in listed.text and "never" in listed.text
    assert "App passwords" in client.get("/accounts/").text

    bob = make_user("bob")
    pk = AppPassword.objects.get().pk
    client.force_login(bob)
    assert client.post(f"/accounts/app-passwords/{pk}/revoke").status_code == 404
    client.force_login(alice)
    assert client.post(f"/accounts/app-passwords/{pk}/revoke").status_code == 302
    assert not AppPassword.objects.exists()


def test_the_page_needs_a_signed_in_reader(client):
    assert client.get("/accounts/app-passwords/").status_code == 302


def test_readers_create_list_and_app_password_from_the_command_line(new_database):
    database = new_database()
    made = run_daybook(["readers", "create", "carol"], database=database)
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(r"made reader carol with password \S{12,}\n", made.stdout)
    given = run_daybook(
        ["readers", "create", "dave", "--password", "a long and good one 42"], database=database
    )
    assert given.stdout == "made reader dave\n"
    again = run_daybook(["readers", "create", "dave"], database=database)
    assert again.returncode != 0 and "exists already" in again.stderr

    secret = run_daybook(
        ["readers", "app-password", "dave", "--label", "newsboat"], database=database
    )
    assert secret.returncode == 0, secret.stderr
    assert re.fullmatch(r"([a-z2-9]{4}-){5}[a-z2-9]{4}\n", secret.stdout)
    missing = run_daybook(["readers", "app-password", "erin"], database=database)
    assert missing.returncode != 0 and "no reader named 'erin'" in missing.stderr

    listed = run_daybook(["readers", "list"], database=database)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("│")[1].strip(): line for line in listed.stdout.splitlines() if "│" in line}
    assert [c.strip() for c in rows["dave"].split("│")[1:5]] == ["dave", "1", "0", "never"]
    assert [c.strip() for c in rows["carol"].split("│")[1:5]] == ["carol", "0", "0", "never"]


def test_rows_count_follows_and_last_use():
    from daybook.community import readers

    alice = make_user("alice")
    Follow.objects.create(user=alice, kind="publisher", key="1")
    Follow.objects.create(user=alice, kind="topic", key="Sports")
    password, _ = app_passwords.make(alice)
    app_passwords.make(alice)
    app_passwords.touch(password)
    (row,) = readers.rows()
    assert (row.name, row.app_passwords, row.follows) == ("alice", 2, 2)
    assert row.last_used == AppPassword.objects.get(pk=password.pk).last_used_at
