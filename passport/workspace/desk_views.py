"""The desk: the advisor's home page, and the anonymous first reception.

- ``/espace``: what waits for the structure: new referrals (status ``sent``), receptions
  recorded today, passports shared recently (or, with ``?q=``, those whose holder's name
  matches), and the passports opened in this browser session.
- ``/espace/accueil-anonyme``: the first-reception questionnaire without a passport; it
  counts in the barometer of needs like ``POST /api/v1/receptions``.

Routes of the ``workspace`` blueprint (registered by importing this module).
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from passport.extensions import db
from passport.forms import ONCE_FIELD, issue_once, spend_once
from passport.pagination import Page
from passport.records import services as records
from passport.sharing import browser
from passport.sharing import services as sharing
from passport.sharing.models import ShareLink
from passport.workspace import desk
from passport.workspace import services as workspace
from passport.workspace.forms import DeskSearchForm, ReceptionForm
from passport.workspace.views import (
    PER_PAGE,
    SharedItem,
    bp,
    directly_open,
    page_arg,
    shown_name,
    staff_required,
)

#: How many new referrals the desk lists (the inbox has them all).
NEW_REFERRALS_SHOWN = 5


def _opened_in_session(structure) -> tuple[list[SharedItem], list[int]]:
    """Shares opened in this browser session for the structure (one query)."""
    session_ids = [gr["share"] for gr in browser.grants_for(current_user.id, structure.id)]
    opened: list[SharedItem] = []
    if session_ids:
        found = {
            s.id: s
            for s in db.session.execute(
                desk.with_holder(db.select(ShareLink).where(ShareLink.id.in_(session_ids)))
            )
            .scalars()
            .unique()
        }
        for share_id in session_ids:
            share = found.get(share_id)
            if share is not None:
                opened.append(
                    SharedItem(share, sharing.share_state(share).value, shown_name(share), True)
                )
    return opened, session_ids


@bp.get("/espace")
@staff_required
def index():
    """The desk: new referrals, today's receptions, recent shares and a search by name."""
    structure = g.structure
    opened, session_ids = _opened_in_session(structure)
    referrals, referral_total, names = workspace.referrals_page(
        structure, "sent", 1, NEW_REFERRALS_SHOWN
    )
    today_total, today_anonymous = desk.receptions_today(structure)
    form = DeskSearchForm(request.args, meta={"csrf": False})
    query = form.q.data if form.validate() else None
    if query:
        listing = desk.search_shares(structure, query, page_arg(), PER_PAGE)
    else:
        listing = desk.recent_shares(structure, page_arg(), PER_PAGE)
    addressed = [
        SharedItem(
            s,
            "active",
            # A passcode or single-use share keeps the name until it is really opened.
            shown_name(s) if s.id in session_ids or directly_open(s) else None,
            s.id in session_ids,
        )
        for s in listing.items
    ]
    return render_template(
        "workspace/index.html",
        structure=structure,
        opened=opened,
        referrals=referrals,
        referral_total=referral_total,
        names=names,
        today_total=today_total,
        today_anonymous=today_anonymous,
        form=form,
        query=query,
        addressed=Page(items=addressed, page=listing.page, per_page=PER_PAGE, total=listing.total),
    )


@bp.route("/espace/accueil-anonyme", methods=["GET", "POST"])
@staff_required
def anonymous_reception():
    """A first reception without a passport: counted in the barometer, linked to nobody."""
    form = ReceptionForm()
    if form.validate_on_submit():
        if not spend_once(request.form.get(ONCE_FIELD)):
            flash(
                _("Ce formulaire a déjà été envoyé : rien n'a été ajouté une deuxième fois."),
                "info",
            )
            return redirect(url_for("workspace.index"))
        records.record_reception(g.structure, None, advisor=current_user, **form.values())
        db.session.commit()
        flash(_("Accueil anonyme enregistré : il compte dans le baromètre des besoins."), "success")
        return redirect(url_for("workspace.index"))
    status = 422 if form.errors else 200
    return render_template(
        "workspace/anonymous_reception.html",
        form=form,
        structure=g.structure,
        once=issue_once(),
    ), status
