"""Numbers as French people type them (issue 11 item 3): every numeric form, real POSTs.

Each form is sent the same inputs; each input gives the value a French reader means, or an
error next to the field and nothing stored: never another number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from passport.extensions import db
from passport.forms import NumberParseError, parse_number
from passport.passports import services as passports
from passport.passports.models import CpfStatement, Passport, Training
from passport.records import services as records
from passport.sharing.models import ShareLink
from tests.sharing_web.helpers import CUSTOM_FORM, create_share, open_link, text
from tests.web import submit

NBSP, NNBSP = "\u00a0", "\u202f"

#: (typed, value meant)
READABLE = [
    ("420,5", Decimal("420.5")),
    ("1 250,50", Decimal("1250.50")),
    (f"1{NBSP}250,50", Decimal("1250.50")),
    (f"1{NNBSP}250,50", Decimal("1250.50")),
    ("1250.50", Decimal("1250.50")),
    ("1250,50", Decimal("1250.50")),
    ("1 250,50 €", Decimal("1250.50")),
    (f"1{NNBSP}250,50{NBSP}€", Decimal("1250.50")),
    ("1250€", Decimal("1250")),
    ("  12 345 678,9 ", Decimal("12345678.9")),
    ("0,5", Decimal("0.5")),
]

#: typed, and a piece of the French error shown next to the field
REFUSED = [
    ("1.250,5", "Nombre ambigu"),
    ("12,345,6", "Nombre mal écrit"),
    ("abc", "Indiquez un nombre"),
    ("1.250", "Nombre ambigu"),
    ("1 25,5", "Nombre mal écrit"),
    ("NaN", "Indiquez un nombre"),
    ("Infinity", "Indiquez un nombre"),
    ("1e5", "Indiquez un nombre"),
    ("9" * 40, "trop grand"),
]


@pytest.mark.parametrize(("typed", "meant"), READABLE)
def test_parse_number_reads_french(typed, meant):
    assert parse_number(typed, "fr") == meant


@pytest.mark.parametrize(("typed", "why"), REFUSED)
def test_parse_number_refuses_what_it_would_have_to_guess(typed, why):
    with pytest.raises(NumberParseError, match=why):
        parse_number(typed, "fr")


def _field_error(page: str, field: str) -> str:
    marker = f'id="{field}-error"'
    assert marker in page, f"no error next to {field}"
    return page.split(marker, 1)[1].split("</p>", 1)[0]


# ------------------------------------------------------------------ holder: CPF statement


@pytest.mark.parametrize(("typed", "meant"), READABLE[:9])
def test_cpf_balance_typed_the_french_way(client, holder, typed, meant):
    r = submit(client, "/passeport/cpf", {"as_of": "2026-01-15", "balance_eur": typed})
    assert r.status_code == 302, text(r)[:300]
    statement = db.session.execute(db.select(CpfStatement)).scalar_one()
    assert statement.balance_cents == int(meant * 100)


@pytest.mark.parametrize(("typed", "why"), [*REFUSED, ("12,345", "2 chiffres après la virgule")])
def test_cpf_balance_refused_next_to_the_field(client, holder, typed, why):
    r = submit(client, "/passeport/cpf", {"as_of": "2026-01-15", "balance_eur": typed})
    assert r.status_code in (200, 422)
    assert why in _field_error(text(r), "balance_eur")
    assert db.session.execute(db.select(CpfStatement)).first() is None


@pytest.mark.parametrize(
    ("typed", "meant"), [("1 250", 1250), (f"1{NNBSP}250", 1250), ("120", 120), ("120,0", 120)]
)
def test_dif_hours_typed_the_french_way(client, holder, typed, meant):
    r = submit(
        client, "/passeport/cpf", {"as_of": "2026-01-15", "balance_eur": "10", "dif_hours": typed}
    )
    assert r.status_code == 302
    assert db.session.execute(db.select(CpfStatement.dif_hours)).scalar_one() == meant


@pytest.mark.parametrize(("typed", "why"), [("120,5", "nombre entier"), ("1.250", "ambigu")])
def test_dif_hours_refused_next_to_the_field(client, holder, typed, why):
    r = submit(
        client, "/passeport/cpf", {"as_of": "2026-01-15", "balance_eur": "10", "dif_hours": typed}
    )
    assert why in _field_error(text(r), "dif_hours")
    assert db.session.execute(db.select(CpfStatement)).first() is None


def test_cpf_edit_form_shows_and_reads_french(client, holder):
    passport = passports.passport_of(holder)
    statement = records.declare_cpf(passport, date(2026, 1, 1), Decimal("1250.5"))
    db.session.commit()
    url = f"/passeport/cpf/{statement.id}/modifier"
    page = text(client.get(url))
    assert 'inputmode="decimal"' in page and 'type="number"' not in page
    assert "1\u202f250,5" in page or "1 250,5" in page or "1\xa0250,5" in page
    r = submit(client, url, {"as_of": "2026-01-01", "balance_eur": "1 840,25 €"})
    assert r.status_code == 302
    assert passports.load_view(passport, ("cpf",)).cpf_current.balance == Decimal("1840.25")


# ------------------------------------------------------------------ holder: trainings


def _hours() -> list:
    return list(db.session.execute(db.select(Training.hours)).scalars())


@pytest.mark.parametrize(
    ("typed", "meant"), [*READABLE[:5], ("1 250,5", Decimal("1250.5")), ("1,25", Decimal("1.25"))]
)
def test_training_hours_typed_the_french_way(client, holder, typed, meant):
    data = {"title": "CAP Boulanger", "status": "planned", "hours": typed}
    r = submit(client, "/passeport/formations/ajouter", data)
    assert r.status_code == 302  # "1 250,50" h is 1250.5 h: a trailing zero is no decimal
    assert _hours() == [meant]


@pytest.mark.parametrize(("typed", "why"), [*REFUSED, ("420,125", "2 chiffres après la virgule")])
def test_training_hours_refused_next_to_the_field(client, holder, typed, why):
    data = {"title": "CAP Boulanger", "status": "planned", "hours": typed}
    r = submit(client, "/passeport/formations/ajouter", data)
    assert why in _field_error(text(r), "hours")
    assert _hours() == []


def test_training_edit_keeps_french_hours(client, holder):
    passport = passports.passport_of(holder)
    training = records.declare_training(
        passport, title="CAP", status="planned", hours=Decimal("420.5")
    )
    db.session.commit()
    url = f"/passeport/formations/{training.id}/modifier"
    page = text(client.get(url))
    assert 'value="420,5"' in page and 'type="number"' not in page
    r = submit(client, url, {"title": "CAP", "status": "planned", "hours": "1 250,5"})
    assert r.status_code == 302
    assert Decimal("1250.5") in _hours()


# ------------------------------------------------------------------ holder: profile, share


@pytest.mark.parametrize(("typed", "meant"), [("2006", 2006), (" 2006 ", 2006)])
def test_birth_year(client, holder, typed, meant):
    r = submit(
        client,
        "/passeport/profil",
        {"birth_year": typed, "department": "", "situation": "", "qualification_level": ""},
    )
    assert r.status_code == 302
    assert db.session.execute(db.select(Passport.birth_year)).scalar_one() == meant


@pytest.mark.parametrize("typed", ["2006,5", "abc", "20.06"])
def test_birth_year_refused(client, holder, typed):
    r = submit(
        client,
        "/passeport/profil",
        {"birth_year": typed, "department": "", "situation": "", "qualification_level": ""},
    )
    _field_error(text(r), "birth_year")
    assert db.session.execute(db.select(Passport.birth_year)).scalar_one() is None


def test_share_duration_is_a_text_input_read_on_the_server(client, holder, network):
    page = text(client.get(CUSTOM_FORM))
    assert 'type="number"' not in page and 'inputmode="numeric"' in page
    r = submit(
        client,
        "/partages/nouveau",
        {"sections": ["profile"], "permissions": "read", "expires_in_days": "7,5"},
        form_url=CUSTOM_FORM,
    )
    _field_error(text(r), "expires_in_days")
    create_share(client, expires_in_days=" 7 ")
    share = db.session.execute(db.select(ShareLink)).scalar_one()
    assert (share.expires_at - share.created_at).days == 7


# ------------------------------------------------------------------ advisor: attested training


def test_advisor_training_hours_typed_the_french_way(client, holder, advisor_client, network):
    share_id, token = create_share(client)
    assert open_link(advisor_client, token).status_code == 302
    url = f"/espace/partages/{share_id}/formation"
    page = text(advisor_client.get(url))
    assert 'inputmode="decimal"' in page and 'type="number"' not in page
    r = submit(
        advisor_client, url, {"title": "Titre pro", "status": "completed", "hours": "1.250,5"}
    )
    assert "Nombre ambigu" in _field_error(text(r), "hours")
    assert _hours() == []
    r = submit(advisor_client, url, {"title": "Titre pro", "status": "completed", "hours": "420,5"})
    assert r.status_code == 302
    assert _hours() == [Decimal("420.5")]
