"""The API describes itself: a valid OpenAPI schema, and a docs page built from it
that works under the site's Content-Security-Policy with no CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/articles": {"get"},
    "/api/articles/{pk}": {"get"},
    "/api/articles/{pk}/related": {"get"},
    "/api/articles/{pk}/ask": {"get"},
    "/api/articles/{pk}/comments": {"get"},
    "/api/stories": {"get"},
    "/api/stories/{pk}": {"get"},
    "/api/stories/{pk}/ask": {"get"},
    "/api/stories/{pk}/comments": {"get"},
    "/api/publishers": {"get"},
    "/api/publishers/{pk}": {"get"},
    "/api/topics": {"get"},
    "/api/topics/{name}": {"get"},
    "/api/entities/{pk}": {"get"},
    "/api/search": {"get"},
    "/api/comments": {"post"},
    "/api/comments/{pk}": {"patch", "delete"},
}
WRITES = {
    ("/api/comments", "post"),
    ("/api/comments/{pk}", "patch"),
    ("/api/comments/{pk}", "delete"),
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_lists_every_operation_with_its_auth(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "daybook"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == OPERATIONS
    schemes = schema["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (path, method)
            assert bool(operation.get("security")) == ((path, method) in WRITES)


def test_openapi_documents_envelopes_comments_and_errors(schema):
    shapes = schema["components"]["schemas"]
    assert {"Card", "ArticlePage", "Thread", "Comment", "NewComment", "Error"} <= set(shapes)
    assert "additionalProperties" not in shapes["Card"], "every key is declared"
    assert set(shapes["NewComment"]["properties"]) == {"article", "story", "parent", "body"}
    listing = schema["paths"]["/api/articles"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"cursor", "limit", "publisher", "topic"}
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100
    answers = listing["responses"]
    assert answers["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ArticlePage")
    assert answers["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    body = schema["paths"]["/api/comments"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/NewComment")


def test_docs_page_lists_every_endpoint_without_inline_script_or_cdn(client, schema):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert f"<code>{method.upper()} {path}</code>" in page
            assert operation["summary"].replace("'", "&#x27;") in page
    assert 'href="/api/openapi.json"' in page
    assert "<code>cursor</code>" in page and "needs a token" in page
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S | re.I)
    assert all(not body.strip() for body in bodies)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from elsewhere
    assert not re.search(r"\s(on\w+|style)=", page)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_api_answers_with_exactly_the_keys_its_schema_declares(client, schema, news):
    """Pages and the API share one definition of each shape: a card carries the keys
    the schema names (all the required ones; "read" only for a signed-in reader)."""
    shapes = schema["components"]["schemas"]
    declared = set(shapes["Card"]["properties"])
    required = set(shapes["Card"]["required"])
    listing = client.get("/api/articles").json()["articles"]
    page = client.get("/?format=json").json()
    cards = [*listing, *page["articles"], *(s["lead"] for s in page["stories"])]
    assert cards
    for card in cards:
        assert required <= set(card) <= declared, set(card) ^ declared
    story = client.get(f"/api/stories/{news['quake'].story_id}").json()
    assert set(story) == set(shapes["StoryDetail"]["properties"]) - {"comments"}
    assert set(story["story"]) == set(shapes["StoryShown"]["properties"]) - {"read"}
