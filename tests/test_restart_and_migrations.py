"""The schema comes from the migrations, and a restart loses nothing."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from config import TestingConfig
from passport import create_app
from passport.extensions import db
from passport.records import services as records
from passport.sharing.partitions import include_name
from tests import factories
from tests.conftest import PG_URL, _pg_admin_url


class LaptopConfig(TestingConfig):
    """Like a developer's laptop: no SECRET_KEY in the environment."""

    SECRET_KEY = None


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables at all (a new PostgreSQL database, or a new SQLite file)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin = _pg_admin_url(PG_URL)
    name = f"passport_mig_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _app(config, url, tmp_path):
    app = create_app(
        config, {"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX": str(tmp_path / "outbox")}
    )
    return app


def test_migrations_build_exactly_the_models_schema(empty_database_url, tmp_path):
    app = _app(TestingConfig, empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": include_name}
                ),
                db.metadata,
            )
        db.engine.dispose()
    assert diff == []


def test_restart_loses_nothing(empty_database_url, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    first = _app(LaptopConfig, empty_database_url, tmp_path)
    assert (instance / "secret_key").exists()
    with first.app_context():
        upgrade()
        user = factories.holder("lea@example.org")
        structure = factories.structure("ML-R")
        token = factories.token(user)
        db.engine.dispose()
    client = first.test_client()
    headers = factories.bearer(token)
    assert (
        client.post(
            "/api/v1/me/trainings", json={"title": "CAP", "status": "planned"}, headers=headers
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/me/cpf", json={"as_of": "2026-01-02", "balance_eur": 321.09}, headers=headers
        ).status_code
        == 201
    )
    with first.app_context():
        from passport.passports import services as passports

        passport = passports.passport_of(db.session.merge(user))
        records.record_reception(
            db.session.merge(structure),
            passport.id,
            date=__import__("datetime").date(2026, 5, 20),
            channel="in_person",
            needs=["vae"],
            summary="Texte chiffré au repos",
        )
        db.session.commit()
        before = client.get("/api/v1/me/passport", headers=headers).get_json()
        db.session.remove()
        db.engine.dispose()

    second = _app(LaptopConfig, empty_database_url, tmp_path)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    after = second.test_client().get("/api/v1/me/passport", headers=headers).get_json()
    assert after == before
    assert after["receptions"][0]["summary"] == "Texte chiffré au repos"
    assert after["cpf"]["balance_eur"] == 321.09
    with second.app_context():
        db.engine.dispose()
