"""French that reads well (issue 11, item 8): "1er décembre", articles before structure names."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale

from passport.labels import at_structure, to_structure
from passport.templating import date_fr, datetime_fr, hours_fr


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def test_the_first_of_the_month_is_1er(request_ctx):
    assert date_fr(date(2026, 12, 1)) == "1er décembre 2026"
    assert date_fr(date(2026, 12, 2)) == "2 décembre 2026"
    assert date_fr(date(2026, 12, 11)) == "11 décembre 2026"
    assert date_fr(None) == ""


def test_the_first_is_the_day_in_paris(request_ctx):
    # 23:30 UTC on 30 November is 00:30 on 1 December in Paris
    assert datetime_fr(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == ("1er décembre 2026 à 00:30")
    assert datetime_fr(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == ("2 décembre 2026 à 00:30")


@pytest.mark.parametrize(
    ("hours", "french", "english"),
    [
        (Decimal("0.5"), "0,5 heure", "0.5 hours"),
        (Decimal("1"), "1 heure", "1 hour"),
        (Decimal("1.25"), "1,25 heure", "1.25 hours"),  # 1 h 15, to the hundredth
        (Decimal("1.50"), "1,5 heure", "1.5 hours"),
        (Decimal("1.99"), "1,99 heure", "1.99 hours"),
        (Decimal("2"), "2 heures", "2 hours"),
        (Decimal("35.0"), "35 heures", "35 hours"),
        (Decimal("1250.5"), "1\u202f250,5 heures", "1,250.5 hours"),
    ],
)
def test_hours_are_exact_and_singular_below_2_in_french(request_ctx, hours, french, english):
    assert hours_fr(hours) == french
    with force_locale("en"):
        assert hours_fr(hours) == english
    assert hours_fr(None) == ""


def test_english_keeps_its_own_dates(request_ctx):
    with force_locale("en"):
        assert "1er" not in date_fr(date(2026, 12, 1))
        assert "1er" not in datetime_fr(datetime(2026, 12, 1, 12, tzinfo=UTC))


@pytest.mark.parametrize(
    ("name", "at", "towards"),
    [
        (
            "Mission locale de Dreux",
            "à la Mission locale de Dreux",
            "vers la Mission locale de Dreux",
        ),
        ("CIO de Dreux", "au CIO de Dreux", "vers le CIO de Dreux"),
        ("Apec Centre", "à l'Apec Centre", "vers l'Apec Centre"),
        ("Espace Métiers", "à l'Espace Métiers", "vers l'Espace Métiers"),
        ("France Travail Dreux", "à France Travail Dreux", "vers France Travail Dreux"),
        ("Cap emploi 28", "à Cap emploi 28", "vers Cap emploi 28"),
        ("Point relais VAE", "au Point relais VAE", "vers le Point relais VAE"),
    ],
)
def test_articles_before_structure_names(request_ctx, name, at, towards):
    assert at_structure(name) == at
    assert to_structure(name) == towards


# A letter, a middle dot, a letter: "conseiller·ère", "salarié·e". Screen readers spell these
# out ("conseiller point ère"); "data·inclusion" is a proper name, not an inclusive form.
INCLUSIVE_DOT = re.compile(r"[^\W\d_]·[^\W\d_]")


def _msgids() -> list[str]:
    catalog = Path(__file__).resolve().parent.parent / "passport/translations/messages.pot"
    ids, current = [], None
    for line in catalog.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            current = [line.split(" ", 1)[1]]
            ids.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            current = None
    return ["".join(part.strip().strip('"') for part in parts) for parts in ids]


def test_no_inclusive_middle_dot_forms_in_the_interface():
    found = [m for m in _msgids() if INCLUSIVE_DOT.search(m.replace("data·inclusion", ""))]
    assert found == []
    assert "Conseiller ou conseillère" in _msgids()  # the catalog was read


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("employee", "Salarié ou salariée"),
        ("jobseeker", "Demandeur ou demandeuse d'emploi"),
        ("student", "Élève, étudiant ou étudiante"),
    ],
)
def test_situations_read_as_doubled_forms(request_ctx, code, label):
    from passport.labels import SITUATIONS

    assert str(SITUATIONS[code]) == label
    with force_locale("en"):
        assert str(SITUATIONS[code]) != label  # the English catalog has it


def test_roles_read_as_doubled_forms(request_ctx):
    from passport.labels import ROLES

    assert str(ROLES["advisor"]) == "Conseiller ou conseillère"
    assert str(ROLES["structure_admin"]) == "Administrateur ou administratrice de structure"
    with force_locale("en"):
        assert str(ROLES["advisor"]) == "Advisor"
