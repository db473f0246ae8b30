"""``flask --app wsgi bench seed --passports N``: data for the benchmark (docs/BENCHMARKS.md)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from passport.extensions import db
from passport.passports.models import CpfStatement, Reception, Referral, ReferralEvent, Training

bench_cli = AppGroup("bench", help="Benchmark data (make bench).")


@bench_cli.command("seed")
@click.option("--passports", type=click.IntRange(1, 50_000_000), required=True)
@click.option("--workers", type=click.IntRange(1, 64), help="Processes (default: one per core).")
@click.option("--chunk", type=click.IntRange(10, 10_000), default=500, show_default=True)
def seed_command(passports: int, workers: int | None, chunk: int) -> None:
    """Fill an EMPTY database with N passports; the credentials are the last four lines."""
    from passport.bench.seed import bench_credentials, seed

    started = time.monotonic()
    try:
        seed(passports, workers=workers, chunk=chunk, echo=click.echo)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    records = sum(
        db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
        for m in (Reception, Referral, ReferralEvent, Training, CpfStatement)
    )
    click.echo(
        f"Seeded {passports} passports, {records} records in {time.monotonic() - started:.0f} s."
    )
    bench_credentials(click.echo)
