"""Fixtures: an app on a fresh database (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from passport import create_app
from passport.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _pg_admin_url(url: str):
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this run's own: a new PostgreSQL database, or None for SQLite."""
    if not PG_URL:
        yield None
        return
    admin = _pg_admin_url(PG_URL)
    name = f"passport_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def make_app(database_url, tmp_path, **overrides):
    """An application on the test database (a new SQLite file when not PostgreSQL)."""
    uri = database_url or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "SQLALCHEMY_DATABASE_URI": uri,
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "SERVER_NAME": None,
        **overrides,
    }
    app = create_app(TestingConfig, config)
    app.instance_path = str(tmp_path / "instance")
    return app


def _reset(app, database_url) -> None:
    with app.app_context():
        if database_url:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh application context, as in production.

    The ``ctx`` fixture keeps an application context pushed for the whole test, and Flask
    reuses a pushed context for requests: ``g`` (the current user, the API caller) and the
    database session would then leak from one request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    app.test_client_class = IsolatedClient
    _reset(app, database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for calling services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements sent."""

    @contextmanager
    def counter():
        class Counter:
            count = 0
            statements: list[str] = []

        c = Counter()
        c.statements = []

        def before(conn, cursor, statement, *args):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|PRAGMA)", statement, re.I):
                c.count += 1
                c.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield c
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
