"""Authoring aid: list capitalised words in article text that the entity lexicon does not cover.

    python scripts/corpus/names_check.py

Every name in an article must be in ``entities.txt`` (or be a word that is not a
person, organisation or place: a weekday, a demonym, a sentence opener), or the
ground truth would miss an entity. This prints the uncovered words with a count
and an example article so that the lexicon or the ignore list can be completed.
"""

from __future__ import annotations

import re
from collections import Counter

from build import load

# Capitalised words that name no person, organisation or place.
_IGNORED = """
    A An The This That These Those It Its He She They We I You Our Their His Her My Your
    In On At Of For From To By With As But And Or If When While After Before Since Until
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Mr Ms Dr Prime Minister President
    Chief Cabinet Secretary Governor Mayor Executive Board Director General Officer Professor
    Japanese European German French Italian Spanish Australian American Korean Chinese British
    Welsh Dutch Brazilian Indian Kenyan Saudi Emirati Filipino Canadian Turkish Asian African
    Western Eastern Northern Southern Pacific Atlantic Christmas GMT JST AI Mayor
"""
IGNORE = set(_IGNORED.split())


def main() -> None:
    _, articles, matcher = load(strict=False)
    counts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for article in articles:
        for text in [article.title, *article.body]:
            text = text.replace("’", "'").replace("‘", "'")
            for start, end in reversed(matcher.covered(text)):
                text = text[:start] + "·" + text[end:]
            for match in re.finditer(
                r"[A-Z][\w-]*(?:['’][a-z]+)?(?:[ ](?:of )?[A-Z][\w-]*)*", text
            ):
                words = [w for w in match.group(0).split() if w not in IGNORE and w != "of"]
                if not words:
                    continue
                name = " ".join(words)
                counts[name] += 1
                example.setdefault(name, f"{article.event.id}/{article.key}")
    for name, count in sorted(counts.items()):
        print(f"{count:4d}  {name:40s} {example[name]}")


if __name__ == "__main__":
    main()
