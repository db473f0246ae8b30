"""The JSON API under /api/v1 (contract: shared/API.md).

``bp`` is defined here and every endpoint module adds its routes to it; ``passport.api.routes``
imports those modules, and ``create_app`` registers the blueprint from there (so that this
package never imports its own endpoint modules: no import cycle).
"""

from __future__ import annotations

from flask import Blueprint

from passport.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for CSRF to protect
