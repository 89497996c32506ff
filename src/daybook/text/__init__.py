"""Text conventions of news writing that both ``pipeline/`` and ``ai/`` read."""
