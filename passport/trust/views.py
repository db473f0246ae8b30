"""HTML views of the trust feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trust", __name__)
