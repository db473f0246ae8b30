"""Passeport SPRO: the application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config


def create_app(config_class: type[Config] = Config, overrides: dict | None = None) -> Flask:
    """Build and configure an application instance.

    ``overrides`` are applied after the configuration class (tests use it for a temporary
    database). Nothing is read from or written to the database here.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = PassportRequest
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    _fill_instance_defaults(app)

    hops = app.config.get("PROXY_FIX_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security_headers(app)
    from passport import templating

    templating.register(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    """Embedded defaults for a laptop: an SQLite file and a generated secret in ``instance/``."""
    from passport import startup

    production = app.config.get("ENV_NAME") == "production"
    if production:
        startup.check_secret_key(app.config.get("SECRET_KEY"))
    if not app.config.get("SECRET_KEY"):
        os.makedirs(app.instance_path, exist_ok=True)
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if production and not app.config.get("PUBLIC_URL"):
        raise RuntimeError("PUBLIC_URL must be set in production (links in mails and QR codes)")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        db_path = Path(app.instance_path) / "passport.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # Heroku-style URLs
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    elif uri.startswith("postgresql+psycopg:") and app.config.get("DATABASE_PGBOUNCER"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("MAIL_OUTBOX"):
        app.config["MAIL_OUTBOX"] = str(Path(app.instance_path) / "outbox")
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if production:
        startup.check_production(app.config)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from flask_login import user_logged_in

    import passport.models  # noqa: F401  (every table in the metadata)
    from passport import migrations_cli
    from passport.accounts.sessions import commit_new_session, load_user, remember_session
    from passport.extensions import babel, csrf, db, limiter, login_manager, select_locale
    from passport.indicators import aggregates
    from passport.notifications import queue
    from passport.security import Passwords
    from passport.trust.encryption import build_keyring

    db.init_app(app)
    migrations_cli.init_app(app)  # Flask-Migrate itself only when a migration is asked for
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    queue.init_app(app)
    aggregates.init_app(app)  # a structure's change of group recounts its records
    app.after_request(commit_new_session)

    @app.before_request
    def _load_user_first():
        """Load the user (and touch their session record) before any view writes."""
        from flask import session
        from flask_login import current_user

        if "_user_id" in session:
            current_user._get_current_object()

    def _remembered(_sender, user, **_extra):
        from flask import session

        if session.get("_remember") == "set":
            remember_session(user)

    user_logged_in.connect(_remembered, app, weak=False)
    app.extensions["passport_keyring"] = build_keyring(app.config)
    app.extensions["passport_passwords"] = Passwords(**app.config.get("ARGON2_PARAMS", {}))

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def register_blueprints(app: Flask) -> None:
    from passport.accounts.settings import bp as account_bp
    from passport.accounts.views import bp as accounts_bp
    from passport.admin.views import bp as admin_bp
    from passport.admin.views import team_bp
    from passport.api.routes import bp as api_bp
    from passport.cpf.views import bp as cpf_bp
    from passport.directory.views import bp as directory_bp
    from passport.indicators.views import bp as indicators_bp
    from passport.legal import bp as legal_bp
    from passport.main import bp as main_bp
    from passport.mfa.views import bp as mfa_bp
    from passport.notifications.views import bp as notifications_bp
    from passport.passports.views import bp as passports_bp
    from passport.sharing.views import bp as sharing_bp
    from passport.structures.views import bp as structures_bp
    from passport.trust.views import bp as trust_bp
    from passport.workspace import (
        correction_views,  # noqa: F401  (corrections, attested CPF)
        desk_views,  # noqa: F401  (the desk's routes on workspace_bp)
    )
    from passport.workspace.views import bp as workspace_bp

    for blueprint in (
        main_bp,
        legal_bp,
        accounts_bp,
        account_bp,
        admin_bp,
        team_bp,
        passports_bp,
        sharing_bp,
        workspace_bp,
        structures_bp,
        directory_bp,
        indicators_bp,
        trust_bp,
        notifications_bp,
        cpf_bp,
        mfa_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    from passport.accounts.signin import mark_first_request, no_403_after_login

    app.before_request(mark_first_request)
    app.after_request(no_403_after_login)


def register_errorhandlers(app: Flask) -> None:
    from passport.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from passport.cli import register

    register(app)


#: Endpoints that receive an export bundle (up to ``verify.MAX_BUNDLE_BYTES``).
BUNDLE_ENDPOINTS = frozenset({"api.verify", "trust.verify_page"})


class PassportRequest(Request):
    """Export bundles may reach 20 MiB (API.md); every other body stays under
    ``MAX_CONTENT_LENGTH``. Decided by the matched endpoint, before any hook (CSRF, the NUL
    check) reads the body."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint in BUNDLE_ENDPOINTS:
            from passport.trust.verify import MAX_BUNDLE_BYTES

            return MAX_BUNDLE_BYTES
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def register_security_headers(app: Flask) -> None:
    from flask_login import current_user

    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.before_request
    def _refuse_nul_bytes():
        """NUL is never meaningful in this app's text, and PostgreSQL refuses it in text
        columns: answer 400 at the edge instead of failing in the database."""
        from flask import abort, request

        fields = (request.args, request.form)
        if "\x00" in request.path or any(
            "\x00" in value for data in fields for _, value in data.items(multi=True)
        ):
            abort(400)
        # A PDF (an export sent to POST /api/v1/verify) is binary; nothing of it is stored.
        if (request.is_json or request.path.startswith("/api/")) and request.mimetype != (
            "application/pdf"
        ):
            body = request.get_data(cache=True)
            if b"\x00" in body or b"\\u0000" in body:
                abort(400)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""):
            # Older browsers' equivalent; a page framable by some origins (the finder's
            # embeddable version) says so in its own CSP.
            response.headers.setdefault("X-Frame-Options", "DENY")
        if (
            "Cache-Control" not in response.headers
            and response.mimetype == "text/html"
            and current_user.is_authenticated
        ):
            # A passport on a shared computer: the Back button must not show it after logout.
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
