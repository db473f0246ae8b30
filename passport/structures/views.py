"""HTML views of the structures feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("structures", __name__)
