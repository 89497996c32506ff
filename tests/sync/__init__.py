"""Helpers for the sync API tests: a reader with an app password, and the Google
Reader calls as a client makes them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.test import Client

from daybook.community import app_passwords
from daybook.news.models import Feed, Source
from tests.community import make_user

GREADER = "/reader/api/0/"


def reader_with_password(name: str = "alice") -> tuple[Any, str]:
    user = make_user(name, email=f"{name}@example.com")
    _, secret = app_passwords.make(user, "tests")
    return user, secret


def publisher(name: str) -> tuple[Source, str]:
    source = Source.objects.create(name=name, site_url=f"https://{name.lower()}.example/")
    url = f"https://{name.lower()}.example/feed.xml"
    Feed.objects.create(source=source, url=url)
    return source, url


def client_login(client: Client, login: str, secret: str) -> str:
    response = client.post("/accounts/ClientLogin", {"Email": login, "Passwd": secret})
    assert response.status_code == 200, response.content
    lines = dict(line.split("=", 1) for line in response.text.splitlines())
    return lines["Auth"]


class Reader:
    """A Google Reader client, as apps call the API."""

    def __init__(self, client: Client, auth: str) -> None:
        self.client, self.auth = client, auth

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"GoogleLogin auth={self.auth}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(GREADER + path, params, headers=self.headers())

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, output="json", **params)
        assert response.status_code == 200, response.content
        return response.json()

    def token(self) -> str:
        response = self.get("token")
        assert response.status_code == 200
        return response.text

    def post(
        self, path: str, data: dict[str, Any] | list[tuple[str, str]], token: str | None = None
    ) -> Any:
        body = list(data.items()) if isinstance(data, dict) else list(data)
        if token is not None:
            body.append(("T", token))
        return self.client.post(
            GREADER + path,
            urlencode(body, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=self.headers(),
        )
