"""Behind pgbouncer in transaction mode (DATABASE_PGBOUNCER): no server-side prepared
statements, whichever server connection a transaction gets. CI runs tests/api through a real
pgbouncer (scripts/pgbouncer.sh); these check the setting itself."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from config import TestingConfig
from passport import create_app
from passport.extensions import db


def _app(database_url, tmp_path, pgbouncer: bool):
    uri = database_url or "postgresql://postgres@127.0.0.1:5432/postgres"
    return create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "DATABASE_PGBOUNCER": pgbouncer,
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
        },
    )


def test_the_setting_turns_off_prepared_statements(database_url, tmp_path):
    options = _app(database_url, tmp_path, True).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["prepare_threshold"] is None
    assert options["pool_pre_ping"] is True
    plain = _app(database_url, tmp_path, False).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "prepare_threshold" not in plain.get("connect_args", {})


def test_the_environment_names_it(monkeypatch):
    monkeypatch.setenv("DATABASE_PGBOUNCER", "1")
    import importlib

    import config

    assert importlib.reload(config).Config.DATABASE_PGBOUNCER is True
    monkeypatch.delenv("DATABASE_PGBOUNCER")
    assert importlib.reload(config).Config.DATABASE_PGBOUNCER is False


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_a_query_run_often_is_never_prepared_on_the_server(database_url, tmp_path):
    app = _app(database_url, tmp_path, True)
    with app.app_context():
        with db.engine.connect() as conn:
            for i in range(10):
                assert conn.execute(text("SELECT :i + 1"), {"i": i}).scalar_one() == i + 1
            prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar_one() == 0
        db.engine.dispose()
