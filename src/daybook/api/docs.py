"""The API's docs page: every operation in the OpenAPI schema, as plain HTML.

Ninja's own page is Swagger UI, fetched from a CDN and started by an inline
script; the site's Content-Security-Policy forbids both, and a self-hosted
daybook may have no route to a CDN at all. This page is rendered on the server
from the same schema that ``/api/openapi.json`` serves, so it cannot fall out
of step with the API.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


class EndpointList(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "title": schema["info"]["title"],
            "description": schema["info"].get("description", ""),
            "openapi_url": self.get_openapi_url(api, kwargs),
            "endpoints": endpoints(schema),
            "shapes": shapes(schema),
        }
        return render(request, "api/docs.html", context)


def endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation as the page lists it, in the schema's order."""
    found = []
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            body = _json_schema(operation.get("requestBody", {}))
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                    "body": _type(body) if body else None,
                    "body_shape": "$ref" in body,
                    "auth": bool(operation.get("security")),
                    "responses": [
                        {
                            "status": status,
                            "type": _type(_json_schema(answer)),
                            "shape": "$ref" in _json_schema(answer),
                        }
                        for status, answer in sorted(operation.get("responses", {}).items())
                    ],
                    "anchor": re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-"),
                }
            )
    return found


def shapes(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The named shapes that operations take and answer with, and their fields."""
    found = []
    for name, shape in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(shape.get("required", ()))
        fields = [
            {
                "name": field,
                "type": _type(spec),
                "required": field in required,
                "description": spec.get("description", ""),
            }
            for field, spec in shape.get("properties", {}).items()
        ]
        found.append(
            {
                "name": name,
                "description": shape.get("description", ""),
                "fields": fields,
                "open": bool(shape.get("additionalProperties")),
            }
        )
    return found


def _json_schema(part: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a request body or a response; empty when there is none."""
    found: dict[str, Any] = part.get("content", {}).get("application/json", {}).get("schema", {})
    return found


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    return {
        "name": parameter["name"],
        "where": parameter["in"],
        "type": _type(schema),
        "required": bool(parameter.get("required")),
        "description": parameter.get("description") or schema.get("description", ""),
    }


def _type(schema: dict[str, Any]) -> str:
    """A JSON schema as a short name: ``integer``, ``string or null``, ``NewComment``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    if not schema:
        return "nothing"
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return kind
