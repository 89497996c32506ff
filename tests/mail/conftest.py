"""A real SMTP server for every mail test, and the site's public URL that mail links to."""

from __future__ import annotations

import pytest

from tests.community.test_accounts import smtp  # noqa: F401  (the real SMTP server fixture)

SITE = "https://news.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.DAYBOOK_PUBLIC_URL = SITE
    settings.DAYBOOK_EMAIL_UNSUBSCRIBE = ""
    return SITE
