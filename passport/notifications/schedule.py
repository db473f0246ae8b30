"""Maintenance on the worker's schedule: the daily retention purge (``flask purge``)."""

from __future__ import annotations

import logging

from passport.db import today_local
from passport.extensions import db
from passport.notifications.jobs import crontab, once, periodic

log = logging.getLogger(__name__)


@periodic("daily_purge", crontab(hour="3", minute="15"))
def daily_purge() -> bool:
    """Apply the retention limits once a day (``passport.trust.retention``)."""
    from passport.trust.retention import purge

    if not once(f"purge:{today_local().isoformat()}"):
        return False
    report = purge(on_batch=db.session.commit)
    log.info(
        "retention purge: %s holders, %s access-log entries",
        report.holders,
        report.access_log_entries,
    )
    return True
