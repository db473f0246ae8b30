"""The advisor's workspace: passports shared with the structure, records, referrals.

- ``/espace``: the desk (``workspace.desk_views``): what waits for the structure.
- ``/espace/partages/<id>``: the passport as shared (only its sections); forms to add a
  first reception, a referral (fiche navette) or an attested training when the share
  permits ``append``. Every write is checked by ``sharing.services.reopen_share`` (so a
  revoked or suspended share stops working at once) and written by ``passport.records`` as
  the grant's structure and advisor.
- ``/espace/orientations``: referrals addressed to the structure, with the status changes
  the workflow allows; ``/espace/orientations/envoyees``: those it sent.

Every page answers ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.forms import ONCE_FIELD, issue_once, spend_once
from passport.labels import REFERRAL_STATUSES
from passport.pagination import Page
from passport.passports import services as passports
from passport.passports.models import REFERRAL_TRANSITIONS, Passport, Referral
from passport.records import requests as correction_requests
from passport.records import services as records
from passport.sharing import browser, policy
from passport.sharing import services as sharing
from passport.sharing.models import ShareLink
from passport.sharing.views import share_error_page
from passport.structures import services as structures
from passport.workspace import services as workspace
from passport.workspace.forms import ReceptionForm, ReferralForm, StatusForm, TrainingForm

bp = Blueprint("workspace", __name__)

PER_PAGE = 20


def _target_error() -> str:
    return _("Choisissez la structure vers laquelle orienter la personne.")


class FieldErrors(ValueError):
    """Errors of a form's fields found while writing: ``errors = {field: [message]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@bp.after_request
def _private(response):
    return browser.private(response)


def staff_required(view):
    """Logged in as staff of a structure (advisor or structure admin); sets ``g.structure``."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        structure = policy.actor_of(current_user).structure
        if structure is None:
            abort(403)
        g.structure = structure
        return view(*args, **kwargs)

    return wrapped


def page_arg() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), 10_000)


# ===================================================================== shared passports


@dataclass
class SharedItem:
    """A share as the workspace lists it."""

    share: ShareLink
    state: str
    name: str | None
    in_session: bool

    @property
    def openable(self) -> bool:
        """Whether the advisor can open it from here (else: through the link)."""
        if self.state == "used_up":
            return self.in_session
        return self.state == "active" and (self.in_session or directly_open(self.share))


def shown_name(share: ShareLink) -> str | None:
    """The holder's name when the share lets the structure read the profile, else None."""
    if "profile" in (share.sections or []) and "read" in (share.permissions or []):
        return share.passport.holder.full_name
    return None


def directly_open(share: ShareLink) -> bool:
    """A share addressed to the structure, with no passcode and reusable, opens from the list."""
    return (
        share.structure_id == g.structure.id
        and share.passcode_hash is None
        and not share.single_use
    )


def _load_share(share_id: int):
    """The share and this session's grant of it; a page to answer instead if refused."""
    share = db.session.get(ShareLink, share_id) if valid_id(share_id) else None
    if share is None:
        abort(404)
    grant = browser.grant_for(share.id, current_user.id, g.structure.id)
    if grant is None and not directly_open(share):
        page = render_template("workspace/need_link.html", share=share)
        return share, None, (page, 403)
    return share, grant, None


def _quiet_check(share: ShareLink, grant: dict | None, action: str):
    """The checks of ``reopen_share`` that can be made without writing an access-log row.

    For pages that show nothing of the passport (forms, an append-only share) and for the
    first page after opening (already logged). The write itself calls ``reopen_share``.
    """
    state = sharing.share_state(share)
    if state is sharing.ShareState.USED_UP:
        fresh_enough = grant is not None and (
            utcnow().timestamp() - grant.get("at", 0) <= sharing.session_minutes() * 60
        )
        if not fresh_enough:
            return share_error_page(sharing.ShareGone(state.value, share=share), share)
    elif state is sharing.ShareState.LOCKED:
        return share_error_page(sharing.ShareLocked(share=share), share)
    elif state is not sharing.ShareState.ACTIVE:
        return share_error_page(sharing.ShareGone(state.value, share=share), share)
    if not policy.in_audience(share, g.structure):
        return share_error_page(sharing.WrongAudience(share=share), share)
    if not policy.share_permits(share, action):
        return share_error_page(sharing.NotPermitted(share=share), share)
    return None


def _reopen(share: ShareLink, action: sharing.Action):
    """``reopen_share`` (logs the access); ``(grant, None)`` or ``(None, error page)``."""
    try:
        grant = sharing.reopen_share(
            share.id, structure=g.structure, advisor=current_user, action=action
        )
    except sharing.ShareError as exc:
        db.session.commit()  # the "denied" row; the grant stays, the list shows the state
        return None, share_error_page(exc, share)
    return grant, None


@bp.get("/espace/partages/<int:share_id>")
@staff_required
def shared_passport(share_id: int):
    """The passport as shared: only its sections, and the forms the share permits."""
    share, grant_info, refused = _load_share(share_id)
    if refused:
        return refused
    can_read = "read" in (share.permissions or [])
    fresh = grant_info is not None and browser.take_fresh(share.id)
    if can_read and not fresh:
        grant, error = _reopen(share, "view")
        if error:
            return error
        db.session.commit()
        sections = grant.sections
    else:
        error = _quiet_check(share, grant_info, "view" if can_read else "append")
        if error:
            return error
        sections = tuple(s for s in passports.ALL_SECTIONS if s in (share.sections or []))
    view = passports.load_view(share.passport, sections) if can_read else None
    return render_template(
        "workspace/passport.html",
        share=share,
        view=view,
        name=shown_name(share),
        can_read=can_read,
        can_append="append" in (share.permissions or []),
        structure=g.structure,
    )


def _append_page(share_id: int, form, template: str, write, success: str, **context):
    """Shared steps of the three forms: check quietly, validate, reopen (logged), write."""
    share, grant_info, refused = _load_share(share_id)
    if refused:
        return refused
    error = _quiet_check(share, grant_info, "append")
    if error:
        return error
    refreshing = request.method == "POST" and request.form.get("refresh")
    if not refreshing and form.validate_on_submit():
        if not spend_once(request.form.get(ONCE_FIELD)):
            flash(
                _("Ce formulaire a déjà été envoyé : rien n'a été ajouté une deuxième fois."),
                "info",
            )
            return redirect(url_for("workspace.shared_passport", share_id=share.id))
        grant, error = _reopen(share, "append")
        if error:
            return error
        try:
            write(grant, form)
        except FieldErrors as exc:
            db.session.rollback()
            for name, messages in exc.errors.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, *messages]
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("workspace.shared_passport", share_id=share.id))
    status = 422 if form.errors else 200
    html = render_template(
        template,
        form=form,
        share=share,
        name=shown_name(share),
        structure=g.structure,
        once=issue_once(),
        **context,
    )
    return html, status


@bp.route("/espace/partages/<int:share_id>/accueil", methods=["GET", "POST"])
@staff_required
def add_reception(share_id: int):
    """The first-reception questionnaire, written into the passport and signed."""
    return _append_page(
        share_id,
        ReceptionForm(),
        "workspace/reception_form.html",
        lambda grant, form: records.record_reception(
            grant.structure, grant.passport.id, advisor=grant.advisor, **form.values()
        ),
        _("Accueil enregistré dans le passeport, signé par %(s)s.", s=g.structure.name),
    )


@bp.route("/espace/partages/<int:share_id>/orientation", methods=["GET", "POST"])
@staff_required
def add_referral(share_id: int):
    """A fiche navette to another structure of the directory."""
    form = ReferralForm()
    form.set_structures(structures.list_structures(), g.structure.id)

    def write(grant, form):
        target = structures.get_structure(form.to_structure.data)
        if target is None:  # removed from the directory since the page was shown
            raise FieldErrors({"to_structure": [_target_error()]})
        try:
            workspace.send_referral(
                grant.structure,
                grant.passport.id,
                target,
                needs=list(form.needs.data),
                message=form.message.data,
                advisor=grant.advisor,
            )
        except records.SameStructure:
            raise FieldErrors({"to_structure": [_target_error()]}) from None

    return _append_page(
        share_id,
        form,
        "workspace/referral_form.html",
        write,
        _("Fiche navette envoyée, signée par %(s)s.", s=g.structure.name),
    )


@bp.route("/espace/partages/<int:share_id>/formation", methods=["GET", "POST"])
@staff_required
def add_training(share_id: int):
    """A training attested by the structure."""
    return _append_page(
        share_id,
        TrainingForm(),
        "workspace/training_form.html",
        lambda grant, form: records.attest_training(
            grant.structure, grant.passport.id, advisor=grant.advisor, **form.values()
        ),
        _("Formation attestée et signée par %(s)s.", s=g.structure.name),
    )


# ===================================================================== referrals


def _status_arg() -> str | None:
    status = request.args.get("statut") or None
    return status if status in REFERRAL_STATUSES else None


def _referral_list(direction: str):
    status = _status_arg()
    page_number = page_arg()
    order = "recent" if request.args.get("tri") == "recent" else "waiting"
    items, total, names = workspace.referrals_page(
        g.structure, status, page_number, PER_PAGE, direction=direction, order=order
    )
    page = Page(items=items, page=page_number, per_page=PER_PAGE, total=total)
    return render_template(
        "workspace/referrals.html",
        direction=direction,
        page=page,
        names=names,
        status=status,
        statuses=REFERRAL_STATUSES,
        transitions=REFERRAL_TRANSITIONS,
        structure=g.structure,
        order=order,
        waiting_days=workspace.waiting_days,
        open_requests=(
            correction_requests.open_request_count(g.structure.id) if direction == "received" else 0
        ),
    )


@bp.get("/espace/orientations")
@staff_required
def inbox():
    """Referrals addressed to the structure, newest first, filtered by status."""
    return _referral_list("received")


@bp.get("/espace/orientations/envoyees")
@staff_required
def sent():
    """Referrals the structure sent, with their status."""
    return _referral_list("sent")


def _referral_for_staff(referral_id: int) -> Referral:
    """A referral that the structure received or sent; 404 for any other."""
    referral = workspace.get_referral(referral_id)
    if referral is None or g.structure.id not in (
        referral.to_structure_id,
        referral.issuer_structure_id,
    ):
        abort(404)
    return referral


def _referral_page(referral: Referral, form: StatusForm, error: str | None = None, status=200):
    name = None
    if referral.passport_id is not None:
        name = db.session.execute(
            db.select(User.full_name)
            .join(Passport, Passport.holder_id == User.id)
            .where(Passport.id == referral.passport_id)
        ).scalar_one_or_none()
    return render_template(
        "workspace/referral.html",
        referral=referral,
        name=name,
        form=form,
        error=error,
        transitions=REFERRAL_TRANSITIONS,
        receiving=policy.can(current_user, policy.Action.REFERRAL_UPDATE, referral),
        structure=g.structure,
    ), status


@bp.get("/espace/orientations/<int:referral_id>")
@staff_required
def referral(referral_id: int):
    """One referral with its history; the receiving structure can move it along."""
    return _referral_page(_referral_for_staff(referral_id), StatusForm(formdata=None))


def _details_page(referral: Referral, form: StatusForm, status: int = 200):
    template = (
        "workspace/referral_decline.html"
        if form.status.data == "declined"
        else "workspace/referral_appointment.html"
    )
    return render_template(template, referral=referral, form=form), status


@bp.post("/espace/orientations/<int:referral_id>/statut")
@staff_required
def update_referral(referral_id: int):
    """Change a referral's status (declining asks for a confirmation first)."""
    referral = _referral_for_staff(referral_id)
    if not policy.can(current_user, policy.Action.REFERRAL_UPDATE, referral):
        abort(403)
    form = StatusForm()
    if not form.validate_on_submit():
        if form.status.data in ("declined", "appointment") and form.confirm.data == "1":
            return _details_page(referral, form, status=422)
        return _referral_page(referral, form, status=422)
    status = form.status.data
    if status in ("declined", "appointment") and form.confirm.data != "1":
        # First the page that asks for the reason, or the appointment's details.
        return _details_page(referral, form)
    if not form.check_details():
        return _details_page(referral, form, status=422)
    try:
        workspace.change_referral_status(
            referral,
            g.structure,
            status,
            note=form.note.data,
            advisor=current_user,
            appointment=form.appointment() if status == "appointment" else None,
            reason=form.reason.data if status == "declined" else None,
        )
    except records.WorkflowError:
        db.session.rollback()
        message = _(
            "Cette orientation est déjà « %(current)s » : elle ne peut plus passer à "
            "« %(wanted)s ». La page a été mise à jour, vérifiez son état.",
            current=REFERRAL_STATUSES.get(referral.status, referral.status),
            wanted=REFERRAL_STATUSES[status],
        )
        return _referral_page(referral, StatusForm(formdata=None), error=message, status=409)
    except PermissionError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(
        _("Orientation passée à « %(s)s ».", s=REFERRAL_STATUSES[status]),
        "success",
    )
    return redirect(url_for("workspace.inbox"))
