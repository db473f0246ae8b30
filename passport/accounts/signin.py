"""The end of every login (password alone, or password then second factor), and where each
role lands afterwards.

``complete_login`` is the one place that turns a checked user into a logged-in session:
anything that must happen at each login (a session record, a device cookie) goes there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, session, url_for
from flask_login import login_user

from passport.accounts.models import Role, User

#: Where each role lands, first existing path first (pages of other features are found by
#: their path, so that this module does not import them). The holder always has a passport.
HOMES: dict[str, tuple[str, ...]] = {
    Role.ADVISOR: ("/espace",),
    Role.STRUCTURE_ADMIN: ("/structure/equipe", "/structure", "/structure/cles-api", "/espace"),
    Role.COORDINATOR: ("/indicateurs",),
    Role.ADMIN: ("/admin", "/indicateurs"),
}

#: Session key: the ``next=`` page a login sends to (see ``no_403_after_login``).
JUST_LOGGED_IN = "login_next"


def _get_paths() -> dict[str, str]:
    """``{path: endpoint}`` of the app's GET routes without arguments (built once per app)."""
    paths = current_app.extensions.get("passport_get_paths")
    if paths is None:
        paths = {
            rule.rule.rstrip("/") or "/": rule.endpoint
            for rule in current_app.url_map.iter_rules()
            if not rule.arguments and "GET" in (rule.methods or ())
        }
        current_app.extensions["passport_get_paths"] = paths
    return paths


def home_for(user: User) -> str:
    """The URL of the page a user lands on after logging in, by role (never a 403)."""
    if user.is_holder:
        return url_for("passports.overview")
    paths = _get_paths()
    for path in HOMES.get(user.role, ()):
        endpoint = paths.get(path.rstrip("/") or "/")
        if endpoint:
            return url_for(endpoint)
    return url_for("main.home")


def complete_login(user: User, remember: bool = False, next_url: str | None = None) -> str:
    """Log ``user`` in on this browser (credentials and second factor already checked);
    returns where to send them: ``next_url`` if it is a path of this site, else their home."""
    from passport.accounts.throttle import trust_this_browser
    from passport.urls import safe_next

    login_user(user, remember=remember)
    trust_this_browser(user.email)
    target = safe_next(next_url)
    if target:
        session[JUST_LOGGED_IN] = urlsplit(target).path
        return target
    session.pop(JUST_LOGGED_IN, None)
    return home_for(user)


def no_403_after_login(response):
    """``after_request``: the ``next=`` page of a login is never a 403 (a page of another
    role, say): the user is sent to their home instead."""
    if not g.get("after_login"):
        return response
    from flask import redirect, request
    from flask_login import current_user

    if (
        response.status_code == 403
        and request.method == "GET"
        and current_user.is_authenticated
        and not request.path.startswith("/api/")
    ):
        return redirect(home_for(current_user))
    return response


def mark_first_request() -> None:
    """``before_request``: whether this request is the first after a login, to its ``next``."""
    from flask import request

    if request.endpoint != "static" and JUST_LOGGED_IN in session:
        g.after_login = session.pop(JUST_LOGGED_IN) == request.path
