"""Digests and alerts by mail, and alerts as private RSS feeds."""
