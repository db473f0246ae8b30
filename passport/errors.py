"""Errors answered as RFC 9457 problem details (API) or as a French HTML page (site)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from passport.records.chain import PassportGone

PROBLEM_TYPE = "about:blank"


class Problem(Exception):
    """An error to answer as problem details; raised by the API and by services' callers."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
        type_: str = PROBLEM_TYPE,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail or title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}
        self.type = type_


def problem_response(problem: Problem):
    body = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def has_url_adapter() -> bool:
    """Whether ``url_for`` can build URLs in this request (false when the request could not
    be bound to a host, e.g. an untrusted ``Host`` header)."""
    from flask.globals import request_ctx

    return request_ctx.url_adapter is not None


def wants_json() -> bool:
    """API paths always answer JSON; elsewhere, what the client asks for."""
    if request.path.startswith(("/api/", "/.well-known/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def register(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        if wants_json():
            return problem_response(exc)
        return render_template("error.html", status=exc.status, message=exc.detail), exc.status

    @app.errorhandler(PassportGone)
    def _passport_gone(exc: PassportGone):
        from passport.extensions import db

        db.session.rollback()
        detail = "This passport has been erased by its holder."
        if wants_json():
            return problem_response(Problem(410, "Gone", detail))
        message = _("Ce passeport a été effacé par son titulaire.")
        return render_template("error.html", status=410, message=message), 410

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # A value the database refuses (out of range, bad encoding) that the edge did not
        # catch: the client's input, not a server fault. Logged so that the edge is fixed.
        from passport.extensions import db

        db.session.rollback()
        app.logger.warning("database refused a value: %s", exc.orig)
        if wants_json():
            return problem_response(Problem(400, "Bad Request", "A value is out of range."))
        return render_template("error.html", status=400, message=_http_message(400)), 400

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = _(
            "La page a expiré ou le formulaire n'est pas valide. Rechargez la page et recommencez."
        )
        if wants_json():
            return problem_response(Problem(400, "CSRF token missing or invalid", exc.description))
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            problem = Problem(status, exc.name, exc.description)
            if status == 429:
                problem.detail = "Too many requests; retry later."
                retry = exc.get_response().headers.get("Retry-After")
                problem.headers["Retry-After"] = retry or "60"
            elif status == 405 and exc.get_response().headers.get("Allow"):
                problem.headers["Allow"] = exc.get_response().headers["Allow"]
            return problem_response(problem)
        response = exc.get_response()
        if not has_url_adapter():
            # Not routed at all (an untrusted Host under TRUSTED_HOSTS): no URL can be built.
            html = render_template("error_bare.html", status=status, message=_http_message(status))
            return html, status
        html = render_template("error.html", status=status, message=_http_message(status))
        return (
            html,
            status,
            {k: v for k, v in response.headers.items() if k in ("Retry-After", "Allow")},
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        from passport.extensions import db

        db.session.rollback()
        if wants_json():
            return problem_response(
                Problem(500, "Internal Server Error", "An unexpected error occurred.")
            )
        template = "error.html" if has_url_adapter() else "error_bare.html"
        return render_template(template, status=500, message=_http_message(500)), 500


def _http_message(status: int) -> str:
    messages = {
        400: _("La demande n'a pas pu être comprise."),
        401: _("Vous devez vous connecter."),
        403: _("Vous n'avez pas accès à cette page."),
        404: _("Cette page n'existe pas ou plus."),
        405: _("Cette action n'est pas possible ici."),
        410: _("Ce lien n'est plus valable."),
        413: _("Le contenu envoyé est trop volumineux."),
        423: _("Ce lien est verrouillé."),
        429: _("Trop de tentatives. Patientez une minute puis réessayez."),
        500: _("Une erreur inattendue s'est produite. Réessayez dans un instant."),
    }
    return messages.get(status, _("Une erreur s'est produite."))
