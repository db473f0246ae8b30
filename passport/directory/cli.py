"""``flask --app wsgi directory import FILE`` and ``directory export`` (data·inclusion JSON)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from passport.directory import datainclusion, importer, version
from passport.directory import services as directory
from passport.extensions import db

directory_cli = AppGroup("directory", help="The partner directory in data·inclusion JSON.")


@directory_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file) -> None:
    """Create or update structures and services from FILE; all or nothing."""
    try:
        data = json.loads(file.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file.name}: not JSON ({exc})") from None
    try:
        report = importer.import_directory(data)
    except importer.ImportFailed as failed:
        db.session.rollback()
        for error in failed.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"Nothing imported: {len(failed.errors)} error(s).") from None
    db.session.commit()
    click.echo(f"Imported: {report.summary()}.")


@directory_cli.command("export")
def export_command() -> None:
    """Print the whole directory as {"structures": [...], "services": [...]}."""
    data = datainclusion.export(directory.search(directory.Filters()))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


@directory_cli.command("bump")
def bump_command() -> None:
    """Move the directory's version: every worker's answer cache reads the directory anew.

    Needed only after SQL that changed structures or services around the application
    (psql, a data migration); the application's own writes move it themselves.
    """
    version.bump(db.session)
    db.session.commit()
    click.echo(f"Directory version: {version.current(db.session)}.")
