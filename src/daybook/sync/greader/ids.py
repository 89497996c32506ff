"""Item ids in both spellings clients send: the long form
``tag:google.com,2005:reader/item/<16 hex digits>`` and the same 64-bit number as a
signed decimal. An article's id is its key. Bare hex (which Miniflux also accepts)
is not: sixteen hex digits that are all decimal digits would read as either."""

from __future__ import annotations

import re

LONG_PREFIX = "tag:google.com,2005:reader/item/"
_HEX = re.compile(r"[0-9a-fA-F]{16}")
_DECIMAL = re.compile(r"-?[0-9]{1,20}")


class BadId(ValueError):
    """Not an item id in any spelling."""


def long_id(pk: int) -> str:
    return f"{LONG_PREFIX}{pk:016x}"


def short_id(pk: int) -> str:
    return str(pk)  # keys are positive and below 2**63: the signed decimal is the key


def parse(raw: str) -> int:
    """The article key an id names (which may not exist); BadId when it is no id."""
    text = raw.strip()
    if text.startswith(LONG_PREFIX):
        text = text[len(LONG_PREFIX) :]
        if not _HEX.fullmatch(text):
            raise BadId(f"not an item id: {raw[:80]!r}")
        number = int(text, 16)
    elif _DECIMAL.fullmatch(text) and -(2**63) <= int(text) < 2**63:
        number = int(text)
    else:
        raise BadId(f"not an item id: {raw[:80]!r}")
    if number < 0:
        number += 2**64
    if not 0 < number < 2**63:
        raise BadId(f"not an item id: {raw[:80]!r}")
    return number
