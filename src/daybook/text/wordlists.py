"""Word lists as data: each module's lists in a TOML file beside it.

``daybook.ai.entities`` reads ``daybook/ai/entities.toml``. A list of words is a
string of whitespace-separated words (long lists read better as prose than as
quoted items, and a comment above each says what it is for); anything with values
(aliases, weights) is a table. The code keeps only its logic, and a list can be
read, reviewed and changed without reading the code that uses it.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from importlib import resources
from typing import Any


class WordLists:
    """The lists of one module, read once."""

    def __init__(self, module: str) -> None:
        package, _, name = module.rpartition(".")
        self.file = resources.files(package).joinpath(f"{name}.toml")

    @cached_property
    def data(self) -> dict[str, Any]:
        return tomllib.loads(self.file.read_text("utf-8"))

    def words(self, key: str) -> frozenset[str]:
        """The list ``key`` as a set of words."""
        return frozenset(self.data[key].split())

    def table(self, key: str) -> dict[str, Any]:
        """The table ``key`` as written, its keys in file order."""
        value: dict[str, Any] = self.data[key]
        return value
