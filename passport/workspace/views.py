"""HTML views of the workspace feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workspace", __name__)
