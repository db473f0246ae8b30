"""``flask --app wsgi worker``: background jobs and the schedule."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from passport.notifications import queue


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued (and due), then exit.")
@click.option(
    "--schedule",
    "run_schedule",
    is_flag=True,
    help="With --burst: also run every periodic job once (reminders, purge, sweep).",
)
@click.option("--workers", default=1, show_default=True, help="Worker threads.")
@with_appcontext
def worker(burst: bool, run_schedule: bool, workers: int) -> None:
    """Run background jobs (mail, reminders, the daily purge) until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if burst:
        ran = []
        if run_schedule:
            ran = queue.run_schedule(app)
        done = queue.run_burst(app)
        click.echo(f"{done} job(s) run" + (f"; schedule: {', '.join(ran)}" if ran else ""))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    queue.consumer(app, workers=workers).run()
