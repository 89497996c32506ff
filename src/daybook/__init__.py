"""daybook: a self-hostable news service."""

__version__ = "0.1.0"
