"""Settings, read from the environment first.

Nothing here touches the filesystem or the database at import time: the instance-folder
defaults (SQLite file, development secret key) are filled in by ``create_app``.
"""

from __future__ import annotations

import os
from datetime import timedelta


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> tuple[str, ...]:
    return tuple(v.strip() for v in os.environ.get(name, default).split(",") if v.strip())


#: Staff roles that must log in with a second factor in production.
PRODUCTION_MFA_ROLES = "advisor,structure_admin,coordinator,admin"


class Config:
    """Production-minded defaults; every secret comes from the environment."""

    ENV_NAME = os.environ.get("PASSPORT_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Default filled in by create_app: sqlite:///<instance>/passport.sqlite3
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # DATABASE_URL points at pgbouncer in transaction mode: no server-side prepared statements
    # (psycopg prepares a query run 5 times on its connection; behind pgbouncer the next
    # transaction may get another server connection). The app keeps no session state
    # (SET, advisory locks, LISTEN, temporary tables) across transactions.
    DATABASE_PGBOUNCER = _env_bool("DATABASE_PGBOUNCER")
    REDIS_URL = os.environ.get("REDIS_URL")
    # AES-GCM keys for free texts at rest: "kid:base64key,kid2:base64key", newest first.
    # Development derives one from SECRET_KEY; production requires this setting.
    ENCRYPTION_KEYS = os.environ.get("ENCRYPTION_KEYS")

    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: no request body is bigger than that.
    # The site's public address (https://passeport.example.fr): links in mails, share links
    # and QR codes are built from it, never from the request's Host header. Required in
    # production.
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    # Host names the app answers to (Flask >= 3.1), e.g. "passeport.example.fr".
    TRUSTED_HOSTS: list[str] | None = [
        h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
    ] or None
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    # Server-side sessions (passport/accounts/sessions.py): idle timeout by kind of account,
    # absolute lifetime, and how long a holder's "remember me" lasts.
    SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
    SESSION_IDLE_MINUTES_HOLDER = int(os.environ.get("SESSION_IDLE_MINUTES_HOLDER", "120"))
    SESSION_LIFETIME_HOURS = int(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    SESSION_REMEMBER_DAYS = int(os.environ.get("SESSION_REMEMBER_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=SESSION_REMEMBER_DAYS)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True

    # Roles that must log in with a second factor (TOTP or passkey), comma-separated.
    # Production default: every staff role; elsewhere none unless set.
    MFA_REQUIRED_ROLES = _env_list(
        "MFA_REQUIRED_ROLES", PRODUCTION_MFA_ROLES if ENV_NAME == "production" else ""
    )
    # WebAuthn relying party id (a host name); default: the host of PUBLIC_URL, else the
    # request's host (development).
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID")

    API_TOKEN_LIFETIME_HOURS = int(os.environ.get("API_TOKEN_LIFETIME_HOURS", "12"))
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # How long an invitation link to a staff account stays valid (seconds; 7 days).
    INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", str(7 * 24 * 3600)))
    # How long the link that confirms a new email address stays valid (seconds).
    EMAIL_CHANGE_MAX_AGE = int(os.environ.get("EMAIL_CHANGE_MAX_AGE", str(24 * 3600)))

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Passeport SPRO <no-reply@passeport.invalid>")
    # Without MAIL_SERVER, mails are written here (default: <instance>/outbox).
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX")

    # Who runs the service: named in every mail (the law wants the sender identified).
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "Région Centre-Val de Loire (SPRO)")
    # A referral still "sent" after this many working days is recalled to its structure.
    REFERRAL_REMINDER_WORKING_DAYS = int(os.environ.get("REFERRAL_REMINDER_WORKING_DAYS", "3"))
    # Accesses of one structure to one passport less than this apart are one visit (one mail).
    VISIT_MINUTES = int(os.environ.get("VISIT_MINUTES", "30"))
    # The holder is told this many days before a share expires (once per share)...
    SHARE_EXPIRY_NOTICE_DAYS = int(os.environ.get("SHARE_EXPIRY_NOTICE_DAYS", "2"))
    # ...and this many days before an inactive passport is purged (once per purge cycle).
    PURGE_NOTICE_DAYS = int(os.environ.get("PURGE_NOTICE_DAYS", "30"))
    # Background jobs: Redis (REDIS_URL) when set, else SQLite in the instance folder.
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH")
    # Origins allowed to frame the embeddable finder (/trouver/integration), space-separated,
    # e.g. "https://www.etoile.regioncentre.fr". Empty: no site may frame it.
    FINDER_FRAME_ANCESTORS = os.environ.get("FINDER_FRAME_ANCESTORS", "").split()

    # Who runs this instance: the legal notice, personal-data page, accessibility statement
    # and help page (passport/legal) are built from these. Empty means "not provided" on
    # the pages; the .invalid addresses are placeholders that an operator must replace.
    # OPERATOR_NAME (above, also named in every mail) is the publisher.
    OPERATOR_ADDRESS = os.environ.get("OPERATOR_ADDRESS", "")
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", "contact@passeport.invalid")
    OPERATOR_PHONE = os.environ.get("OPERATOR_PHONE", "")
    OPERATOR_SIRET = os.environ.get("OPERATOR_SIRET", "")
    PUBLICATION_DIRECTOR = os.environ.get("PUBLICATION_DIRECTOR", "")
    HOSTING_PROVIDER = os.environ.get("HOSTING_PROVIDER", "")
    HOSTING_ADDRESS = os.environ.get("HOSTING_ADDRESS", "")
    DPO_EMAIL = os.environ.get("DPO_EMAIL", "dpo@passeport.invalid")
    DPO_ADDRESS = os.environ.get("DPO_ADDRESS", "")
    SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "") or OPERATOR_EMAIL
    SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "")
    SUPPORT_HOURS = os.environ.get("SUPPORT_HOURS", "")
    # RGAA 4.1 statement: "none" (non conforme: no audit yet), "partial" or "full"; with an
    # audit, its date (YYYY-MM-DD), its compliance rate (e.g. "62 %") and who made it.
    ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "none")
    ACCESSIBILITY_AUDIT_DATE = os.environ.get("ACCESSIBILITY_AUDIT_DATE", "")
    ACCESSIBILITY_RATE = os.environ.get("ACCESSIBILITY_RATE", "")
    ACCESSIBILITY_AUDITOR = os.environ.get("ACCESSIBILITY_AUDITOR", "")
    ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-12-01")

    RETENTION_PASSPORT_DAYS = int(os.environ.get("RETENTION_PASSPORT_DAYS", str(2 * 365)))
    RETENTION_ACCESS_LOG_DAYS = int(os.environ.get("RETENTION_ACCESS_LOG_DAYS", "365"))


class TestingConfig(Config):
    """Used by the test suite: SQLite in a temporary folder unless TEST_DATABASE_URL is set."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105  # nosec B105  # tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    ENCRYPTION_KEYS = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    RATELIMIT_ENABLED = True
    MFA_REQUIRED_ROLES: tuple[str, ...] = ()  # tests that need it set it
    REDIS_URL = None  # tests that need Redis read TEST_REDIS_URL themselves
    # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
