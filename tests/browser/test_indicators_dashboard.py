"""Issue 10 in real Chromium: a coordinator reads the dashboard, filters it, downloads the CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.indicators import world

pytestmark = pytest.mark.browser


@pytest.fixture
def coordinator(live_app):
    with live_app.app_context():
        ml, cio, cap, _ = world.network()
        for _ in range(12):
            world.reception(ml, date(2026, 5, 12), "in_person", ["summer_job", "job_search"])
        for _ in range(7):
            world.reception(cio, date(2026, 2, 12), "phone", ["orientation"])
        for _ in range(9):
            world.reception(cap, date(2026, 5, 12), "online", ["vae"])
        for _ in range(6):
            world.referral(ml, cio, date(2026, 5, 13), status="received", received_after=3)
        world.settle()
        return factories.staff("coordinator", None, email="coord@region.example.org").email


def test_coordinator_filters_reads_a_table_and_downloads_the_csv(page: Page, base_url, coordinator):
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(coordinator)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if not page.url.rstrip("/").endswith("/indicateurs") and "/indicateurs?" not in page.url:
        page.get_by_role("link", name="Indicateurs").click()
    expect(page.get_by_role("heading", name="Indicateurs du territoire")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Du mois").fill("2026-04")
    page.get_by_label("Au mois (inclus)").fill("2026-06")
    page.get_by_label("Département").fill("28")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"from=2026-04.*to=2026-06.*department=28"))
    expect(page.locator("#period")).to_contain_text("1er avril 2026")
    expect(page.locator("#period")).to_contain_text("30 juin 2026")
    assert_accessible(page)

    figure = page.get_by_role("figure", name="Premiers accueils par canal")
    row = figure.get_by_role("row", name=re.compile("Sur place"))
    expect(row.get_by_role("cell")).to_have_text("10")
    # February (the CIO's phone receptions) and department 45 (the CAP) are not counted.
    expect(figure.get_by_role("row", name=re.compile("En ligne")).get_by_role("cell")).to_have_text(
        "moins de 5"
    )
    expect(page.locator(".callout")).to_contain_text("Job d'été")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger ces chiffres (CSV)").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = {
        (r["section"], r["indicator"], r["key"]): r["value"]
        for r in csv.DictReader(io.StringIO(text))
    }
    assert rows[("question", "department", "")] == "28"
    assert rows[("receptions", "by_channel", "in_person")] == "10"
    assert rows[("receptions", "by_channel", "online")] == ""
