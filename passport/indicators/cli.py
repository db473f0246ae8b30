"""``flask --app wsgi indicators rebuild|check``: the monthly counts behind the indicators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from passport.db import today_local
from passport.extensions import db
from passport.indicators import aggregates, periods, raw

indicators_cli = AppGroup("indicators", help="The monthly counts behind the indicators.")


def _month(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return aggregates.month_of(periods.parse_month(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month (YYYY-MM)") from None


@indicators_cli.command("rebuild")
@click.option("--from", "first", help="First month (YYYY-MM); default: the records' first.")
@click.option("--to", "last", help="Last month (YYYY-MM); default: the records' last.")
def rebuild_command(first: str | None, last: str | None) -> None:
    """Recompute the monthly counts from the records (after a bulk load or an import)."""
    written = aggregates.rebuild(_month(first), _month(last))
    db.session.commit()
    click.echo(
        "Rebuilt: " + ", ".join(f"{n} row(s) in {table}" for table, n in written.items()) + "."
    )


@indicators_cli.command("check")
@click.option("--from", "first", help="First month (YYYY-MM); default: a year ago.")
@click.option("--to", "last", help="Last month (YYYY-MM); default: this month.")
def check_command(first: str | None, last: str | None) -> None:
    """Compare the monthly counts with the records; exit 1 on any difference."""
    try:
        q = periods.question(first, last, None, None, today_local())
    except periods.BadQuestion as error:
        raise click.ClickException(str(error)) from None
    found = raw.differences(q)
    for line in found:
        click.echo(line)
    if found:
        raise click.ClickException(
            f"{len(found)} difference(s): run `flask indicators rebuild --from "
            f"{q.months[0]} --to {q.months[-1]}`."
        )
    click.echo(f"The monthly counts match the records from {q.months[0]} to {q.months[-1]}.")
