"""Sharing in the browser.

The holder's side (``/partages``): list of shares with their state; creation by purpose
(``/partages/nouveau``, then for an appointment the structure picker
``/partages/nouveau/structure``, then the prefilled form); a share's page
(``/partages/<id>``) with its link and QR code again while it is active, and "envoyer à la
structure" by mail; revoke (after a confirmation), suspend, resume; and the access log
(``/partages/historique``) with in-app notifications.

The structure's side (``/s/<token>``): the token is put aside in the session and the browser
goes on to the token-free ``/s/reprendre``, where the advisor logs in if needed, gives the
passcode if there is one, and confirms a single-use link with a POST (a GET never uses it
up). The grant then moves into the session and the advisor lands on
``/espace/partages/<id>`` (``passport.workspace``).

Every page of this blueprint answers ``Referrer-Policy: no-referrer`` and
``Cache-Control: no-store``; a log filter keeps ``/s/<token>`` out of request logs.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from passport.db import utcnow
from passport.directory import services as directory
from passport.extensions import db, limiter
from passport.labels import NEEDS, at_structure
from passport.notifications import wording
from passport.notifications.mail import send_templated
from passport.pagination import Page, paginate
from passport.passports import services as passports
from passport.passports.views import holder_required
from passport.sharing import browser, logfilter, policy
from passport.sharing import services as sharing
from passport.sharing.forms import (
    ACCESS_ACTION_LABELS,
    PERMISSION_CHOICES,
    PURPOSE_TEXTS,
    SECTION_SHORT_LABELS,
    STATE_LABELS,
    ConfirmForm,
    OpenShareForm,
    ShareForm,
    StructurePickForm,
    permission_key,
)
from passport.sharing.limits import SHARE_MAIL_RATE, share_creation_limit
from passport.sharing.models import ShareLink
from passport.sharing.purposes import APPOINTMENT, CUSTOM, PURPOSES, purpose_of
from passport.sharing.qr import QR_SCALE, qr_data_uri, qr_size
from passport.sharing.services import LABEL_MAX
from passport.structures import services as structures
from passport.structures.models import Structure

bp = Blueprint("sharing", __name__)

PER_PAGE = 20


@bp.record_once
def _on_register(state) -> None:
    """Once per application: the log filter, and the labels the templates use."""
    logfilter.install()
    state.app.jinja_env.filters.update(
        share_state_label=lambda code: STATE_LABELS.get(code, code),
        section_label=lambda code: SECTION_SHORT_LABELS.get(code, code),
        access_action_label=lambda code: ACCESS_ACTION_LABELS.get(code, code),
        permission_label=lambda perms: PERMISSION_CHOICES[permission_key(perms)][0],
        visit_summary=wording.summary,
        visit_when=wording.when,
        denial_label=lambda code: wording.DENIAL_LABELS.get(code, code),
    )


@bp.after_request
def _private(response):
    return browser.private(response)


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), 10_000)


# ===================================================================== the holder's side


def _passport(action: policy.Action = policy.Action.SHARE_LIST):
    """The holder's passport, if the holder may list shares and do ``action`` (else 403)."""
    passport = passports.passport_of(current_user)
    for needed in dict.fromkeys((policy.Action.SHARE_LIST, action)):
        if not policy.can(current_user, needed, passport):
            abort(403)
    return passport


def _my_share(share_id: int) -> ShareLink:
    passport = _passport()
    try:
        share = sharing.get_share(passport, share_id)
    except sharing.ShareNotFound:
        abort(404)
    if not policy.can(current_user, policy.Action.SHARE_MANAGE, share):
        abort(404)
    return share


def _shares_page(passport, page: int) -> Page:
    """One page of the holder's shares, newest first (two queries)."""
    query = (
        db.select(ShareLink)
        .where(ShareLink.passport_id == passport.id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    )
    return paginate(query, page, PER_PAGE)


def _notifications_summary():
    """The holder's unread notifications: their count and the latest few."""
    count = sharing.unread_count(current_user)
    latest = sharing.unread_notifications(current_user, limit=3) if count else []
    return {"count": count, "latest": latest}


@bp.get("/partages")
@holder_required
def index():
    """The holder's shares with their state, and what is new in the access log."""
    passport = _passport()
    page = _shares_page(passport, _page_arg())
    return render_template(
        "sharing/index.html",
        page=page,
        states={s.id: sharing.share_state(s).value for s in page.items},
        notifications=_notifications_summary(),
        confirm=ConfirmForm(),
    )


def _directory_entry(code: str | None, entries) -> Structure | None:
    wanted = (code or "").strip().upper()
    return next((s for s in entries if s.code == wanted), None) if wanted else None


@bp.route("/partages/nouveau", methods=["GET", "POST"])
@holder_required
@share_creation_limit
def create():
    """First the purpose (``?objet=``), then the form with that purpose's defaults.

    "Préparer un rendez-vous" picks a structure from the directory first
    (``sharing.pick_structure``): purpose, structure, confirmation, three steps. A POST
    without a purpose is the custom form. The link is shown on the share's page.
    """
    passport = _passport(policy.Action.SHARE_CREATE)
    entries = structures.list_structures()
    if request.method == "POST":
        purpose = purpose_of(request.form.get("purpose")) or PURPOSES[CUSTOM]
        form = ShareForm(structures=entries)
    else:
        purpose = purpose_of(request.args.get("objet"))
        # "Partager mon passeport avec cette structure" from the finder: kept along
        chosen = _directory_entry(request.args.get("structure"), entries)
        if purpose is None:
            return render_template(
                "sharing/purpose.html",
                purposes=PURPOSE_TEXTS,
                chosen=chosen,
                notifications=_notifications_summary(),
            )
        if purpose.needs_structure and chosen is None:
            return redirect(url_for("sharing.pick_structure"))
        form = ShareForm(structures=entries, data=purpose.defaults())
        if chosen is not None:
            form.structure.data = chosen.code
            if purpose.needs_structure:
                label = _("Rendez-vous %(at)s", at=at_structure(chosen.name))
                form.label.data = label[:LABEL_MAX]
    if form.validate_on_submit():
        try:
            new = sharing.create_share(passport, **form.values())
        except sharing.ShareInputError as exc:
            for name, messages in exc.errors.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [*target.errors, *map(_service_message, messages)]
        else:
            db.session.commit()
            session[browser.CREATED_KEY] = new.share.id  # the heading says "ready"; no token
            return redirect(url_for("sharing.detail", share_id=new.share.id))
    status = 422 if form.errors else 200
    hints = {key: hint for key, (_label, hint) in PERMISSION_CHOICES.items()}
    return render_template(
        "sharing/create.html",
        form=form,
        purpose=purpose,
        purpose_text=PURPOSE_TEXTS[purpose.code],
        chosen=_directory_entry(form.structure.data, entries),
        permission_hints=hints,
        notifications=_notifications_summary(),
    ), status


#: Structures per page of the picker.
PICK_PER_PAGE = 10


@bp.get("/partages/nouveau/structure")
@holder_required
def pick_structure():
    """Step 2 of "Préparer un rendez-vous": the directory, with what each structure does."""
    _passport(policy.Action.SHARE_CREATE)  # 403 for anyone who may not share
    filters = StructurePickForm(request.args)
    need = filters.besoin.data if filters.besoin.data in NEEDS else None
    found = [
        s
        for s in directory.search(directory.Filters(q=filters.q.data or None, need=need))
        if s.active
    ]
    number = min(_page_arg(), max(1, -(-len(found) // PICK_PER_PAGE)))
    start = (number - 1) * PICK_PER_PAGE
    items = found[start : start + PICK_PER_PAGE]
    page = Page(items=items, page=number, per_page=PICK_PER_PAGE, total=len(found))
    return render_template(
        "sharing/pick_structure.html",
        filters=filters,
        page=page,
        purpose_text=PURPOSE_TEXTS[APPOINTMENT],
        needs_of=directory.all_needs,
        notifications=_notifications_summary(),
    )


def _service_message(message: str) -> str:
    """The services speak English; the form shows a French message next to the field."""
    return _("Cette valeur n'est pas acceptée (%(m)s).", m=message)


@bp.get("/partages/<int:share_id>")
@holder_required
def detail(share_id: int):
    """One share: what it allows, and while it is active its link and QR code again."""
    share = _my_share(share_id)
    just_created = session.get(browser.CREATED_KEY) == share.id
    if just_created:
        session.pop(browser.CREATED_KEY, None)
    state = sharing.share_state(share).value
    url = sharing.link_of(share)
    return render_template(
        "sharing/detail.html",
        share=share,
        state=state,
        url=url,
        qr=qr_data_uri(url, scale=QR_SCALE) if url else None,
        qr_size=qr_size(url, scale=QR_SCALE) if url else None,
        kept=share.sealed_token is not None,
        mail_to=_structure_address(share) if url else None,
        just_created=just_created,
        confirm=ConfirmForm(),
    )


@bp.get("/partages/<int:share_id>/lien")
@holder_required
def created(share_id: int):
    """The former page of a new link: the share's page shows it now."""
    return redirect(url_for("sharing.detail", share_id=_my_share(share_id).id))


def _structure_address(share: ShareLink) -> str | None:
    """Where "envoyer à la structure" writes: the structure's own address, nothing else."""
    structure = share.structure
    return structure.email if structure is not None and structure.active else None


def _mail_key() -> str:
    return f"share-mail:{current_user.id}" if current_user.is_authenticated else "share-mail:anon"


@bp.post("/partages/<int:share_id>/envoyer")
@holder_required
@limiter.limit(SHARE_MAIL_RATE, key_func=_mail_key)
def send_link(share_id: int):
    """Mail the link to the share's structure, at the structure's own address only."""
    share = _my_share(share_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    url = sharing.link_of(share)
    address = _structure_address(share)
    if url is None or address is None:
        flash(_("Ce lien ne peut pas être envoyé à la structure."), "error")
        return redirect(url_for("sharing.detail", share_id=share.id))
    minute = utcnow().strftime("%Y%m%d%H%M")  # a double click sends one mail
    send_templated(
        address,
        "share_link",
        key=f"share:{share.id}:link:{minute}",
        share=share,
        link=url,
        holder=current_user.full_name,
        preferences=None,  # a structure's address has no account, hence no preferences
    )
    db.session.commit()
    flash(
        _(
            "Le lien a été envoyé %(at)s, à son adresse %(a)s.",
            at=at_structure(share.structure.name if share.structure else ""),
            a=address,
        ),
        "success",
    )
    return redirect(url_for("sharing.detail", share_id=share.id))


@bp.route("/partages/<int:share_id>/revoquer", methods=["GET", "POST"])
@holder_required
def revoke(share_id: int):
    """Confirm, then revoke: the link answers 410 from then on."""
    share = _my_share(share_id)
    if share.revoked_at is not None:
        flash(_("Ce partage est déjà révoqué."), "info")
        return redirect(url_for("sharing.index"))
    form = ConfirmForm()
    if form.validate_on_submit():
        sharing.revoke_share(share)
        db.session.commit()
        flash(_("Le partage est révoqué : le lien ne fonctionne plus."), "success")
        return redirect(url_for("sharing.index"))
    return render_template("sharing/revoke.html", share=share, form=form)


@bp.post("/partages/<int:share_id>/suspendre")
@holder_required
def suspend(share_id: int):
    """Pause a link; it can be resumed later."""
    share = _my_share(share_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if sharing.share_state(share) is not sharing.ShareState.ACTIVE:
        flash(_("Seul un partage actif peut être suspendu."), "error")
        return redirect(url_for("sharing.index"))
    sharing.suspend_share(share)
    db.session.commit()
    flash(_("Le partage est suspendu. Vous pouvez le reprendre quand vous voulez."), "success")
    return redirect(url_for("sharing.index"))


@bp.post("/partages/<int:share_id>/reprendre")
@holder_required
def resume(share_id: int):
    """Reopen a suspended link."""
    share = _my_share(share_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sharing.resume_share(share)
    except sharing.ShareError:
        db.session.rollback()
        flash(
            _("Ce partage ne peut pas être repris (il est expiré, révoqué ou verrouillé)."),
            "error",
        )
        return redirect(url_for("sharing.index"))
    db.session.commit()
    flash(_("Le partage est de nouveau actif."), "success")
    return redirect(url_for("sharing.index"))


@bp.get("/partages/historique")
@holder_required
def access_log():
    """Who opened the passport, visit by visit (each opens to its accesses), latest first.

    The rows the worker has not grouped yet come first, one by one. Marks notifications
    read. The same number of queries whatever the size of the log."""
    passport = _passport(policy.Action.ACCESS_LOG_READ)
    page = sharing.visits_page(passport, page=_page_arg(), per_page=PER_PAGE)
    pending = sharing.ungrouped_entries(passport) if page.page == 1 else []
    entries = sharing.visit_entries(passport, page.items)
    unread = sharing.unread_count(current_user)
    new_ids = set()
    if unread and page.page == 1:
        new_ids = {n.visit_id for n in sharing.unread_notifications(current_user, limit=PER_PAGE)}
    share_ids = {v.share_id for v in [*page.items, *pending] if v.share_id is not None}
    shares = {}
    if share_ids:
        shares = {
            s.id: s
            for s in db.session.execute(db.select(ShareLink).where(ShareLink.id.in_(share_ids)))
            .scalars()
            .unique()
        }
    html = render_template(
        "sharing/access_log.html",
        page=page,
        entries=entries,
        pending=pending,
        shares=shares,
        new_ids=new_ids,
        unread=unread,
    )
    if unread:
        sharing.mark_read(current_user)
        db.session.commit()
    return html


# ===================================================================== the structure's side


def share_error_page(exc: sharing.ShareError, share: ShareLink | None = None):
    """A French page for a share that cannot be used, with the API's status code."""
    reason = "not_found"
    if isinstance(exc, sharing.ShareGone):
        reason = exc.state
    elif isinstance(exc, sharing.ShareLocked):
        reason = "locked"
    elif isinstance(exc, sharing.WrongAudience):
        reason = "audience"
    elif isinstance(exc, sharing.NotPermitted):
        reason = "not_permitted"
    share = share or exc.share
    return render_template("sharing/link_error.html", reason=reason, share=share), exc.status


def _staff_structure():
    """The structure the logged-in user acts for, or None (a holder, a coordinator...)."""
    return policy.actor_of(current_user).structure


def _not_staff_page():
    return render_template("sharing/link_error.html", reason="not_staff", share=None), 403


def _action_for(share: ShareLink) -> sharing.Action:
    """Opening reads when the share allows it; an append-only share opens to write."""
    return "view" if "read" in (share.permissions or []) else "append"


def _shown_name(share: ShareLink) -> str | None:
    """The holder's name, when the share lets the structure read the profile."""
    if "profile" in (share.sections or []) and "read" in (share.permissions or []):
        return share.passport.holder.full_name
    return None


@bp.get("/s/<token>")
def open_link(token: str):
    """The link itself: check that it exists, then continue without the token in the URL."""
    try:
        sharing.peek_share(token)
    except sharing.ShareError as exc:
        return share_error_page(exc)
    if current_user.is_authenticated and _staff_structure() is None:
        return _not_staff_page()
    browser.stash_token(token)
    if not current_user.is_authenticated:
        flash(
            _("Connectez-vous avec votre compte de conseiller pour ouvrir le passeport partagé."),
            "info",
        )
        return redirect(url_for("accounts.login", next=url_for("sharing.continue_link")))
    return redirect(url_for("sharing.continue_link"))


@bp.route("/s/reprendre", methods=["GET", "POST"])
@login_required
def continue_link():
    """Audience, passcode, confirmation of a single-use link, then the grant."""
    structure = _staff_structure()
    if structure is None:
        return _not_staff_page()
    token = browser.pending_token()
    if token is None:
        return render_template("sharing/link_error.html", reason="no_pending", share=None), 404
    try:
        share = sharing.peek_share(token)
    except sharing.ShareError as exc:
        browser.drop_pending()
        return share_error_page(exc)
    action = _action_for(share)
    if not policy.in_audience(share, structure):
        try:  # logs the refused attempt for the holder, then refuses
            sharing.check_share(token, structure=structure, advisor=current_user, action=action)
        except sharing.ShareError as exc:
            db.session.commit()
            browser.drop_pending()
            return share_error_page(exc, share)
    needs_passcode = share.passcode_hash is not None
    form = OpenShareForm()
    if request.method == "GET" and not needs_passcode and not share.single_use:
        return _open(token, share, structure, action, passcode=None, form=form)
    if request.method == "POST" and form.validate_on_submit():
        return _open(token, share, structure, action, passcode=form.passcode.data, form=form)
    return _confirm_page(share, form, needs_passcode)


def _confirm_page(share: ShareLink, form: OpenShareForm, needs_passcode: bool, status=200):
    return render_template(
        "sharing/open.html",
        share=share,
        form=form,
        needs_passcode=needs_passcode,
        name=None if needs_passcode else _shown_name(share),
        remaining=sharing.remaining_attempts(share),
    ), status


def _open(token, share, structure, action, *, passcode, form):
    """Use the share (a single-use one is used up here), keep the grant, leave the token."""
    try:
        grant = sharing.open_share(
            token,
            structure=structure,
            advisor=current_user,
            passcode=passcode or None,
            action=action,
            consume=True,
        )
    except (sharing.PasscodeRequired, sharing.PasscodeWrong) as exc:
        db.session.commit()  # the counter and the "denied" row survive
        if isinstance(exc, sharing.PasscodeWrong):
            message = ngettext(
                "Code d'accès incorrect. Il reste %(num)s essai avant que le lien soit verrouillé.",
                "Code d'accès incorrect. Il reste %(num)s essais avant que le lien soit "
                "verrouillé.",
                exc.remaining,
            )
        else:
            message = _("Saisissez le code d'accès que la personne vous a donné.")
        form.passcode.errors = [message]
        return _confirm_page(share, form, True, status=401)
    except sharing.ShareError as exc:
        db.session.commit()
        browser.drop_pending()
        return share_error_page(exc, share)
    db.session.commit()
    browser.drop_pending()
    browser.remember_grant(grant.share.id, current_user.id, structure.id)
    return redirect(url_for("workspace.shared_passport", share_id=grant.share.id))
