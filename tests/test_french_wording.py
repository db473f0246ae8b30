"""French that reads well (issue 11, item 8): "1er décembre", articles before structure names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from passport.labels import at_structure, to_structure
from passport.templating import date_fr, datetime_fr


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
