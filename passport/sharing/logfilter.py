"""Keep share tokens and password-reset tokens out of the logs.

A share link is a bearer secret: ``/s/<token>`` (the browser) and
``/api/v1/shared/<token>`` (the API) must never be written to an access log; nor may a
password-reset link, ``/mot-de-passe/<token>``. ``install()``
puts a filter on the loggers that write request lines (werkzeug's development server,
gunicorn's access and error logs, the app's own logger); the filter rewrites the record's
message and arguments before any handler formats them.
"""

from __future__ import annotations

import logging
import re

#: ``/s/<token>``, ``/shared/<token>``, ``/mot-de-passe/<token>``: the segment after them
#: is the secret.
TOKEN_IN_PATH = re.compile(r"(/s/|/shared/|/mot-de-passe/)(?!reprendre\b)[^/\s?#\"']+")
REDACTED = r"\1[masqué]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "passport")


def redact(text: str) -> str:
    """``text`` with every share token replaced by a placeholder."""
    return TOKEN_IN_PATH.sub(REDACTED, text)


def _clean(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("latin-1")).encode("latin-1")
    return value


class ShareTokenFilter(logging.Filter):
    """Redact share tokens in a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args = record.args
        if isinstance(args, dict):  # gunicorn.access: its atoms, a dict subclass kept as is
            for key in list(args):
                args[key] = _clean(dict.__getitem__(args, key))
        elif isinstance(args, tuple):
            record.args = tuple(_clean(value) for value in args)
        return True


_FILTER = ShareTokenFilter()


def install(extra_loggers: tuple[str, ...] = ()) -> None:
    """Attach the filter to the request loggers (idempotent: once per logger)."""
    for name in (*LOGGERS, *extra_loggers):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ShareTokenFilter) for f in logger.filters):
            logger.addFilter(_FILTER)
