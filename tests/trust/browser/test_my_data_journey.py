"""A holder downloads their passport, prints it, has it verified, then erases everything,
in real Chromium, with axe-core on every page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.trust.conftest import HOLDER_EMAIL, build_world

pytestmark = pytest.mark.browser


def test_take_away_verify_and_erase(page: Page, base_url: str, live_app, tmp_path):
    build_world(live_app)
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(HOLDER_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/passeport/$"))
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger en PDF").click()
    download = info.value
    assert re.fullmatch(r"passeport-spro-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="Mes données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger mon passeport (JSON)").click()
    download = info.value
    assert re.fullmatch(r"passeport-spro-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    export = tmp_path / download.suggested_filename
    download.save_as(export)
    assert json.loads(export.read_text())["format"] == "passeport-spro/1"

    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Passeport SPRO de")
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.goto(base_url + "/verifier")
    assert_accessible(page)
    page.get_by_label("Fichier d'export (.json ou .pdf)").set_input_files(str(export))
    page.get_by_role("button", name="Vérifier").click()
    expect(
        page.get_by_role("heading", name="Cet export est authentique et complet.")
    ).to_be_visible()
    expect(page.get_by_text("Attesté par Cap emploi Eure-et-Loir")).to_be_visible()
    assert_accessible(page)
    # the PDF downloaded from the passport verifies the same way
    page.get_by_label("Fichier d'export (.json ou .pdf)").set_input_files(str(pdf))
    page.get_by_role("button", name="Vérifier").click()
    expect(
        page.get_by_role("heading", name="Cet export est authentique et complet.")
    ).to_be_visible()
    expect(page.get_by_text("Attesté par Cap emploi Eure-et-Loir")).to_be_visible()

    page.goto(base_url + "/mes-donnees")
    page.get_by_role("link", name="Effacer mon compte…").click()
    assert_accessible(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Effacer définitivement mon compte").click()
    expect(page.locator("#confirm-error")).to_contain_text("Cochez cette case")
    assert_accessible(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label(re.compile("Je comprends que mon compte")).check()
    page.get_by_role("button", name="Effacer définitivement mon compte").click()
    expect(page.get_by_text("Votre compte et votre passeport ont été effacés.")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
