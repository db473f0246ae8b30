"""/indicateurs: the coordinator's dashboard (charts with tables, filters in the URL, CSV)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests import factories
from tests.indicators import world
from tests.web import login


@pytest.fixture
def data(ctx):
    ml, cio, cap, cio45 = world.network()
    for _ in range(11):
        world.reception(ml, date(2026, 4, 3), "in_person", ["summer_job", "orientation"])
    for _ in range(6):
        world.reception(cap, date(2026, 7, 3), "phone", ["vae"])
    for _ in range(6):
        world.reception(cio, date(2026, 5, 3), "online", ["job_search"])
    for _ in range(8):
        world.referral(ml, cio, date(2026, 5, 4), status="completed")
    for _ in range(6):
        world.referral(cio, ml, date(2026, 5, 4), status="declined", reason="no_capacity")
    world.settle()


@pytest.fixture
def coordinator(client, ctx):
    user = factories.staff("coordinator", None)
    login(client, user.email)
    return user


def test_the_dashboard_shows_charts_tables_and_the_method(client, coordinator, data):
    r = client.get("/indicateurs?from=2026-04&to=2026-06&department=28")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Baromètre des besoins" in page
    assert "<svg" in page and 'role="img"' in page
    assert "Les trois besoins les plus fréquents" in page
    assert "Méthode" in page
    assert "moins de 5" in page
    assert "1er avril 2026" in page and "30 juin 2026" in page
    assert 'value="2026-04"' in page and 'value="28"' in page
    # the CAP (department 45) is not counted: no VAE shown
    assert "Validation des acquis (VAE) (" not in page
    assert "/indicateurs.csv?" in page


def test_reasons_and_the_two_speeds_side_by_side(client, coordinator, data):
    page = client.get("/indicateurs?from=2026-04&to=2026-06&department=28").get_data(as_text=True)
    # the reasons chart: 6 declines for lack of room (5 once rounded)
    reasons = page[page.index('id="reasons-caption"') :]
    assert re.search(r"Plus de place disponible</th><td class=\"num\">5</td>", reasons)
    # the ML (a CEP operator) completed 8 of its 8 (5 of 5), the CIO declined 6 of its 6
    table = page[page.index('id="cep-comparison"') :]
    table = table[: table.index("</table>")]
    rows = {
        label: re.findall(r'<td class="num">([^<]*)</td>', cells)
        for label, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', table)
    }
    assert rows["Orientations envoyées"] == ["5", "5"]
    assert rows["Terminées"] == ["5", "moins de 5"]
    assert rows["Déclinées"] == ["moins de 5", "5"]
    assert rows["Part des orientations terminées"] == ["environ 100 %", "non publiée"]
    assert rows["Part des orientations déclinées"] == ["non publiée", "environ 100 %"]
    delays = [cells for label, cells in rows.items() if label.startswith("Délai médian")]
    assert delays == [["non publié (moins de 5 délais)"] * 2] * 2


def test_the_csv_is_what_the_page_shows(client, coordinator, data):
    r = client.get("/indicateurs.csv?from=2026-04&to=2026-06&department=28")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    by = {(row["section"], row["indicator"], row["key"]): row["value"] for row in rows}
    assert by[("receptions", "total", "")] == "15"
    assert by[("receptions", "by_need", "summer_job")] == "10"
    assert by[("receptions", "by_need", "vae")] == ""
    assert by[("referrals", "routes_completed", "ML>CIO")] == "5"


def test_bad_filters_are_explained_next_to_the_field(client, coordinator):
    r = client.get("/indicateurs?from=2026-13&department=Eure")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Indiquez un mois de début valide" in page
    assert "Indiquez un numéro de département" in page
    assert 'aria-invalid="true"' in page


def test_empty_states(client, coordinator):
    page = client.get("/indicateurs?from=2020-01&to=2020-03").get_data(as_text=True)
    assert "Pas assez de premiers accueils" in page
    assert "Aucun trajet" in page


@pytest.mark.parametrize("role", ["advisor", "structure_admin"])
def test_staff_of_structures_get_403(client, ctx, role):
    user = factories.staff(role, factories.structure())
    login(client, user.email)
    assert client.get("/indicateurs").status_code == 403
    assert client.get("/indicateurs.csv").status_code == 403


def test_holders_get_403_and_visitors_log_in(client, ctx):
    assert client.get("/indicateurs").status_code == 302
    login(client, factories.holder().email)
    assert client.get("/indicateurs").status_code == 403


def test_the_menu_links_to_the_dashboard(client, coordinator):
    page = client.get("/indicateurs").get_data(as_text=True)
    assert 'href="/indicateurs" aria-current="page"' in page
