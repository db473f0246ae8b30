"""Territory data (INSEE geography shipped with the app) and opening hours in French."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from passport.directory import hours, territory


@pytest.mark.parametrize(
    ("code", "name", "postal", "epci"),
    [
        ("28134", "Dreux", "28100", "200040277"),
        ("28404", "Vernouillet", "28500", "200040277"),
        ("28085", "Chartres", "28000", "200033181"),
        ("28088", "Châteaudun", "28200", "200069961"),
        ("28280", "Nogent-le-Rotrou", "28400", "200006971"),
    ],
)
def test_communes_of_department_28_resolve(code, name, postal, epci):
    commune = territory.commune(code)
    assert commune is not None
    assert (commune.name, commune.department, commune.epci) == (name, "28", epci)
    assert postal in commune.postal_codes
    assert territory.zone_code_kind(code) == "commune"


def test_the_whole_of_france_is_shipped():
    assert territory.commune("75056").name == "Paris"
    assert territory.commune("2A004").department == "2A"  # Ajaccio
    assert territory.commune("97411").department == "974"  # Saint-Denis (La Réunion)
    assert territory.commune("99999") is None


def test_zone_codes_and_labels():
    assert territory.zone_code_kind("28") == "department"
    assert territory.zone_code_kind("200040277") == "epci"
    assert territory.zone_code_kind("france") == "france"
    assert territory.zone_code_kind("123456789") is None
    assert territory.zone_code_kind("ZZ") is None
    assert territory.zone_label("28") == "Eure-et-Loir"
    assert "Dreux" in territory.zone_label("200040277")


def test_search_by_name_without_accents_and_by_postal_code():
    assert territory.search("chateaudun")[0].code == "28088"
    assert territory.search("Dreux")[0].code == "28134"
    assert {c.code for c in territory.search("28500", limit=50)} >= {"28404"}
    assert territory.search("28134")[-1].name == "Dreux"  # an INSEE code works too
    assert territory.search("28100")[0].name == "Dreux"  # postal code before INSEE code
    assert territory.search("") == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            "Mo-Fr 09:00-12:30,13:30-17:00",
            "lundi au vendredi, 9 h–12 h 30 et 13 h 30–17 h",
        ),
        (
            "Mo-Th 08:45-12:00,14:00-17:30; Fr 08:45-12:00; PH off",
            "lundi au jeudi, 8 h 45–12 h et 14 h–17 h 30 ; vendredi, 8 h 45–12 h ;"
            " fermé les jours fériés",
        ),
        ("Mo,We 09:00-12:00", "lundi, 9 h–12 h ; mercredi, 9 h–12 h"),
        ("Tu-We 14:00-18:00", "mardi et mercredi, 14 h–18 h"),
        ("24/7", "tous les jours, jour et nuit"),
        ("Sa 22:00-02:00", "samedi, 22 h–24 h ; dimanche, 0 h–2 h"),
        ("off", "fermé"),
    ],
)
def test_hours_in_plain_french(app, value, text):
    with app.test_request_context():
        assert hours.describe(value, datetime(2026, 6, 10, 8, tzinfo=UTC)) == text


def test_open_now_in_french_time(app):
    value = "Mo-Fr 09:00-12:30,13:30-17:00; PH off"
    with app.test_request_context():
        # Wednesday 10 June 2026: 07:30 UTC is 09:30 in Paris (summer time)
        assert hours.is_open(value, datetime(2026, 6, 10, 7, 30, tzinfo=UTC)) is True
        assert hours.is_open(value, datetime(2026, 6, 10, 6, 30, tzinfo=UTC)) is False
        assert hours.is_open(value, datetime(2026, 6, 10, 11, 0, tzinfo=UTC)) is False  # lunch
        # 14 July is a public holiday in France: closed although a Tuesday
        assert hours.is_open(value, datetime(2026, 7, 14, 8, 0, tzinfo=UTC)) is False
        assert hours.is_open(None) is None
        assert hours.is_open("not hours") is None


def test_invalid_hours_are_refused():
    for bad in ["", "lundi 9h", "Mo-Fr 25:00-26:00x", "x" * 600]:
        assert not hours.is_valid(bad)
    assert hours.check("  Mo-Fr   09:00-17:00 ") == "Mo-Fr 09:00-17:00"


def test_the_communes_are_read_on_first_use_not_at_start_up():
    import subprocess
    import sys

    code = (
        "from config import TestingConfig; from passport import create_app;"
        "from passport.directory import territory;"
        "create_app(TestingConfig, {'SQLALCHEMY_DATABASE_URI': 'sqlite://'});"
        "assert territory._communes.cache_info().currsize == 0;"
        "territory.commune('28134');"
        "assert territory._communes.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
