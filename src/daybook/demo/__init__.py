"""The invented demo corpus, a local server for it, and the ``daybook demo`` run."""
