"""Gunicorn settings read from ./gunicorn.conf.py (``gunicorn wsgi:app`` run from here).

The one thing here: refuse to start several workers in production without a shared
rate-limit storage (REDIS_URL), see ``passport.startup.check_shared_limits``.
"""

import os
import sys


def on_starting(server):
    """Before any worker starts: a production with several workers needs REDIS_URL."""
    if os.environ.get("PASSPORT_ENV") != "production":
        return
    from passport.startup import StartupError, check_shared_limits

    storage = os.environ.get("REDIS_URL")
    try:
        check_shared_limits(server.cfg.workers, storage)
    except StartupError as exc:
        print(f"Passeport SPRO refuses to start: {exc}", file=sys.stderr)
        sys.exit(1)
