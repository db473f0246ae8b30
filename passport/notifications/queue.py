"""The job queue (huey): SQLite in the instance folder on a laptop, Redis in production.

Every job runs inside an application context and commits once at its end (a job is like a
request). Work is enqueued *after* the request's commit (the session's ``after_commit``
hook), so a job never sees data that was rolled back and no request waits on SMTP.

    run_burst(app)         # what is queued and due, then return (``worker --burst``)
    run_schedule(app)      # every periodic job once (``worker --burst --schedule``)
    consumer(app).run()    # the long-running worker (``worker``)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import event

from passport.extensions import db
from passport.notifications.jobs import BACKOFF, JOBS, RETRY_DELAY, SCHEDULE

log = logging.getLogger(__name__)


def _build(app: Flask) -> Huey:
    name = app.config.get("JOBS_QUEUE_NAME") or "passport"
    redis_url = app.config.get("JOBS_REDIS_URL") or app.config.get("REDIS_URL")
    if redis_url:
        huey: Huey = RedisHuey(name, url=redis_url, results=False, utc=True)
    else:
        path = app.config.get("JOBS_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=path, results=False, utc=True)
    _load_jobs()
    tasks = app.extensions["passport_jobs"] = {}
    for job_name, spec in JOBS.items():
        tasks[job_name] = huey.task(
            retries=spec.retries,
            retry_delay=RETRY_DELAY if spec.retries else 0,
            retry_backoff=BACKOFF if spec.retries else 0,
            name=job_name,
        )(_in_app(app, spec.function))
    for job_name, (function, schedule) in SCHEDULE.items():
        huey.periodic_task(schedule, name=job_name)(_in_app(app, function))
    return huey


def _load_jobs() -> None:
    """Import the modules that register jobs (here, not at import time of this module)."""
    from passport.notifications import mail, notices, referrals, schedule, visits  # noqa: F401


def _in_app(app: Flask, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args, **kwargs):
        with app.app_context():
            try:
                result = function(*args, **kwargs)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise

    run.__name__ = function.__name__
    return run


def huey_of(app: Flask | None = None) -> Huey:
    """The app's queue, built on first use (the instance folder is known by then)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    huey = app.extensions.get("passport_huey")
    if huey is None:
        huey = app.extensions["passport_huey"] = _build(app)
    return huey


def enqueue_now(name: str, *args, delay: int | None = None) -> None:
    """Put one job in the queue at once (no transaction to wait for); ``delay`` in seconds."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    huey_of(app)
    task = app.extensions["passport_jobs"][name]
    if delay:
        task.schedule(args=args, delay=delay)
    else:
        task(*args)


def _after_commit(session) -> None:
    pending = session.info.pop("passport_jobs", None)
    if not pending:
        return
    for name, args, delay in pending:
        try:
            enqueue_now(name, *args, delay=delay)
        except Exception:  # the queue is down: the sweep finds the work again later
            log.exception("could not queue job %s", name)


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop("passport_jobs", None)


def init_app(app: Flask) -> None:
    """Hook the session events once (the scoped session is shared by every app)."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_rollback)


def run_burst(app: Flask, *, limit: int = 1000) -> int:
    """Run the jobs that are queued, and scheduled ones that are due, then return how many."""
    huey = huey_of(app)
    done = 0
    while done < limit:
        for task in huey.read_schedule():
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        done += 1
    return done


def run_schedule(app: Flask) -> list[str]:
    """Run every periodic job once, now (``worker --burst --schedule``)."""
    _load_jobs()
    names = []
    for name, (function, _schedule) in SCHEDULE.items():
        _in_app(app, function)()
        names.append(name)
    return names


def consumer(app: Flask, workers: int = 1):
    """huey's consumer: runs jobs and the schedule until stopped (SIGINT/SIGTERM)."""
    return huey_of(app).create_consumer(workers=workers, periodic=True, check_worker_health=True)
