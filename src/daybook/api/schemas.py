"""Shapes the API takes, and those it answers with that no page shares.

What the pages show, the API answers with the same typed definitions
(``daybook.web.shapes``), so the OpenAPI schema is generated from the classes the
page builders are checked against. Here: errors, what a client writes, and Ask.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(BaseModel):
    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="per-field messages, when a body or a query failed validation"
    )


class Answer(Open):
    """The sentences that answer, each with its article; "generated" is a
    language model's answer grounded in them, or null."""

    question: str
    sentences: list[dict[str, Any]]
    generated: str | None


class NewComment(Schema):
    """Give exactly one of article and story. A reply to a reply joins
    the same top-level comment."""

    article: int | None = None
    story: int | None = None
    parent: int | None = Field(None, description="the comment this replies to")
    body: str = Field(description="Markdown subset: emphasis, code, links, quotes, lists")


class CommentEdit(Schema):
    body: str
