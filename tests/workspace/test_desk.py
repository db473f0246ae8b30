"""The desk (``/espace``): what waits, the search by name, the anonymous reception, the badge."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from passport.db import today_local
from passport.extensions import db
from passport.indicators import periods
from passport.indicators import services as indicators
from passport.passports.models import Reception
from passport.passports.services import passport_of
from passport.records import services as records
from passport.sharing import services as sharing
from passport.workspace import desk
from passport.workspace import services as workspace
from tests import factories
from tests.sharing_web.helpers import assert_inputs_labelled, text
from tests.web import submit

RECEPTION = {
    "date": "",
    "channel": "phone",
    "situation": "jobseeker",
    "needs": ["training_search", "training_funding"],
    "outcome": "answered",
}


def _share(holder, structure, **kwargs):
    values = {
        "sections": ["profile", "receptions"],
        "permissions": ["read", "append"],
        "expires_in_days": 30,
        "structure": structure,
        **kwargs,
    }
    share = sharing.create_share(passport_of(holder), **values)
    db.session.commit()
    return share


def _refer(holder, sender, receiver):
    records.send_referral(sender, passport_of(holder).id, receiver, needs=["orientation"])
    db.session.commit()


def _badge(page: str) -> str | None:
    match = re.search(r"Orientations reçues <span class=\"count\">(\d+)", page)
    return match.group(1) if match else None


def test_desk_shows_new_referrals_with_a_link_to_the_inbox(advisor_client, network, ctx):
    for name in ("Léa Martin", "Noé Petit"):
        _refer(factories.holder(name=name), network["cio"], network["ml"])
    page = advisor_client.get("/espace").get_data(as_text=True)
    assert "Accueil de Mission locale de Dreux" in page
    assert re.search(r'desk__count">2<', page)
    assert "nouvelles orientations reçues" in page
    assert "Léa Martin" in page and "Noé Petit" in page and "envoyée par CIO de Dreux" in page
    assert "/espace/orientations?statut=sent" in page
    assert _badge(page) == "2"


def test_a_referral_taken_up_leaves_the_desk_and_the_badge(advisor_client, network, ctx):
    _refer(factories.holder(), network["cio"], network["ml"])
    referral = workspace.referrals_page(network["ml"], "sent")[0][0]
    records.change_referral_status(referral, network["ml"], "received")
    db.session.commit()
    page = advisor_client.get("/espace").get_data(as_text=True)
    assert _badge(page) is None
    assert "Aucune nouvelle orientation" in text(advisor_client.get("/espace"))


def test_the_badge_is_for_the_receiving_structure_only(cio_client, network, ctx):
    _refer(factories.holder(), network["cio"], network["ml"])
    assert _badge(cio_client.get("/espace").get_data(as_text=True)) is None


def test_anonymous_reception_from_the_desk(advisor_client, network, ctx):
    page = advisor_client.get("/espace/accueil-anonyme")
    assert page.status_code == 200
    assert_inputs_labelled(text(page))
    r = submit(advisor_client, "/espace/accueil-anonyme", {**RECEPTION, "date": str(today_local())})
    assert r.status_code == 302 and r.headers["Location"].endswith("/espace")
    reception = db.session.execute(db.select(Reception)).scalar_one()
    assert reception.passport_id is None
    assert reception.issuer_structure_id == network["ml"].id
    assert reception.issuer_advisor_id == network["ml_advisor"].id
    assert reception.needs == ["training_funding", "training_search"]
    assert reception.situation == "jobseeker" and reception.channel == "phone"
    # the barometer counts it with the others (it shows no count under 5)
    for _ in range(4):
        records.record_reception(
            network["ml"], None, date=today_local(), channel="phone", needs=["other"]
        )
    db.session.commit()
    answer = indicators.indicators(periods.question(None, None, None, None, today_local()))
    assert answer["receptions"]["anonymous"] == 5 and answer["receptions"]["total"] == 5
    # and the desk says it
    desk_page = text(advisor_client.get("/espace"))
    assert "Accueil anonyme enregistré" in desk_page
    assert re.search(r'desk__count">5</p>\s*<p>premiers accueils enregistrés aujourd', desk_page)
    assert "dont 5 anonymes" in desk_page


def test_anonymous_reception_errors_next_to_the_fields(advisor_client, network, ctx):
    r = submit(
        advisor_client,
        "/espace/accueil-anonyme",
        {"date": str(today_local() + timedelta(days=3)), "channel": "in_person"},
    )
    assert r.status_code == 422
    page = text(r)
    assert "Cochez au moins un besoin." in page
    assert "ne peut pas être dans le futur" in page
    assert db.session.execute(db.select(db.func.count(Reception.id))).scalar_one() == 0


def test_anonymous_reception_is_not_recorded_twice(advisor_client, network, ctx):
    form = advisor_client.get("/espace/accueil-anonyme").get_data(as_text=True)
    hidden = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]+)"', form).group(1)
        for name in ("csrf_token", "form_once")
    }
    data = {**hidden, **RECEPTION, "date": str(today_local())}
    assert advisor_client.post("/espace/accueil-anonyme", data=data).status_code == 302
    again = advisor_client.post("/espace/accueil-anonyme", data=data, follow_redirects=True)
    assert "déjà été envoyé" in text(again)
    assert db.session.execute(db.select(db.func.count(Reception.id))).scalar_one() == 1


def test_anonymous_reception_is_for_staff_only(client, holder):
    assert client.get("/espace/accueil-anonyme").status_code == 403


def test_receptions_today_count_the_french_day_and_the_structure(network, ctx):
    ml, cio = network["ml"], network["cio"]
    for structure in (ml, ml, cio):
        records.record_reception(
            structure, None, date=today_local(), channel="in_person", needs=["other"]
        )
    db.session.flush()
    assert desk.receptions_today(ml) == (2, 2)
    assert desk.receptions_today(cio) == (1, 1)
    start, end = desk.today_bounds()
    assert end - start in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))


def test_search_by_name_folds_accents_and_case(advisor_client, network, ctx):
    ml = network["ml"]
    _share(factories.holder("lea@example.org", name="Léa Martin"), ml)
    _share(factories.holder("noe@example.org", name="Noé Petit"), ml)
    page = text(advisor_client.get("/espace?q=LEA"))
    assert "Léa Martin" in page and "Noé Petit" not in page
    assert "1 passeport trouvé pour « LEA »" in page
    page = text(advisor_client.get("/espace?q=petit+noe"))
    assert "Noé Petit" in page and "Léa Martin" not in page
    page = text(advisor_client.get("/espace?q=Dupont"))
    assert "Aucun passeport partagé avec votre structure ne porte ce nom." in page


def test_search_never_finds_a_name_the_share_does_not_show(advisor_client, network, ctx):
    ml = network["ml"]
    _share(factories.holder("a@example.org", name="Anna Sans Profil"), ml, sections=["receptions"])
    _share(factories.holder("b@example.org", name="Anna Avec Code"), ml, passcode="482913")
    _share(factories.holder("c@example.org", name="Anna Ailleurs"), network["cio"])
    _share(factories.holder("d@example.org", name="Anna Présente"), ml)
    revoked = _share(factories.holder("e@example.org", name="Anna Révoquée"), ml)
    sharing.revoke_share(revoked.share)
    db.session.commit()
    page = text(advisor_client.get("/espace?q=anna"))
    for hidden in ("Sans Profil", "Avec Code", "Ailleurs", "Révoquée"):
        assert hidden not in page
    assert "Anna Présente" in page and "1 passeport trouvé" in page


def test_search_is_paginated(advisor_client, network, ctx):
    for i in range(25):
        _share(factories.holder(f"m{i}@example.org", name=f"Martin {i:02d}"), network["ml"])
    first = text(advisor_client.get("/espace?q=martin"))
    assert "25 passeports trouvés" in first and "Page 1 sur 2" in first
    second = text(advisor_client.get("/espace?q=martin&page=2"))
    assert second.count("Martin ") >= 5 and "Page 2 sur 2" in second


def test_a_too_long_search_is_an_error_next_to_the_field(advisor_client, network):
    page = text(advisor_client.get("/espace?q=" + "x" * 150))
    assert "100 caractères au plus." in page


@pytest.mark.parametrize("query", ["", "?q=martin"])
def test_desk_queries_do_not_grow_with_shares(app, advisor_client, network, count_queries, query):
    ml, cio = network["ml"], network["cio"]

    def add(n, start):
        for i in range(start, start + n):
            holder = factories.holder(f"h{i}@example.org", name=f"Martin {i}")
            _share(holder, ml)
            _refer(holder, cio, ml)
            records.record_reception(ml, None, date=today_local(), channel="phone", needs=["other"])
        db.session.commit()

    add(1, 0)
    advisor_client.get("/espace" + query)  # warm up (session, caches)
    with count_queries() as one:
        assert advisor_client.get("/espace" + query).status_code == 200
    add(99, 1)
    with count_queries() as hundred:
        page = advisor_client.get("/espace" + query)
    assert page.status_code == 200 and "Martin 99" in text(page)
    assert hundred.count == one.count, hundred.statements
