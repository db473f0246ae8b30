"""Administration pages.

- ``/admin`` (role admin): structures (create, edit, deactivate, reactivate), every staff
  account (invite, change role, deactivate, reactivate), the audit log.
- ``/structure/equipe`` (a structure admin): the same for their own structure's advisors.

The staff-account pages are one set of views registered on both blueprints
(``_staff_views``); ``services.scope_for`` decides what each administrator sees.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport import labels
from passport.admin import services as admin
from passport.admin.forms import InviteForm, RoleForm, StructureForm
from passport.extensions import db
from passport.mail import send_mail
from passport.structures import services as structures
from passport.structures.forms import ConfirmForm
from passport.structures.models import Structure
from passport.urls import external_url

bp = Blueprint("admin", __name__, url_prefix="/admin")
team_bp = Blueprint("team", __name__, url_prefix="/structure/equipe")


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _scope(admin_only: bool) -> admin.Scope:
    scope = admin.scope_for(current_user) if current_user.is_authenticated else None
    if scope is None or (admin_only and scope.structure is not None):
        abort(403)
    if not admin_only and scope.structure is None:
        abort(403)  # the admin has /admin; /structure/equipe is a structure admin's page
    return scope


@bp.after_request
@team_bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ admin home, structures


@bp.get("/")
@login_required
def index():
    _scope(admin_only=True)
    return render_template("admin/index.html")


@bp.get("/structures")
@login_required
def structure_list():
    _scope(admin_only=True)
    return render_template("admin/structures.html", page=admin.structures_page(_page_arg()))


def _structure_or_404(code: str) -> Structure:
    structure = structures.get_structure(code) if len(code) <= 32 else None
    if structure is None:
        abort(404)
    return structure


def _save_structure(form: StructureForm, structure: Structure | None):
    try:
        if structure is None:
            structure = admin.create_structure(
                current_user,
                form.code.data,
                form.name.data,
                form.type.data,
                form.department.data,
                form.is_cep_operator.data,
            )
        else:
            admin.update_structure(
                current_user,
                structure,
                form.name.data,
                form.type.data,
                form.department.data,
                form.is_cep_operator.data,
            )
    except admin.AdminError as exc:
        getattr(form, exc.field or "name").errors.append(exc.message)
        return None
    db.session.commit()
    return structure


@bp.route("/structures/nouvelle", methods=["GET", "POST"])
@login_required
def structure_new():
    _scope(admin_only=True)
    form = StructureForm()
    if form.validate_on_submit():
        structure = _save_structure(form, None)
        if structure is not None:
            flash(_("La structure %(n)s est créée.", n=structure.name), "success")
            return redirect(url_for("admin.structure_list"))
    return render_template("admin/structure_form.html", form=form, structure=None)


@bp.route("/structures/<code>/modifier", methods=["GET", "POST"])
@login_required
def structure_edit(code: str):
    _scope(admin_only=True)
    structure = _structure_or_404(code)
    form = StructureForm(obj=structure)
    form.code.data = structure.code  # the code is the structure's identity: not editable
    if form.validate_on_submit() and _save_structure(form, structure) is not None:
        flash(_("La structure %(n)s est modifiée.", n=structure.name), "success")
        return redirect(url_for("admin.structure_list"))
    return render_template("admin/structure_form.html", form=form, structure=structure)


@bp.route("/structures/<code>/<any(desactiver, reactiver):what>", methods=["GET", "POST"])
@login_required
def structure_active(code: str, what: str):
    _scope(admin_only=True)
    structure = _structure_or_404(code)
    active = what == "reactiver"
    form = ConfirmForm()
    if form.validate_on_submit():
        admin.set_structure_active(current_user, structure, active)
        db.session.commit()
        flash(
            _("La structure %(n)s est réactivée.", n=structure.name)
            if active
            else _("La structure %(n)s est désactivée.", n=structure.name),
            "success",
        )
        return redirect(url_for("admin.structure_list"))
    return render_template(
        "admin/structure_active.html", structure=structure, active=active, form=form
    )


@bp.get("/journal")
@login_required
def audit():
    scope = _scope(admin_only=True)
    return render_template(
        "admin/audit.html", page=admin.audit_page(scope, _page_arg()), actions=admin.ACTIONS
    )


@team_bp.get("/journal")
@login_required
def team_audit():
    scope = _scope(admin_only=False)
    return render_template(
        "admin/audit.html", page=admin.audit_page(scope, _page_arg()), actions=admin.ACTIONS
    )


# ------------------------------------------------------------------ staff accounts


def _structure_choices() -> list[tuple[str, str]]:
    active = db.session.execute(
        db.select(Structure).where(Structure.active.is_(True)).order_by(Structure.name)
    ).scalars()
    return [("", _("Aucune (coordination, administration)"))] + [
        (s.code, f"{s.name} ({s.code})") for s in active
    ]


def _fill_choices(form, scope: admin.Scope) -> None:
    form.role.choices = [(r, str(labels.ROLES[r])) for r in scope.roles]
    if scope.structure is None:
        form.structure.choices = _structure_choices()
    else:
        del form.structure


def _chosen_structure(form, scope: admin.Scope) -> Structure | None:
    if scope.structure is not None:
        return scope.structure
    code = form.structure.data or ""
    return structures.get_structure(code) if code else None


def _apply_error(form, exc: admin.AdminError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = form.role
    field.errors.append(exc.message)


def _staff_views(blueprint: Blueprint, admin_only: bool) -> None:
    name = blueprint.name

    @blueprint.get("/comptes" if admin_only else "/", endpoint="staff")
    @login_required
    def staff():
        scope = _scope(admin_only)
        filter_structure = None
        code = request.args.get("structure", "")
        if admin_only and code:
            filter_structure = structures.get_structure(code[:32])
        return render_template(
            "admin/staff.html",
            scope=scope,
            page=admin.staff_page(scope, _page_arg(), structure=filter_structure),
            filter_structure=filter_structure,
            bp=name,
        )

    @blueprint.route(
        "/comptes/inviter" if admin_only else "/inviter", methods=["GET", "POST"], endpoint="invite"
    )
    @login_required
    def invite():
        scope = _scope(admin_only)
        form = InviteForm()
        _fill_choices(form, scope)
        if request.method == "GET" and scope.structure is None and request.args.get("structure"):
            form.structure.data = request.args["structure"][:32]
        if form.validate_on_submit():
            try:
                user = admin.invite(
                    scope,
                    form.email.data,
                    form.full_name.data,
                    form.role.data,
                    _chosen_structure(form, scope),
                )
            except admin.AdminError as exc:
                _apply_error(form, exc)
            else:
                token = _invitation_token(user)
                link = external_url("accounts.accept_invitation", token=token)
                send_mail(user.email, *admin.invitation_mail(user, link), key=f"invite:{user.id}")
                db.session.commit()  # the account, its log entry and the queued mail
                flash(_("Invitation envoyée à %(e)s.", e=user.email), "success")
                return redirect(url_for(f"{name}.staff"))
        return render_template("admin/invite.html", form=form, scope=scope, bp=name)

    def _managed(user_id: int):
        scope = _scope(admin_only)
        user = admin.get_managed(scope, user_id)
        if user is None:
            abort(404)
        return scope, user

    @blueprint.route(
        "/comptes/<int:user_id>/role" if admin_only else "/<int:user_id>/role",
        methods=["GET", "POST"],
        endpoint="role",
    )
    @login_required
    def role(user_id: int):
        scope, user = _managed(user_id)
        form = RoleForm()
        _fill_choices(form, scope)
        if request.method == "GET":
            form.role.data = user.role
            if scope.structure is None:
                form.structure.data = user.structure.code if user.structure else ""
        if form.validate_on_submit():
            try:
                admin.change_role(scope, user, form.role.data, _chosen_structure(form, scope))
            except admin.AdminError as exc:
                _apply_error(form, exc)
            else:
                db.session.commit()
                flash(_("Le rôle de %(n)s est changé.", n=user.full_name), "success")
                return redirect(url_for(f"{name}.staff"))
        return render_template("admin/role.html", form=form, user=user, scope=scope, bp=name)

    @blueprint.route(
        "/comptes/<int:user_id>/<any(desactiver, reactiver):what>"
        if admin_only
        else "/<int:user_id>/<any(desactiver, reactiver):what>",
        methods=["GET", "POST"],
        endpoint="account_active",
    )
    @login_required
    def account_active(user_id: int, what: str):
        scope, user = _managed(user_id)
        active = what == "reactiver"
        form = ConfirmForm()
        error = None
        if form.validate_on_submit():
            try:
                if active:
                    admin.reactivate(scope, user)
                else:
                    admin.deactivate(scope, user)
            except admin.AdminError as exc:
                error = exc.message
            else:
                db.session.commit()
                flash(
                    _("Le compte de %(n)s est réactivé.", n=user.full_name)
                    if active
                    else _("Le compte de %(n)s est désactivé.", n=user.full_name),
                    "success",
                )
                return redirect(url_for(f"{name}.staff"))
        return render_template(
            "admin/account_active.html",
            user=user,
            active=active,
            form=form,
            error=error,
            bp=name,
        ), (422 if error else 200)


def _invitation_token(user) -> str:
    from passport.accounts.services import make_invitation_token

    return make_invitation_token(user)


_staff_views(bp, admin_only=True)
_staff_views(team_bp, admin_only=False)
