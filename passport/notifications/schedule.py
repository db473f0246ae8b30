"""Maintenance on the worker's schedule: the access log's partitions ahead (PostgreSQL), the
daily retention purge (``flask purge``) and the nightly rebuild of the indicators' monthly
counts (``flask indicators rebuild``)."""

from __future__ import annotations

import logging
from datetime import timedelta

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
        "retention purge: %s holders, %s access-log entries, %s share tokens",
        report.holders,
        report.access_log_entries,
        report.share_tokens,
    )
    return True


@periodic("indicators_rebuild", crontab(hour="3", minute="45"))
def nightly_indicators() -> bool:
    """Recompute the indicators' counts of this month and the previous one from the records.

    A safety net: ``passport.records`` keeps them on write and the erasure (the purge
    above) on erasure; this heals anything written around them since.
    """
    from passport.indicators.aggregates import month_of, rebuild

    today = today_local()
    if not once(f"indicators:{today.isoformat()}"):
        return False
    written = rebuild(month_of(today.replace(day=1) - timedelta(days=1)), month_of(today))
    log.info("indicators rebuilt: %s", written)
    return True


@periodic("access_log_partitions", crontab(hour="2", minute="50"))
def access_log_partitions() -> list[str]:
    """Create the access log's partitions of this month and the next, ahead of their rows
    (PostgreSQL; nothing on SQLite). Idempotent: every day, so a missed run costs nothing
    (the DEFAULT partition takes the rows meanwhile, and is emptied into the new month)."""
    from passport.sharing.partitions import ensure_partitions

    created = ensure_partitions(db.session.connection())  # the job commits at its end
    if created:
        log.info("access-log partitions created: %s", ", ".join(created))
    return created
