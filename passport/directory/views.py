"""Directory pages: ``/annuaire`` (public search, entry pages, editing by the structure's
admin or an admin) and ``/trouver`` ("Trouver le bon interlocuteur", public, and an
embeddable version at ``/trouver/integration`` without cookies)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from passport.directory import finder, territory
from passport.directory import services as directory
from passport.directory.forms import EntryForm, ServiceForm, resolve_commune
from passport.directory.hours import hours_of
from passport.directory.serialize import map_url
from passport.extensions import db
from passport.labels import NEEDS, SITUATIONS
from passport.passports.models import Need, Situation
from passport.sharing import policy
from passport.structures.forms import ConfirmForm
from passport.structures.models import STRUCTURE_TYPES, Structure

bp = Blueprint("directory", __name__)

#: The finder's needs in a person's words, the most asked at reception desks first
#: (summer job, training, funding: the 2016 barometer).
FINDER_NEEDS = (
    ("summer_job", _l("Trouver un job d'été")),
    ("training_search", _l("Trouver une formation")),
    ("training_funding", _l("Financer une formation")),
    ("job_search", _l("Trouver un emploi")),
    ("orientation", _l("Choisir un métier, m'orienter")),
    ("apprenticeship", _l("Entrer en apprentissage")),
    ("career_change", _l("Changer de métier")),
    ("vae", _l("Faire reconnaître mon expérience (VAE)")),
    ("business_creation", _l("Créer mon entreprise")),
    ("mobility", _l("Me déplacer, passer le permis")),
    ("housing_health", _l("Logement, santé")),
    ("other", _l("Autre chose : une écoute, une orientation")),
)

PER_PAGE = 20
#: The communes offered as suggestions (a datalist) in the commune fields.
SUGGESTED_DEPARTMENT = "28"


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), 10_000)


def can_edit(structure: Structure) -> bool:
    return current_user.is_authenticated and policy.can(
        current_user, policy.Action.DIRECTORY_EDIT, structure
    )


@bp.record_once
def _template_helpers(state) -> None:
    """Globals (not context) so that imported macros see them too."""
    state.app.jinja_env.globals.update(
        entry_hours=hours_of,
        entry_map_url=map_url,
        can_edit_entry=can_edit,
        entry_needs=directory.all_needs,
    )


@bp.app_template_filter("zone_label")
def _zone_label(code: str) -> str:
    return territory.zone_label(code)


def _commune_arg() -> tuple[territory.Commune | None, list[territory.Commune], str]:
    """The commune of the query string: ``commune`` (an INSEE code, picked) wins over
    ``ou`` (what the person typed)."""
    typed = (request.args.get("ou") or "").strip()[:100]
    picked = territory.commune(request.args.get("commune") or "")
    if picked is not None:
        return picked, [], typed or picked.label
    found, candidates = resolve_commune(typed)
    return found, candidates, typed


@bp.get("/annuaire")
def index():
    need = request.args.get("besoin") or None
    if need not in NEEDS:
        need = None
    type_ = request.args.get("type") or None
    if type_ not in STRUCTURE_TYPES:
        type_ = None
    q = (request.args.get("q") or "").strip()[:200] or None
    commune, candidates, typed = _commune_arg()
    unknown_commune = bool(typed) and commune is None and not candidates
    filters = directory.Filters(
        q=q, need=need, type=type_, commune=commune.code if commune else None
    )
    page = directory.search_page(filters, _page_arg(), PER_PAGE)
    return render_template(
        "directory/index.html",
        page=page,
        q=q or "",
        need=need,
        type_=type_,
        commune=commune,
        typed=typed,
        candidates=candidates,
        unknown_commune=unknown_commune,
        needs=NEEDS,
        types=sorted(STRUCTURE_TYPES),
        communes_hint=territory.communes_of(SUGGESTED_DEPARTMENT),
    )


def _entry_or_404(code: str) -> Structure:
    entry = directory.get_entry(code) if len(code) <= 32 else None
    if entry is None:
        abort(404)
    return entry


@bp.get("/annuaire/<code>")
def entry(code: str):
    return render_template("directory/entry.html", s=_entry_or_404(code))


def _editable(code: str) -> Structure:
    structure = _entry_or_404(code)
    if not can_edit(structure):
        abort(403)
    return structure


@bp.route("/annuaire/<code>/modifier", methods=["GET", "POST"])
@login_required
def edit(code: str):
    structure = _editable(code)
    form = EntryForm(obj=structure)
    if request.method == "GET":
        form.zone.data = " ".join(structure.zone or [])
        commune = territory.commune(structure.commune)
        form.commune.data = commune.label if commune else ""
    if form.validate_on_submit():
        directory.update_entry(structure, form.changes())
        directory.touch(structure)  # saving the form says "checked today"
        db.session.commit()
        flash(_("La fiche de %(s)s est à jour.", s=structure.name), "success")
        return redirect(url_for("directory.entry", code=structure.code))
    status = 422 if form.errors else 200
    return render_template(
        "directory/edit.html",
        s=structure,
        form=form,
        communes=territory.communes_of(SUGGESTED_DEPARTMENT),
    ), status


@bp.route("/annuaire/<code>/services/nouveau", methods=["GET", "POST"])
@login_required
def add_service(code: str):
    structure = _editable(code)
    form = ServiceForm()
    if form.validate_on_submit():
        directory.add_service(structure, **form.values())
        db.session.commit()
        flash(_("Service ajouté."), "success")
        return redirect(url_for("directory.entry", code=structure.code))
    status = 422 if form.errors else 200
    return render_template("directory/service_form.html", s=structure, form=form), status


def _service_or_404(structure: Structure, service_id: int):
    service = directory.get_service(structure, service_id)
    if service is None:
        abort(404)
    return service


@bp.route("/annuaire/<code>/services/<int:service_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_service(code: str, service_id: int):
    structure = _editable(code)
    service = _service_or_404(structure, service_id)
    form = ServiceForm(obj=service)
    if request.method == "GET":
        form.fees.data = service.fees or ""
    if form.validate_on_submit():
        directory.update_service(service, form.values())
        db.session.commit()
        flash(_("Service mis à jour."), "success")
        return redirect(url_for("directory.entry", code=structure.code))
    status = 422 if form.errors else 200
    return render_template(
        "directory/service_form.html", s=structure, form=form, service=service
    ), status


@bp.route("/annuaire/<code>/services/<int:service_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete_service(code: str, service_id: int):
    structure = _editable(code)
    service = _service_or_404(structure, service_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        directory.delete_service(service)
        db.session.commit()
        flash(_("Service supprimé."), "success")
        return redirect(url_for("directory.entry", code=structure.code))
    return render_template("directory/service_delete.html", s=structure, service=service, form=form)


# ===================================================================== the finder


def _finder_question():
    needs = [n for n in request.args.getlist("besoin") if n in {x.value for x in Need}]
    situation = request.args.get("situation") or None
    if situation not in {s.value for s in Situation}:
        situation = None
    age_raw = (request.args.get("age") or "").strip()
    age = int(age_raw) if age_raw.isdigit() and len(age_raw) <= 3 else None
    errors: dict[str, str] = {}
    if age_raw and (age is None or age > 120):
        errors["age"] = _("Indiquez un âge en années, de 0 à 120.")
        age = None
    commune, candidates, typed = _commune_arg()
    asked = "ou" in request.args or "commune" in request.args
    if asked and commune is None:
        if candidates:
            errors["ou"] = _("Plusieurs communes correspondent : choisissez la vôtre.")
        elif typed:
            errors["ou"] = _("Commune inconnue : tapez son nom ou son code postal.")
        else:
            errors["ou"] = _("Indiquez votre commune.")
    results = None
    if asked and commune is not None and not errors:
        results = finder.find(needs, commune.code, age, situation)
    return {
        "needs": needs,
        "situation": situation,
        "age": age_raw[:3],
        "commune": commune,
        "typed": typed,
        "candidates": candidates,
        "errors": errors,
        "results": results,
        "finder_needs": FINDER_NEEDS,
        "situation_labels": SITUATIONS,
        "communes_hint": territory.communes_of(SUGGESTED_DEPARTMENT),
    }


@bp.get("/trouver")
def find():
    return render_template("directory/find.html", embedded=False, **_finder_question())


@bp.get("/trouver/integration")
def find_embedded():
    """The finder for partner sites: no cookie set, framable by the configured origins."""
    response = current_app.make_response(
        render_template("directory/find_embedded.html", embedded=True, **_finder_question())
    )
    origins = " ".join(current_app.config.get("FINDER_FRAME_ANCESTORS") or []) or "'none'"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {origins}"
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
