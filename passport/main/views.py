"""Home page, language switch and ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from passport.api.openapi import doc
from passport.extensions import db
from passport.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """What the passport is, in plain words, and where to start."""
    if current_user.is_authenticated and current_user.is_holder:
        return redirect(url_for("passports.overview"))
    return render_template("main/home.html")


@bp.post("/langue")
def set_language():
    """Remember the chosen language in a cookie and go back where the visitor was."""
    lang = request.form.get("lang", "fr")
    response = redirect(safe_next(request.form.get("next")) or url_for("main.home"))
    if lang in ("fr", "en"):
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
@doc("Health check: one round trip to the database", responses={200: None, 503: None}, auth=False)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
