"""The holder's passport pages: forms with CSRF on, sections, query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from tests import factories
from tests.web import login, submit


@pytest.fixture
def holder(client, ctx):
    user = factories.holder("lea@example.org", name="Léa Martin")
    login(client, "lea@example.org")
    return user


def test_empty_state_invites_to_start(client, holder):
    page = client.get("/passeport/").get_data(as_text=True)
    assert "Votre passeport est vide" in page
    assert "/passeport/formations/ajouter" in page


def test_add_training_then_see_it(client, holder):
    r = submit(
        client,
        "/passeport/formations/ajouter",
        {
            "title": "CAP Boulanger",
            "provider": "CFA de Chartres",
            "status": "in_progress",
            "hours": "1200",
            "start_date": "2026-09-01",
            "certification_code": "rncp 37 8",
        },
    )
    assert r.status_code == 302
    page = client.get("/passeport/formations").get_data(as_text=True)
    assert "CAP Boulanger" in page and "CFA de Chartres" in page and "RNCP378" in page
    assert "Déclaré par vous" in page


def test_training_form_errors(client, holder):
    r = submit(
        client,
        "/passeport/formations/ajouter",
        {
            "title": "",
            "status": "planned",
            "start_date": "2026-09-01",
            "end_date": "2026-01-01",
            "hours": "-3",
        },
    )
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Indiquez l&#39;intitulé" in page or "Indiquez l'intitulé" in page
    assert "avant la date de début" in page
    assert "Nombre d&#39;heures non valable" in page or "Nombre d'heures non valable" in page


def test_invalid_choice_is_a_form_error_not_a_500(client, holder):
    r = submit(client, "/passeport/formations/ajouter", {"title": "X", "status": "<script>"})
    assert r.status_code == 200
    assert "field__error" in r.get_data(as_text=True)


def test_edit_training_creates_new_version(client, holder):
    passport = passports.passport_of(holder)
    t = records.declare_training(passport, title="CAP", status="planned")
    db.session.commit()
    url = f"/passeport/formations/{t.id}/modifier"
    assert "CAP" in client.get(url).get_data(as_text=True)
    r = submit(client, url, {"title": "CAP cuisine", "status": "completed"})
    assert r.status_code == 302
    page = client.get("/passeport/formations").get_data(as_text=True)
    assert "CAP cuisine" in page
    # The old version is no longer editable.
    assert client.get(url).status_code == 403


def test_attested_records_have_no_edit_link_and_refuse_edits(client, holder):
    passport = passports.passport_of(holder)
    structure = factories.structure("FT-T", type_="FT", name="France Travail Dreux")
    t = records.attest_training(structure, passport.id, title="Titre pro", status="completed")
    db.session.commit()
    page = client.get("/passeport/formations").get_data(as_text=True)
    assert "Attesté par France Travail Dreux" in page
    assert f"/formations/{t.id}/modifier" not in page
    assert client.get(f"/passeport/formations/{t.id}/modifier").status_code == 403
    assert (
        submit(
            client, "/passeport/formations/ajouter", {"title": "x", "status": "planned"}
        ).status_code
        == 302
    )
    r = client.post(
        f"/passeport/formations/{t.id}/modifier", data={"title": "forged", "status": "completed"}
    )
    assert r.status_code in (400, 403)


def test_other_holders_record_is_404(client, holder, ctx):
    other = passports.passport_of(factories.holder())
    theirs = records.declare_training(other, title="Theirs", status="planned")
    db.session.commit()
    assert client.get(f"/passeport/formations/{theirs.id}/modifier").status_code == 404
    assert client.get("/passeport/formations/999999/modifier").status_code == 404


def test_cpf_card_and_history(client, holder):
    r = submit(
        client, "/passeport/cpf", {"as_of": "2025-12-01", "balance_eur": "1840", "dif_hours": ""}
    )
    assert r.status_code == 302
    submit(
        client,
        "/passeport/cpf",
        {"as_of": "2026-02-01", "balance_eur": "2340,50".replace(",", ".")},
    )
    page = client.get("/passeport/cpf").get_data(as_text=True)
    assert "2\u202f340,50\xa0€" in page or "2 340,50 €" in page or "2\xa0340,50 €" in page
    assert "1 février 2026" in page or "1er février 2026" in page
    assert page.count("card--cpf_statement") == 2


def test_cpf_in_the_future_is_refused(client, holder):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    r = submit(client, "/passeport/cpf", {"as_of": tomorrow, "balance_eur": "10"})
    assert r.status_code == 200
    assert "dans le futur" in r.get_data(as_text=True)


def test_edit_cpf(client, holder):
    passport = passports.passport_of(holder)
    s = records.declare_cpf(passport, date(2026, 1, 1), Decimal("100"))
    db.session.commit()
    r = submit(
        client, f"/passeport/cpf/{s.id}/modifier", {"as_of": "2026-01-01", "balance_eur": "150.25"}
    )
    assert r.status_code == 302
    assert passports.load_view(passport, ("cpf",)).cpf_current.balance == Decimal("150.25")


def test_profile(client, holder):
    r = submit(
        client,
        "/passeport/profil",
        {
            "birth_year": "2006",
            "department": "28",
            "situation": "student",
            "qualification_level": "4",
        },
    )
    assert r.status_code == 302
    passport = passports.passport_of(holder)
    db.session.refresh(passport)
    assert (
        passport.birth_year,
        passport.department,
        passport.situation,
        passport.qualification_level,
    ) == (2006, "28", "student", 4)
    r = submit(
        client,
        "/passeport/profil",
        {
            "birth_year": "1800",
            "department": "999",
            "situation": "wizard",
            "qualification_level": "42",
        },
    )
    assert r.status_code == 200
    assert r.get_data(as_text=True).count("field__error") == 4


def test_pages_send_csp_and_no_inline_script(client, holder):
    r = client.get("/passeport/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    page = r.get_data(as_text=True)
    assert "style=" not in page
    # Scripts are files of our own (the menu's, static/menu.js), never inline.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/menu.js" defer>']
    assert re.search(r"<script[^>]*>\s*[^<\s]", page) is None


def _fill(passport, structure, partner, n: int) -> None:
    for i in range(n):
        records.declare_training(passport, title=f"Formation {i}", status="completed")
        records.declare_cpf(passport, date(2026, 1, 1) - timedelta(days=i), Decimal(i))
        records.record_reception(
            structure,
            passport.id,
            date=date(2026, 1, 1),
            channel="phone",
            needs=["orientation"],
            summary=f"R{i}",
        )
        ref = records.send_referral(structure, passport.id, partner, needs=["vae"])
        records.change_referral_status(ref, partner, "received")
    db.session.commit()


def _queries_for(client, count_queries, url):
    with count_queries() as q:
        r = client.get(url)
    assert r.status_code == 200
    return q.count


@pytest.mark.parametrize(
    "url",
    [
        "/passeport/",
        "/passeport/formations",
        "/passeport/cpf",
        "/passeport/accueils",
        "/passeport/orientations",
    ],
)
def test_passport_pages_cost_the_same_queries_with_1_or_many_records(
    client, holder, count_queries, url
):
    passport = passports.passport_of(holder)
    structure = factories.structure("ML-Q")
    partner = factories.structure("CIO-Q", type_="CIO")
    _fill(passport, structure, partner, 1)
    one = _queries_for(client, count_queries, url)
    _fill(passport, structure, partner, 124)  # 125 of each kind: 500 records and more
    many = _queries_for(client, count_queries, url)
    assert one == many
    assert many <= 12


def test_menu_counts_unread_access_notifications(app, client, holder):
    from passport.notifications import queue
    from passport.sharing import services as sharing

    passport = passports.passport_of(holder)
    structure = factories.structure("ML-N", name="Mission locale de Dreux")
    advisor = factories.staff("advisor", structure)
    new = sharing.create_share(
        passport, sections=["trainings"], permissions=["read"], expires_in_days=7
    )
    sharing.open_share(new.token, structure=structure, advisor=advisor)
    db.session.commit()
    queue.run_burst(app)  # the worker makes the notice
    page = client.get("/passeport/").get_data(as_text=True)
    assert '<span class="count">1<span class="visually-hidden"> nouvelle' in page
    client.get("/partages/historique")  # reading the log marks the notifications read
    assert 'class="count"' not in client.get("/passeport/").get_data(as_text=True)


def test_nul_byte_in_a_form_is_a_400(client, holder):
    r = submit(client, "/passeport/formations/ajouter", {"title": "a\x00b", "status": "planned"})
    assert r.status_code == 400
    assert passports.load_view(passports.passport_of(holder), ("trainings",)).trainings == []


def test_logged_in_pages_are_not_cached(client, holder):
    for url in ("/passeport/", "/passeport/cpf", "/passeport/profil"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


def test_logout_clears_the_whole_session(client, holder):
    with client.session_transaction() as session:
        session["share_pending"] = "a token waiting for login"
    submit(client, "/deconnexion", {}, form_url="/passeport/")
    with client.session_transaction() as session:
        assert "share_pending" not in session


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-inf"])
def test_non_finite_numbers_are_form_errors(client, holder, value):
    r = submit(
        client, "/passeport/formations/ajouter", {"title": "X", "status": "planned", "hours": value}
    )
    assert r.status_code == 200
    assert "Indiquez un nombre" in r.get_data(as_text=True)
    r = submit(client, "/passeport/cpf", {"as_of": "2026-01-01", "balance_eur": value})
    assert r.status_code == 200
    assert "Indiquez un nombre" in r.get_data(as_text=True)


@pytest.mark.parametrize("record_id", ["99999999999999999999", "2147483648"])
def test_ids_beyond_the_column_range_are_404(client, holder, record_id):
    assert client.get(f"/passeport/formations/{record_id}/modifier").status_code == 404
    assert client.get(f"/passeport/cpf/{record_id}/modifier").status_code == 404


def test_a_cpf_statement_sent_twice_is_recorded_once(client, holder):
    import re

    page = client.get("/passeport/cpf").get_data(as_text=True)
    body = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "form_once": re.search(r'name="form_once" value="([^"]+)"', page).group(1),
        "as_of": "2026-01-05",
        "balance_eur": "500",
    }
    assert client.post("/passeport/cpf", data=body).status_code == 302
    assert client.post("/passeport/cpf", data=body).status_code == 302
    view = passports.load_view(passports.passport_of(holder), ("cpf",))
    assert len(view.cpf_statements) == 1
