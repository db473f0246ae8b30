"""Configuration from the environment: production guards, SQLite defaults, shared rate limits."""

from __future__ import annotations

import base64
import os
import secrets
import uuid

import pytest

from config import Config, TestingConfig
from passport import create_app
from passport.trust.encryption import KeyringError

STRONG = secrets.token_urlsafe(32)


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = None
    ENCRYPTION_KEYS = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_to_start_without_public_url():
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app(ProductionConfig, {"SECRET_KEY": STRONG})


def test_production_refuses_to_start_without_encryption_keys():
    with pytest.raises(KeyringError, match="ENCRYPTION_KEYS"):
        create_app(ProductionConfig, {"SECRET_KEY": STRONG, "PUBLIC_URL": "https://p.example"})


def test_production_sets_secure_cookies_and_hsts():
    key = "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    app = create_app(
        ProductionConfig,
        {
            "SECRET_KEY": STRONG,
            "ENCRYPTION_KEYS": key,
            "SESSION_COOKIE_SECURE": True,
            "PUBLIC_URL": "https://passeport.example.fr",
        },
    )
    with app.app_context():
        from passport.extensions import db

        db.create_all()
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_postgres_urls_use_psycopg_3(tmp_path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "postgres://u:p@db/passport"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/passport"


def test_sqlite_default_lives_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))

    class Laptop(TestingConfig):
        SQLALCHEMY_DATABASE_URI = None

    app = create_app(Laptop)
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'inst' / 'passport.sqlite3'}"
    )
    from passport.extensions import db

    with app.app_context():
        db.create_all()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")
def test_rate_limits_are_shared_between_workers_through_redis(tmp_path):
    """Two app instances (two gunicorn workers) share one Redis: the limit counts across both."""
    from passport.extensions import db

    def worker():
        app = create_app(
            TestingConfig,
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
                "REDIS_URL": REDIS_URL,
                "RATELIMIT_STORAGE_URI": REDIS_URL,
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            },
        )
        with app.app_context():
            db.create_all()
        return app

    first = worker()
    second = worker()
    second.config["RATELIMIT_KEY_PREFIX"] = first.config["RATELIMIT_KEY_PREFIX"]
    from passport.extensions import limiter

    assert "redis" in type(limiter.storage).__name__.lower()
    body = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = []
    for i in range(12):
        app = first if i % 2 == 0 else second
        statuses.append(app.test_client().post("/api/v1/auth/token", json=body).status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    # The counters live in Redis, where every worker process reads them.
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys("*" + first.config["RATELIMIT_KEY_PREFIX"] + "*")
    assert keys


def test_links_in_mails_come_from_public_url_not_from_the_host_header(tmp_path):
    from email import message_from_bytes
    from pathlib import Path

    from passport.extensions import db
    from tests import factories
    from tests.mailbox import burst
    from tests.web import submit

    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
            "PUBLIC_URL": "https://passeport.example.fr",
        },
    )
    with app.app_context():
        db.create_all()
        factories.holder("victim@example.org")
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "evil.example"  # a forged Host header
    r = submit(client, "/mot-de-passe-oublie", {"email": "victim@example.org"})
    assert r.status_code == 302
    burst(app.test_cli_runner())
    (mail,) = [message_from_bytes(p.read_bytes()) for p in Path(tmp_path / "outbox").glob("*.eml")]
    body = mail.get_payload(decode=True).decode()
    assert "https://passeport.example.fr/mot-de-passe/" in body
    assert "evil.example" not in body


def test_proxy_fix_trusts_the_configured_number_of_proxies(tmp_path):
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}", "PROXY_FIX_HOPS": 1},
    )

    @app.get("/_whoami")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    r = app.test_client().get(
        "/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert r.get_json() == {"addr": "203.0.113.9", "scheme": "https"}
