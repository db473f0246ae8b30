"""The JSON API under /api/v1 (contract: shared/API.md)."""

from __future__ import annotations

from flask import Blueprint

from passport.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for CSRF to protect

from passport.api import (  # noqa: E402, F401  (registers the routes)
    accounts,
    indicators,
    me,
    openapi,
    shares,
    structures,
    trust,
)
