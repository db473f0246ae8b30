"""Findings of the outside security review (issue 7, item 6), one test or more each.

The verification-cost finding is in ``tests/trust/test_verify_limits.py``.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import os
import secrets
import types
from pathlib import Path

import pytest

from config import Config
from passport import create_app
from passport.sharing import logfilter
from passport.sharing.limits import SHARE_CREATION_RATE
from passport.startup import StartupError
from tests import factories
from tests.conftest import make_app
from tests.sharing.world import build_world, make_share
from tests.sharing_web.helpers import CUSTOM_FORM, DEFAULT_SHARE
from tests.web import login, submit

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = secrets.token_urlsafe(32)
STRONG_KEYS = "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class ProductionConfig(Config):
    ENV_NAME = "production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PUBLIC_URL = "https://passeport.example.fr"
    SECRET_KEY = STRONG_SECRET
    ENCRYPTION_KEYS = STRONG_KEYS
    REDIS_URL = None


@pytest.fixture
def one_worker(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)


# --- password-reset tokens: out of the logs, never cached --------------------------------


RESET_TOKEN = "eyJ1c2VyIjoxLCJ2IjoiYWJjIn0.Z1x2Yw.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_reset_tokens_are_masked_in_request_logs(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s',
        "127.0.0.1",
        "20/May/2026",
        f"GET /mot-de-passe/{RESET_TOKEN} HTTP/1.1",
        200,
        "-",
    )
    assert RESET_TOKEN not in caplog.text
    assert "/mot-de-passe/[masqué]" in caplog.text
    assert logfilter.redact("POST /mot-de-passe-oublie HTTP/1.1") == (
        "POST /mot-de-passe-oublie HTTP/1.1"
    )


def test_reset_pages_are_not_stored_nor_referred(app, client, ctx):
    from passport.accounts.services import make_reset_token

    user = factories.holder("reset@example.org")
    token = make_reset_token(user)
    for path in (f"/mot-de-passe/{token}", "/mot-de-passe/not-a-token", "/mot-de-passe-oublie"):
        r = client.get(path)
        assert r.headers["Cache-Control"] == "no-store", path
        assert r.headers["Referrer-Policy"] == "no-referrer", path
    r = submit(
        client,
        f"/mot-de-passe/{token}",
        {"password": "a new long password", "confirm": "a new long password"},
    )
    assert r.status_code == 302 and r.headers["Cache-Control"] == "no-store"


# --- an untrusted Host header ------------------------------------------------------------


def test_untrusted_host_answers_400_with_a_page(database_url, tmp_path):
    app = make_app(database_url, tmp_path, TRUSTED_HOSTS=["passeport.example.fr"])
    client = app.test_client()
    r = client.get("/", headers={"Host": "evil.example", "Accept": "text/html"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "La demande n&#39;a pas pu être comprise." in page
    assert page.startswith("<!doctype html>")
    assert '<html lang="fr">' in page
    assert client.get("/", headers={"Host": "passeport.example.fr"}).status_code == 200
    api = client.get("/api/v1/structures", headers={"Host": "evil.example"})
    assert api.status_code == 400 and api.mimetype == "application/problem+json"


# --- production: several workers need a shared rate-limit storage ------------------------


def test_production_refuses_several_workers_without_redis(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(StartupError, match="4 workers without REDIS_URL"):
        create_app(ProductionConfig)
    # With Redis the counters are shared: it starts.
    app = create_app(ProductionConfig, {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"})
    assert app.config["ENV_NAME"] == "production"


def test_production_with_one_worker_may_keep_limits_in_memory(one_worker):
    assert create_app(ProductionConfig).config["RATELIMIT_STORAGE_URI"] == "memory://"


def _gunicorn_hook():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.on_starting


def test_gunicorn_refuses_several_workers_without_redis(monkeypatch, capsys):
    """``gunicorn -w 4 wsgi:app`` (no WEB_CONCURRENCY): the hook sees the worker count."""
    monkeypatch.setenv("PASSPORT_ENV", "production")
    monkeypatch.delenv("REDIS_URL", raising=False)
    server = types.SimpleNamespace(cfg=types.SimpleNamespace(workers=4))
    with pytest.raises(SystemExit):
        _gunicorn_hook()(server)
    assert "REDIS_URL" in capsys.readouterr().err
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    _gunicorn_hook()(server)  # starts
    monkeypatch.delenv("REDIS_URL")
    _gunicorn_hook()(types.SimpleNamespace(cfg=types.SimpleNamespace(workers=1)))


# --- production: strong SECRET_KEY and ENCRYPTION_KEYS -----------------------------------


@pytest.mark.parametrize(
    "weak",
    ["abc", "x" * 64, "changeme-changeme-changeme", "0123456789abcdef" * 2],
)
def test_production_refuses_a_weak_secret_key(one_worker, weak):
    with pytest.raises(StartupError, match="SECRET_KEY is too weak") as raised:
        create_app(ProductionConfig, {"SECRET_KEY": weak})
    assert "secrets.token_urlsafe(32)" in str(raised.value)  # the command that makes one


@pytest.mark.parametrize(
    "strong",
    [
        secrets.token_urlsafe(32),
        secrets.token_hex(32),
        base64.b64encode(os.urandom(32)).decode(),
    ],
)
def test_production_accepts_32_random_bytes(one_worker, strong):
    assert create_app(ProductionConfig, {"SECRET_KEY": strong}).config["SECRET_KEY"] == strong


@pytest.mark.parametrize(
    "weak",
    [
        "k1:" + "A" * 43,  # 32 zero bytes
        "k1:" + base64.urlsafe_b64encode(b"abcd" * 8).decode().rstrip("="),
        f"{STRONG_KEYS},k0:" + "A" * 43,  # an older key as weak
    ],
)
def test_production_refuses_weak_encryption_keys(one_worker, weak):
    with pytest.raises(StartupError, match="ENCRYPTION_KEYS") as raised:
        create_app(ProductionConfig, {"ENCRYPTION_KEYS": weak})
    assert "os.urandom(32)" in str(raised.value)


def test_readme_says_how_to_generate_the_keys():
    readme = (ROOT / "README.md").read_text()
    assert "secrets.token_urlsafe(32)" in readme and "os.urandom(32)" in readme


# --- flask demo ---------------------------------------------------------------------------


def test_demo_refuses_to_run_in_production(one_worker):
    app = create_app(ProductionConfig)
    with app.app_context():  # as the flask command does
        result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output


# --- one email normalisation for the site and the API ------------------------------------

NFC = "l\u00e9a.martin@example.org"
NFD = "le\u0301a.martin@example.org"
FULL_WIDTH = "\uff4c\uff45\uff41.martin@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org"  # ｌｅａ


def _web_register(client, email: str):
    return submit(
        client,
        "/inscription",
        {
            "full_name": "Léa Martin",
            "email": email,
            "password": factories.PASSWORD,
            "confirm": factories.PASSWORD,
        },
    )


def _api_register(client, email: str):
    body = {"email": email, "password": factories.PASSWORD, "full_name": "Léa Martin"}
    return client.post("/api/v1/accounts", json=body)


@pytest.mark.parametrize(("web", "api"), [(NFD, NFC), (NFC, NFD)])
def test_web_and_api_registrations_agree_on_accents(app, client, web, api):
    assert _web_register(client, web).status_code == 302
    assert _api_register(app.test_client(), api).status_code == 409


def test_api_then_web_registration_is_a_duplicate(app, client):
    assert _api_register(client, NFD).status_code == 201
    r = _web_register(app.test_client(), NFC)
    assert r.status_code == 200
    assert "Un compte existe déjà avec cette adresse." in r.get_data(as_text=True)


def test_full_width_letters_are_the_usual_address(app, client):
    assert _web_register(client, FULL_WIDTH).status_code == 302
    assert _api_register(app.test_client(), "lea.martin@example.org").status_code == 409
    r = app.test_client().post(
        "/api/v1/auth/token",
        json={"email": "LEA.martin@example.org", "password": factories.PASSWORD},
    )
    assert r.status_code == 201


# --- share creation is rate-limited (each passcode costs an argon2 hash) -----------------

PER_MINUTE = int(SHARE_CREATION_RATE.split()[0])


def test_share_creation_is_rate_limited_in_the_api(app, client):
    world = build_world(app)
    for _ in range(PER_MINUTE):
        make_share(client, world, passcode="1234")
    r = client.post(
        "/api/v1/me/shares",
        json={
            "sections": ["profile"],
            "permissions": ["read"],
            "expires_in_days": 30,
            "passcode": "1234",
        },
        headers=world.holder,
    )
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json" and "Retry-After" in r.headers
    # The budget is the holder's: another holder still creates shares.
    other = client.post(
        "/api/v1/me/shares",
        json={"sections": ["profile"], "permissions": ["read"], "expires_in_days": 30},
        headers=world.other_holder,
    )
    assert other.status_code == 201


def test_share_creation_shares_one_budget_between_site_and_api(app, client, ctx):
    user = factories.holder("budget@example.org")
    api = factories.bearer(factories.token(user))
    body = {
        "sections": ["profile"],
        "permissions": ["read"],
        "expires_in_days": 30,
        "passcode": "1234",
    }
    for _ in range(PER_MINUTE - 1):
        assert client.post("/api/v1/me/shares", json=body, headers=api).status_code == 201
    login(client, "budget@example.org")
    assert (
        submit(client, "/partages/nouveau", dict(DEFAULT_SHARE), form_url=CUSTOM_FORM).status_code
        == 302
    )
    r = submit(client, "/partages/nouveau", dict(DEFAULT_SHARE), form_url=CUSTOM_FORM)
    assert r.status_code == 429
    assert "Trop de tentatives" in r.get_data(as_text=True)
    assert client.get("/partages/nouveau").status_code == 200  # reading the form is free
