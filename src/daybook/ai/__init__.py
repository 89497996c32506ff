"""Enrichment: pure functions that read an article's text and return what a reader sees.

No Django here: each module takes plain data (paragraphs, vectors, known entities) and
returns frozen dataclasses, so it can be tested and reused alone. ``news.enrich`` runs
them and saves their output.
"""
