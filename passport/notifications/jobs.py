"""Background jobs: what a job is, and how work asks for one.

Modules that own work register it here: ``@job(name, retries=)`` for a job that requests
queue (``enqueue_after_commit(name, *args)``: queued once the transaction commits, dropped
if it rolls back) and ``@periodic(name, crontab(...))`` for the worker's schedule.
``once(key)`` makes a job idempotent (the key is stored in the database). The queue itself
(huey) lives in ``passport.notifications.queue``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import crontab
from sqlalchemy.exc import IntegrityError

from passport.extensions import db
from passport.notifications.models import JobKey

#: Back-off of a failed job: 30 s, 1 min, 2 min... about 4 hours in all, then the sweep
#: (``mail.sweep``) takes over, so a mail is never lost.
RETRIES, RETRY_DELAY, BACKOFF = 9, 30, 2


@dataclass(frozen=True)
class Job:
    function: Callable[..., Any]
    retries: int = 0


JOBS: dict[str, Job] = {}
SCHEDULE: dict[str, tuple[Callable[[], Any], crontab]] = {}


def job(name: str, *, retries: int = 0):
    """Register ``function`` as the background job ``name``."""

    def register(function):
        JOBS[name] = Job(function, retries)
        return function

    return register


def periodic(name: str, schedule):
    """Register ``function`` to run on ``schedule`` (a huey ``crontab``) by the worker."""

    def register(function):
        SCHEDULE[name] = (function, schedule)
        return function

    return register


def enqueue_after_commit(name: str, *args, delay: int | None = None) -> None:
    """Queue a job once the current transaction commits; nothing if it rolls back."""
    db.session.info.setdefault("passport_jobs", []).append((name, args, delay))


def once(key: str) -> bool:
    """Claim ``key`` for this job: True the first time, False ever after (in the DB, so two
    workers or a job run twice cannot both act). The claim is part of the transaction."""
    if db.session.get(JobKey, key) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(JobKey(key=key))
    except IntegrityError:
        return False
    return True


__all__ = ["crontab", "enqueue_after_commit", "job", "once", "periodic"]
