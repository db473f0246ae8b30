"""HTML views of the trust feature.

- ``/mes-donnees`` (``trust.my_data``): what is held, the export, the printable version,
  retention periods, the way to erase everything;
- ``/mes-donnees/export.json`` (``trust.export_download``): the bundle as a download;
- ``/mes-donnees/passeport.pdf`` (``trust.export_pdf``): the passport as a PDF that carries
  the bundle (``passport.trust.pdf``);
- ``/mes-donnees/imprimer`` (``trust.printable``): the whole passport, made for paper or PDF;
- ``/mes-donnees/effacer`` (``trust.erase``): erasing the account, with the password and an
  explicit confirmation;
- ``/verifier`` (``trust.verify_page``): anyone uploads an export (JSON or PDF) and reads the
  verdict.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import func

from passport.db import utcnow
from passport.extensions import db, limiter
from passport.passports import services as passports
from passport.passports.models import CpfStatement, Reception, Referral, Training
from passport.passports.views import holder_required
from passport.trust.erasure import WrongPassword, erase_account
from passport.trust.export import build_bundle, bundle_filename
from passport.trust.forms import EraseForm, VerifyForm
from passport.trust.pdf import MEDIA_TYPE, PDF_RATE, PdfRefused, load_document, render_pdf
from passport.trust.verify import (
    MAX_KEYS,
    MAX_RECORDS,
    NotABundle,
    TooLarge,
    describe,
    server_keys,
    verify_bundle,
)

bp = Blueprint("trust", __name__)


@bp.get("/mes-donnees")
@holder_required
def my_data():
    """What the service holds on the holder and what they can do with it."""
    passport = passports.passport_of(current_user)
    counts = {
        "receptions": _count(Reception, passport.id),
        "referrals": _count(Referral, passport.id),
        "trainings": _count(Training, passport.id, current_only=True),
        "cpf": _count(CpfStatement, passport.id, current_only=True),
    }
    config = current_app.config
    return render_template(
        "trust/my_data.html",
        passport=passport,
        counts=counts,
        retention_years=round(int(config["RETENTION_PASSPORT_DAYS"]) / 365, 1),
        access_log_days=int(config["RETENTION_ACCESS_LOG_DAYS"]),
    )


def _count(model, passport_id: int, current_only: bool = False) -> int:
    query = db.select(func.count()).select_from(model).where(model.passport_id == passport_id)
    if current_only:
        query = query.where(model.superseded.is_(False))
    return db.session.execute(query).scalar_one()


@bp.get("/mes-donnees/export.json")
@holder_required
def export_download():
    """The signed bundle, as a file to keep or hand over."""
    bundle = build_bundle(passports.passport_of(current_user))
    db.session.commit()
    body = json.dumps(bundle, ensure_ascii=False, indent=2)
    return current_app.response_class(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{bundle_filename(bundle)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/mes-donnees/passeport.pdf")
@holder_required
@limiter.limit(PDF_RATE)
def export_pdf():
    """The passport as a PDF to read, print or hand over, which verifies itself."""
    body, filename = render_pdf(passports.passport_of(current_user))
    db.session.commit()
    return current_app.response_class(
        body,
        mimetype=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/mes-donnees/imprimer")
@holder_required
def printable():
    """The whole passport on one page, for printing or saving as PDF."""
    passport = passports.passport_of(current_user)
    view = passports.load_view(passport)
    return render_template(
        "trust/printable.html",
        view=view,
        passport=passport,
        holder=current_user,
        record_count=passport.head_seq,
        printed_at=utcnow(),
    )


@bp.route("/mes-donnees/effacer", methods=["GET", "POST"])
@holder_required
@limiter.limit("10 per minute", methods=["POST"])
def erase():
    """Erase the account: password, explicit confirmation, then everything goes."""
    form = EraseForm()
    if form.validate_on_submit():
        try:
            erase_account(current_user, form.password.data)
        except WrongPassword:
            form.password.errors.append(_("Ce mot de passe n'est pas le bon."))
        else:
            db.session.commit()
            logout_user()
            flash(
                _(
                    "Votre compte et votre passeport ont été effacés. Merci d'avoir utilisé le "
                    "service."
                ),
                "success",
            )
            return redirect(url_for("main.home"))
    return render_template("trust/erase.html", form=form)


@bp.route("/verifier", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def verify_page():
    """Public: upload an export, read in plain French what it proves."""
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        try:
            with form.bundle.data.stream as upload:  # a temporary file for a large upload
                raw = upload.read()
            result = verify_bundle(load_document(raw), server_keys())
        except PdfRefused as exc:
            form.bundle.errors.append(exc.message)
        except TooLarge:
            form.bundle.errors.append(
                _(
                    "Ce fichier contient plus d'enregistrements ou de clés qu'un passeport "
                    "(au plus %(records)s enregistrements et %(keys)s clés) : il n'est pas "
                    "vérifié.",
                    records=MAX_RECORDS,
                    keys=MAX_KEYS,
                )
            )
        except NotABundle:
            form.bundle.errors.append(
                _("Ce fichier n'est pas un export du Passeport SPRO (format inconnu).")
            )
        except ValueError:
            form.bundle.errors.append(_("Ce fichier n'est pas un fichier JSON lisible."))
    rows = [_row(check, result) for check in result.records] if result else []
    general = [describe(f) for f in result.problems if f.seq is None] if result else []
    return render_template(
        "trust/verify.html", form=form, result=result, rows=rows, general=general
    )


def _row(check, result) -> dict:
    """One record of a verified bundle, ready to show."""
    content = check.content or {}
    issuer = check.issuer if isinstance(check.issuer, dict) else {}
    code = issuer.get("structure")
    return {
        "seq": check.seq,
        "status": check.status,
        "what": _what(check.kind, content, result.structure_names),
        "when": _date(content.get("created_at")),
        "issuer": result.structure_names.get(code or "") or code,
        "advisor": issuer.get("advisor") if isinstance(issuer.get("advisor"), str) else None,
        "problems": [describe(f) for f in check.problems],
        "withdrawn": check.withdrawn,
        "corrections": [
            {
                "seq": c["seq"],
                "action": c["action"],
                "reason": c["reason"] if isinstance(c["reason"], str) else "?",
                "when": _date(c["created_at"]),
            }
            for c in check.corrections
        ],
    }


def _what(kind, content: dict, names: dict) -> str:
    """A short French description of a record from its (untrusted) content."""
    from passport import labels

    def text(name):
        value = content.get(name)
        return value if isinstance(value, str | int | float) else "?"

    if kind == "reception":
        return _("Accueil du %(d)s", d=_date(content.get("date")))
    if kind == "referral":
        target = content.get("to_structure")
        name = names.get(target, target) if isinstance(target, str) else "?"
        return _("Orientation vers %(s)s", s=name)
    if kind == "referral_status":
        status = content.get("status")
        label = labels.REFERRAL_STATUSES.get(status, status) if isinstance(status, str) else "?"
        return _("Suivi d'une orientation : %(s)s", s=label)
    if kind == "training":
        return _("Formation « %(t)s »", t=text("title"))
    if kind == "cpf_statement":
        when = _date(content.get("as_of"))
        return _("Relevé CPF au %(d)s : %(m)s €", d=when, m=text("balance_eur"))
    if kind == "correction":
        named = content.get("record")
        corrected: dict = named if isinstance(named, dict) else {}
        seq = corrected.get("seq") if isinstance(corrected.get("seq"), int) else "?"
        if content.get("action") == "withdraw":
            return _("Retrait de l'enregistrement n° %(n)s", n=seq)
        return _("Rectification de l'enregistrement n° %(n)s", n=seq)
    return _("Enregistrement de type inconnu")


def _date(value) -> str:
    """An ISO date or timestamp from a bundle, in French; the raw text if it is not one."""
    from passport.templating import date_fr

    if not isinstance(value, str):
        return "?"
    try:
        return date_fr(date.fromisoformat(value[:10]))
    except ValueError:
        return value[:40]
