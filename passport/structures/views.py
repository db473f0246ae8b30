"""HTML views of the structures feature, and the public JWKS.

- ``GET /.well-known/jwks.json``: every structure's Ed25519 public keys, current and retired,
  so that anyone can check a record's signature with any JOSE library.
- ``/structure/cles-api``: the structure admin's API keys: list, create (the secret is shown
  once, on the answer to the POST), revoke after a confirmation.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.extensions import db
from passport.sharing import policy
from passport.structures import services as structures
from passport.structures.forms import ApiKeyForm, ConfirmForm
from passport.trust.signing import published_jwks

bp = Blueprint("structures", __name__)


@bp.get("/.well-known/jwks.json")
def jwks_document():
    """The JWK Set of every structure's signing keys and the service's (public halves only)."""
    response = jsonify(published_jwks())
    response.mimetype = "application/jwk-set+json"
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _managed_structure():
    """The structure whose keys the logged-in user manages, or 403."""
    structure = current_user.structure if current_user.is_authenticated else None
    if structure is None or not policy.can(current_user, policy.Action.APIKEY_MANAGE, structure):
        abort(403)
    return structure


def _no_store(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/structure/cles-api", methods=["GET", "POST"])
@login_required
def api_keys():
    """The structure's keys; a POST creates one and shows its secret this once."""
    structure = _managed_structure()
    form = ApiKeyForm()
    secret = None
    new_key = None
    if form.validate_on_submit():
        secret, new_key = structures.create_api_key(structure, form.label.data)
        db.session.commit()
        form = ApiKeyForm(formdata=None)
    status = 422 if form.errors else 200
    html = render_template(
        "structures/api_keys.html",
        structure=structure,
        keys=structures.api_keys_of(structure),
        form=form,
        secret=secret,
        new_key=new_key,
    )
    return _no_store(html, status)


@bp.route("/structure/cles-api/<int:key_id>/revoquer", methods=["GET", "POST"])
@login_required
def revoke_api_key(key_id: int):
    """Confirm, then revoke: the key answers 401 from then on."""
    structure = _managed_structure()
    key = structures.get_api_key(structure, key_id)
    if key is None:
        abort(404)
    form = ConfirmForm()
    if key.revoked_at is not None:
        flash(_("Cette clé est déjà révoquée."), "info")
        return redirect(url_for("structures.api_keys"))
    if form.validate_on_submit():
        structures.revoke_api_key(key)
        db.session.commit()
        message = _("La clé %(p)s est révoquée : elle ne permet plus aucun accès.", p=key.prefix)
        flash(message, "success")
        return redirect(url_for("structures.api_keys"))
    return render_template("structures/api_key_revoke.html", key=key, form=form)
