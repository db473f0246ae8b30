"""Extension objects, created unbound and attached to the app in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from passport.db import Base

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:  # type checkers see the typed declarative base behind db.Model
    Model = Base
else:
    Model = db.Model
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """French unless the visitor chose English (cookie) or only accepts English."""
    chosen = request.cookies.get("lang")
    if chosen in ("fr", "en"):
        return chosen
    return request.accept_languages.best_match(["fr", "en"], default="fr") or "fr"
