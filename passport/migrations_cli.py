"""Flask-Migrate, loaded when a migration is asked for, not in every web worker.

Importing Flask-Migrate imports Alembic, Mako and Pygments: 11 MB of resident memory in
each gunicorn worker (docs/BENCHMARKS.md, the RSS target of 150 MB) for code that only
``flask db ...``, ``flask_migrate.upgrade()`` and ``migrations/env.py`` use. The app gets a
``db`` command group and an ``app.extensions["migrate"]`` that import and initialise the
real ones on first use; after that everything is Flask-Migrate's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask

from passport.extensions import db


def _initialise(app: Flask) -> Any:
    """The real Flask-Migrate for ``app`` (in ``app.extensions["migrate"]`` from now on)."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    return app.extensions["migrate"]


class LazyMigrateConfig:
    """``app.extensions["migrate"]`` until something reads it: then Flask-Migrate's own."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(_initialise(self._app), name)


class LazyDbGroup(click.Group):
    """``flask db``: becomes Flask-Migrate's command group (its options, its callback, its
    commands) when the command line names it, before its arguments are parsed."""

    def _adopt(self) -> None:
        from flask_migrate.cli import db as real

        self.params, self.callback, self.commands = real.params, real.callback, real.commands

    def make_context(self, info_name, args, parent=None, **extra):
        self._adopt()
        return super().make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    app.extensions["migrate"] = LazyMigrateConfig(app)
    app.cli.add_command(LazyDbGroup("db", help="Perform database migrations."))
