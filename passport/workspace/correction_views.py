"""Corrections in the workspace, and the CPF statements a structure attests.

- ``/espace/partages/<id>/cpf``: attest a CPF statement (read with the person) through a
  share that permits ``append``.
- ``/espace/partages/<id>/corriger/<kind>/<record_id>``: rectify or withdraw a record the
  structure wrote, through a share that permits ``append``; a confirmation page comes
  before the write (the correction is signed and cannot be undone).
- ``/espace/demandes-de-correction``: the holders' requests to the structure (RGPD right to
  rectification); from a request the structure corrects that record without a share (the
  request is the holder's consent for it), or closes the request.

Routes of the ``workspace`` blueprint (registered by importing this module).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from passport.extensions import db
from passport.forms import ONCE_FIELD, issue_once, spend_once
from passport.passports.forms import CpfForm, TrainingForm
from passport.passports.models import Rectified
from passport.records import requests as correction_requests
from passport.records import services as records
from passport.sharing import policy
from passport.workspace.forms import (
    CorrectionForm,
    ReceptionForm,
    ReferralCorrectionForm,
)
from passport.workspace.views import (
    _append_page,
    _load_share,
    _quiet_check,
    _reopen,
    bp,
    page_arg,
    shown_name,
    staff_required,
)

# ===================================================================== attested CPF


@bp.route("/espace/partages/<int:share_id>/cpf", methods=["GET", "POST"])
@staff_required
def add_cpf(share_id: int):
    """A CPF statement attested by the structure (e.g. read on the person's account)."""

    def write(grant, form):
        records.attest_cpf(
            grant.structure,
            grant.passport.id,
            advisor=grant.advisor,
            as_of=form.as_of.data,
            balance_eur=form.balance_eur.data,
            dif_hours=form.dif_hours.data,
        )

    return _append_page(
        share_id,
        CpfForm(),
        "workspace/cpf_form.html",
        write,
        _("Relevé CPF attesté et signé par %(s)s.", s=g.structure.name),
    )


# ===================================================================== corrections

#: Prefix of the fields of the new values, beside the correction's own fields.
VALUES_PREFIX = "new"


def _values_form(record):
    """The form of the record's kind, prefilled with its values (rectify only)."""
    options = {"prefix": VALUES_PREFIX, "meta": {"csrf": False}}
    if request.method == "GET":
        options["obj"] = record
    if record.kind == "reception":
        return ReceptionForm(**options)
    if record.kind == "training":
        return TrainingForm(**options)
    if record.kind == "cpf_statement":
        if request.method == "GET":
            options["balance_eur"] = record.balance
        return CpfForm(**options)
    return ReferralCorrectionForm(**options)


def _new_values(form, kind: str) -> dict:
    if kind == "cpf_statement":
        return {
            "as_of": form.as_of.data,
            "balance_eur": form.balance_eur.data,
            "dif_hours": form.dif_hours.data,
        }
    return form.values()


def _resent_fields() -> list[tuple[str, str]]:
    """What the first step posted, to post again from the confirmation page."""
    skipped = {"csrf_token", "confirm", ONCE_FIELD}
    return [(k, v) for k, v in request.form.items(multi=True) if k not in skipped]


def _correction_flow(record, *, action_url: str, cancel_url: str, write, heading: str):
    """The two steps of a correction: the form, then the confirmation; ``write(action,
    reason, changes)`` writes it. Returns the response."""
    if record.withdrawn:
        flash(_("Cet enregistrement est déjà retiré : il ne peut plus être corrigé."), "warning")
        return redirect(cancel_url)
    form = CorrectionForm()
    if record.rectification is not None:  # rectified once: only a withdrawal remains
        form.action.choices = [c for c in form.action.choices if c.value == "withdraw"]
    values = _values_form(record)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        action = form.action.data
        if valid and action == "rectify":
            valid = values.validate()
        changes = _new_values(values, record.kind) if valid and action == "rectify" else None
        plain = None
        if valid:
            try:
                plain = records.correction_changes(record, action, changes)
            except records.InvalidCorrection:
                form.action.errors = [
                    *form.action.errors,
                    _("Vous n'avez changé aucune information : modifiez ce qui est inexact."),
                ]
                valid = False
        if valid and form.confirm.data != "1":
            return render_template(
                "workspace/correction_confirm.html",
                record=record,
                preview=Rectified(record, plain) if plain else None,
                action=action,
                reason=form.reason.data,
                fields=_resent_fields(),
                action_url=action_url,
                cancel_url=cancel_url,
                heading=heading,
                once=issue_once(),
            )
        if valid:
            if not spend_once(request.form.get(ONCE_FIELD)):
                flash(_("Cette correction a déjà été envoyée."), "info")
                return redirect(cancel_url)
            try:
                error_page = write(action, form.reason.data, changes)
            except records.AlreadyCorrected:
                db.session.rollback()
                flash(
                    _(
                        "Cet enregistrement vient d'être corrigé par ailleurs : voici son état "
                        "actuel."
                    ),
                    "warning",
                )
                return redirect(cancel_url)
            if error_page is not None:
                return error_page
            db.session.commit()
            message = (
                _("Enregistrement retiré. La personne voit le motif à côté de l'enregistrement.")
                if action == "withdraw"
                else _("Enregistrement rectifié et signé par %(s)s.", s=g.structure.name)
            )
            flash(message, "success")
            return redirect(cancel_url)
        status = 422
    return render_template(
        "workspace/correction_form.html",
        record=record,
        form=form,
        values=values,
        action_url=action_url,
        cancel_url=cancel_url,
        heading=heading,
    ), status


def _own_record(passport_id: int, kind: str, record_id: int):
    try:
        record = records.find_correctable(passport_id, record_id, kind=kind)
    except records.RecordNotFound:
        abort(404)
    if not policy.can(current_user, policy.Action.RECORD_CORRECT, record):
        abort(403)
    return record


@bp.route(
    "/espace/partages/<int:share_id>/corriger/<kind>/<int:record_id>", methods=["GET", "POST"]
)
@staff_required
def correct_record(share_id: int, kind: str, record_id: int):
    """Rectify or withdraw, through a share, a record the structure wrote."""
    share, grant_info, refused = _load_share(share_id)
    if refused:
        return refused
    error = _quiet_check(share, grant_info, "append")
    if error:
        return error
    record = _own_record(share.passport_id, kind, record_id)

    def write(action, reason, changes):
        grant, error_page = _reopen(share, "append")
        if error_page:
            return error_page
        records.correct_record(
            grant.structure,
            record,
            action=action,
            reason=reason,
            changes=changes,
            advisor=grant.advisor,
        )
        return None

    return _correction_flow(
        record,
        action_url=url_for(
            "workspace.correct_record", share_id=share.id, kind=kind, record_id=record_id
        ),
        cancel_url=url_for("workspace.shared_passport", share_id=share.id),
        write=write,
        heading=shown_name(share) or _("Passeport n° %(n)s", n=share.passport_id),
    )


# ===================================================================== holders' requests

REQUESTS_PER_PAGE = 20


@bp.get("/espace/demandes-de-correction", endpoint="correction_requests")
@staff_required
def correction_requests_page():
    """Requests from holders to correct a record the structure wrote, oldest first."""
    page = correction_requests.open_requests(g.structure, page_arg(), REQUESTS_PER_PAGE)
    items = []
    for item in page.items:
        try:
            record = correction_requests.target_of(item)
        except records.RecordNotFound:  # erased since: nothing left to correct
            record = None
        items.append((item, record))
    return render_template(
        "workspace/correction_requests.html", page=page, items=items, structure=g.structure
    )


def _request(request_id: int):
    try:
        return correction_requests.get_request(g.structure, request_id)
    except records.RecordNotFound:
        abort(404)


@bp.route("/espace/demandes-de-correction/<int:request_id>/corriger", methods=["GET", "POST"])
@staff_required
def correct_for_request(request_id: int):
    """Correct the record of a holder's request (the request is their consent for it)."""
    item = _request(request_id)
    if item.closed_at is not None:
        flash(_("Cette demande a déjà reçu une réponse."), "info")
        return redirect(url_for("workspace.correction_requests"))
    record = _own_record(item.passport_id, item.target_kind, item.target_id)

    def write(action, reason, changes):
        correction_requests.correct_for_request(
            item, g.structure, action=action, reason=reason, changes=changes, advisor=current_user
        )
        return None

    return _correction_flow(
        record,
        action_url=url_for("workspace.correct_for_request", request_id=item.id),
        cancel_url=url_for("workspace.correction_requests"),
        write=write,
        heading=item.passport.holder.full_name,
    )


@bp.post("/espace/demandes-de-correction/<int:request_id>/classer")
@staff_required
def close_correction_request(request_id: int):
    """Close a request without correcting (the record is right, or was corrected already)."""
    item = _request(request_id)
    try:
        correction_requests.close_request(item)
    except correction_requests.RequestClosed:
        db.session.rollback()
    else:
        db.session.commit()
        flash(_("Demande classée sans correction."), "success")
    return redirect(url_for("workspace.correction_requests"))
