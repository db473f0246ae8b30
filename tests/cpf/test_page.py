"""/cpf/simulateur: public, step by step in French, prefilled for a holder, errors by field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from tests import factories
from tests.sharing_web.helpers import assert_inputs_labelled, text
from tests.web import login

URL = "/cpf/simulateur"


def _errors(page: str) -> list[str]:
    return [e.strip() for e in re.findall(r'class="field__error"[^>]*>\s*([^<]+)', page)]


def test_public_page_with_the_rules_and_the_public_agents_note(client, ctx):
    r = client.get(URL)
    assert r.status_code == 200
    page = text(r)
    assert_inputs_labelled(page)
    assert "Agents publics" in page and "ne vous concerne pas" in page
    assert "R6323-1" in page and "décret n° 2024-394" in page
    assert "Le calcul, étape par étape" not in page
    assert 'type="number"' not in page and 'inputmode="decimal"' in page


def test_each_step_in_french(client, ctx):
    query = {
        "balance_eur": "4 800,50 €",
        "as_of": "2026-01-10",
        "years-0-year": "2026",
        "years-0-work_percent": "30",
        "years-1-year": "2027",
        "years-1-work_percent": "100",
        "years-1-below_level_3": "y",
        "training_cost_eur": "6 000",
        "purchase_date": "2027-03-01",
    }
    page = text(client.get(URL + "?" + urlencode(query)))
    page = re.sub(r"[\u202f\xa0]", " ", page)
    assert "Solde de départ au 10 janvier 2026 : 4 800,50 €." in page
    assert "moins qu'un mi-temps : 500,00 € × 30 % ÷ 50 % = 300,00 €" in page
    assert "Le plafond de 5 000,00 € limite ce crédit à 199,50 €." in page
    assert "sans diplôme de niveau 3, une année complète rapporte 800,00 €" in page
    assert "Solde prévu : 5 800,00 €." in page
    assert "103,20 €" in page
    assert "Reste à votre charge : 303,20 €" in page  # 6000 - 5800 + 103.20


def test_exemptions_are_said(client, ctx):
    base = {"balance_eur": "0", "as_of": "2024-01-01", "training_cost_eur": "500"}
    page = text(client.get(URL + "?" + urlencode({**base, "jobseeker": "y"})))
    assert "les demandeurs d'emploi en sont dispensés" in page
    page = text(client.get(URL + "?" + urlencode({**base, "employer_cofunding_eur": "100"})))
    assert "votre employeur finance une partie" in page
    page = text(client.get(URL + "?" + urlencode({**base, "purchase_date": "2024-03-01"})))
    assert "aucune pour un achat avant le 2 mai 2024" in page


def test_errors_next_to_the_fields(client, ctx):
    query = {
        "balance_eur": "1.250,5",
        "as_of": "",
        "years-0-year": "2015",
        "years-0-work_percent": "30",
        "years-1-year": "2026",
        "years-1-work_percent": "300",
        "years-2-year": "2027",
    }
    r = client.get(URL + "?" + urlencode(query))
    assert r.status_code == 422
    errors = _errors(text(r))
    assert any("Nombre ambigu" in e for e in errors)
    assert "Indiquez la date de ce solde." in errors
    assert any("à partir de 2019" in e for e in errors)
    assert "De 0 à 100 %." in errors
    assert "Indiquez le temps de travail de cette année." in errors
    assert "Le calcul, étape par étape" not in text(r)


def test_one_year_once(client, ctx):
    query = {"balance_eur": "0", "as_of": "2026-01-01"}
    for i in range(2):
        query |= {f"years-{i}-year": "2026", f"years-{i}-work_percent": "50"}
    r = client.get(URL + "?" + urlencode(query))
    assert r.status_code == 422 and "Chaque année ne compte qu'une fois." in _errors(text(r))


def test_prefilled_from_the_holders_latest_statement(client, ctx):
    holder = factories.holder("lea@example.org")
    passport = passports.passport_of(holder)
    records.declare_cpf(passport, date(2025, 6, 1), Decimal("900"))
    records.declare_cpf(passport, date(2026, 1, 15), Decimal("1250.5"))
    passports.update_profile(passport, qualification_level=0, situation="jobseeker")
    db.session.commit()
    login(client, "lea@example.org")
    page = re.sub(r"[\u202f\xa0]", " ", text(client.get(URL)))
    assert "Prérempli avec votre relevé du 15 janvier 2026 (1 250,50 €)" in page
    assert re.search(r'<input[^>]*name="balance_eur"[^>]*value="1 250,5"', page)
    assert 'value="2026-01-15"' in page
    assert re.search(r'id="jobseeker"[^>]*checked|checked[^>]*id="jobseeker"', page)
    assert re.search(
        r'checked[^>]*id="years-0-below_level_3"|id="years-0-below_level_3"[^>]*checked', page
    )
    card = text(client.get("/passeport/cpf"))
    assert "/cpf/simulateur" in card
