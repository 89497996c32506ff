"""Pure pipeline stages: bytes and strings in, dataclasses out; no Django import.

fetch -> feeds -> extract / pagetext -> normalise -> dedupe. Only the ingest
service in ``daybook.news.ingest`` chains them.
"""
