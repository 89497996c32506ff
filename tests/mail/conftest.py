"""A real SMTP server for every mail test, and the site's public URL that mail links to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from tests.community.test_accounts import Inbox
from tests.service import free_port

SITE = "https://news.example.org"


@dataclass
class Mailbox:
    inbox: Inbox
    port: int

    @property
    def messages(self):
        return self.inbox.messages


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    """aiosmtpd on a free port of 127.0.0.1; this process's Django sends to it, and
    daybook processes a test starts can be pointed at ``port``."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield Mailbox(inbox, port)
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.DAYBOOK_PUBLIC_URL = SITE
    settings.DAYBOOK_EMAIL_UNSUBSCRIBE = ""
    return SITE
