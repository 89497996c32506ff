"""Structured log lines: the message followed by the bound fields as key=value."""

from __future__ import annotations

import logging

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = f"{record.levelname.lower()} {record.name}: {record.getMessage()}"
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if fields:
            base += " " + " ".join(f"{k}={v!r}" for k, v in sorted(fields.items()))
        if record.exc_info:
            base += "\n" + self.formatException(record.exc_info)
        return base
