"""A passport with one record of every kind, written through the real services.

The free texts carry unique markers so that tests can look for them in raw database rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from passport.structures.services import get_structure
from passport.trust.cli import purge_command
from tests import factories as f

HOLDER_NAME = "Léa Zéphyrine Martin"
HOLDER_EMAIL = "lea.zephyrine@example.org"
SUMMARY = "NOTE-ACCUEIL-7f3a souhaite devenir soudeuse, soucis de santé"
MESSAGE = "MESSAGE-ORIENTATION-91bc merci de la recevoir vite"
NOTE = "NOTE-STATUT-4d2e rendez-vous pris par téléphone"
ANON_SUMMARY = "ANONYME-5c6d question sur le CPF"
OTHER_SUMMARY = "AUTRE-TITULAIRE-8e8e suivi en cours"


@dataclass
class World:
    holder_id: int
    passport_id: int
    token: str
    ml_key: str
    cap_key: str
    advisor_id: int
    other_passport_id: int
    other_token: str

    @property
    def auth(self) -> dict:
        return f.bearer(self.token)


def build_world(app) -> World:
    with app.app_context():
        ml = f.structure("ML-DREUX", "ML", name="Mission locale de Dreux")
        cap = f.structure("CAP-28", "CAP", name="Cap emploi Eure-et-Loir")
        advisor = f.staff("advisor", ml, name="Camille Roux")
        cap_advisor = f.staff("advisor", cap, name="Sam Bernard")
        user = f.holder(HOLDER_EMAIL, name=HOLDER_NAME)
        passport = passports.passport_of(user)
        passports.update_profile(passport, birth_year=1998, department="28")
        pid = passport.id
        first = records.declare_training(
            passport, title="Soudure TIG", status="planned", hours=Decimal("1.25")
        )
        records.record_reception(
            ml,
            pid,
            date=date(2026, 3, 2),
            channel="in_person",
            needs=["training_search", "training_funding"],
            advisor=advisor,
            situation="jobseeker",
            outcome="referred",
            summary=SUMMARY,
        )
        referral = records.send_referral(
            ml, pid, cap, needs=["job_search"], message=MESSAGE, advisor=advisor
        )
        records.change_referral_status(referral, cap, "received", note=NOTE, advisor=cap_advisor)
        records.attest_training(
            ml, pid, advisor=advisor, title="CACES R489", status="completed", hours=Decimal("35")
        )
        records.declare_cpf(passport, date(2026, 1, 31), Decimal("1234.56"))
        records.edit_training(passport, first.id, status="in_progress")
        records.record_reception(
            ml, None, date=date(2026, 3, 3), channel="phone", needs=["vae"], summary=ANON_SUMMARY
        )
        other = f.holder("autre@example.org", name="Nour Benali")
        other_passport = passports.passport_of(other)
        records.record_reception(
            ml,
            other_passport.id,
            date=date(2026, 3, 4),
            channel="online",
            needs=["orientation"],
            summary=OTHER_SUMMARY,
        )
        db.session.commit()
        return World(
            holder_id=user.id,
            passport_id=pid,
            token=f.token(user),
            ml_key=f.api_key(get_structure("ML-DREUX")),
            cap_key=f.api_key(get_structure("CAP-28")),
            advisor_id=advisor.id,
            other_passport_id=other_passport.id,
            other_token=f.token(other),
        )


@pytest.fixture
def world(app) -> World:
    return build_world(app)


@pytest.fixture
def bundle(client, world) -> dict:
    r = client.get("/api/v1/me/export", headers=world.auth)
    assert r.status_code == 200
    return r.get_json()


@pytest.fixture
def cli_app(app):
    """The app with ``purge`` registered at the top level, as ``passport.cli`` should."""
    if "purge" not in app.cli.commands:
        app.cli.add_command(purge_command)
    return app
