"""The coordinator's first page (``/indicateurs``): the barometer of needs of the last year.

A first page so that coordinators (and admins) land on something useful after login; the
dashboard is its own work (issue "indicators") and replaces this page.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from passport.accounts.models import Role
from passport.db import today_local
from passport.indicators import services as indicators

bp = Blueprint("indicators", __name__)

READERS = frozenset({Role.COORDINATOR, Role.ADMIN})


def readers_only(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role not in READERS:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/indicateurs")
@readers_only
def index():
    """Receptions of the last 365 days by need (no count under 5 is shown)."""
    end = today_local()
    start = end - timedelta(days=365)
    return render_template(
        "indicators/index.html",
        start=start,
        end=end,
        barometer=indicators.barometer(start, end),
    )
