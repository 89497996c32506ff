"""A reader makes an app password on the site, signs a reader app in with it (a
ClientLogin from outside the browser), then revokes it and the app is signed out."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_reader import sign_up

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_makes_uses_and_revokes_an_app_password(live_server, open_page):
    watched = open_page()
    page = watched.page
    base = live_server.url
    sign_up(page, base, "dora")
    page.goto(base + "/accounts/")
    page.get_by_role("link", name="App passwords").click()
    page.get_by_label("Label").fill("newsboat on the laptop")
    page.get_by_role("button", name="Make an app password").click()
    made = page.get_by_label("New app password")
    expect(made).to_be_visible()
    secret = made.input_value()
    assert len(secret) == 29

    signed_in = httpx.post(f"{base}/accounts/ClientLogin", data={"Email": "dora", "Passwd": secret})
    assert signed_in.status_code == 200
    auth = dict(line.split("=", 1) for line in signed_in.text.splitlines())["Auth"]
    headers = {"Authorization": f"GoogleLogin auth={auth}"}
    assert httpx.get(f"{base}/reader/api/0/user-info", headers=headers).status_code == 200

    # Shown once: a reload lists it, used just now, without the secret.
    page.goto(base + "/accounts/app-passwords/")
    row = page.get_by_role("row", name="newsboat on the laptop")
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("never")
    assert secret not in page.content()

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("revoked")
    expect(page.get_by_text("No app passwords yet.")).to_be_visible()
    assert httpx.get(f"{base}/reader/api/0/user-info", headers=headers).status_code == 401
    watched.assert_clean()
