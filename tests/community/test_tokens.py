"""API tokens: made once, stored only as a digest, found by the API, revoked."""

from __future__ import annotations

import hashlib
import re

import pytest

from daybook.community.models import ApiToken
from daybook.community.tokens import make_token, user_for_token
from tests.community import make_user

pytestmark = pytest.mark.django_db


def test_make_verify_revoke():
    alice = make_user("alice")
    raw = make_token(alice, "my script")
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.digest
    assert token.last_used_at is None

    assert user_for_token(raw) == alice
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert user_for_token(raw + "x") is None
    assert user_for_token("") is None

    alice.is_active = False
    alice.save()
    assert user_for_token(raw) is None
    token.delete()
    alice.is_active = True
    alice.save()
    assert user_for_token(raw) is None


def test_tokens_page_shows_a_new_token_once_and_revokes(client):
    alice = make_user("alice")
    client.force_login(alice)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert "No tokens yet." in page.content.decode()

    made = client.post("/accounts/tokens/", {"name": "feed reader"}).content.decode()
    raw = re.search(r'id="new-token" type="text" value="([^"]+)"', made).group(1)
    assert user_for_token(raw) == alice
    again = client.get("/accounts/tokens/").content.decode()
    assert "feed reader" in again
    assert raw not in again

    token = ApiToken.objects.get()
    other = make_user("bob")
    client.force_login(other)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke").status_code == 404
    client.force_login(alice)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"
    assert user_for_token(raw) is None


def test_account_page_links_to_tokens_and_password(client):
    client.force_login(make_user("alice"))
    page = client.get("/accounts/").content.decode()
    assert 'href="/accounts/tokens/"' in page
    assert 'href="/accounts/password/"' in page
