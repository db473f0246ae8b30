"""A holder registers, logs in, adds a training and a CPF statement, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_holder_registers_adds_training_and_cpf(page: Page, base_url: str):
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre parcours")
    assert_accessible(page)

    page.get_by_role("link", name="Créer mon passeport").first.click()
    assert_accessible(page)
    # A first try with a short password: the error shows next to the field.
    page.get_by_label("Nom et prénom").fill("Léa Martin")
    page.get_by_label("Adresse e-mail").fill("lea@example.org")
    page.get_by_label("Mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmez le mot de passe").fill("court")
    page.get_by_role("button", name="Créer mon passeport").click()
    expect(page.locator("#password-error")).to_contain_text("au moins 12 caractères")
    assert_accessible(page)
    page.get_by_label("Mot de passe", exact=True).fill("une phrase assez longue")
    page.get_by_label("Confirmez le mot de passe").fill("une phrase assez longue")
    page.get_by_role("button", name="Créer mon passeport").click()
    expect(page).to_have_url(re.compile(r"/passeport/$"))
    expect(page.get_by_text("Votre passeport est vide")).to_be_visible()
    assert_accessible(page)

    # Log out and back in.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").first.click()
    page.get_by_label("Adresse e-mail").fill("lea@example.org")
    page.get_by_label("Mot de passe").fill("une phrase assez longue")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/passeport/$"))

    page.get_by_role("link", name="Ajouter une formation").first.click()
    assert_accessible(page)
    page.get_by_label("Intitulé de la formation").fill("CAP Boulanger")
    page.get_by_label("Organisme de formation").fill("CFA de Chartres")
    page.get_by_label("État").select_option("in_progress")
    page.get_by_label("Date de début").fill("2026-09-01")
    page.get_by_label("Nombre d'heures").fill("1200")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Formation ajoutée à votre passeport.")).to_be_visible()
    expect(page.get_by_role("heading", name="CAP Boulanger")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="CPF", exact=True).click()
    page.get_by_label("Date du relevé").fill("2026-01-15")
    page.get_by_label("Solde en euros").fill("1840.50")
    page.get_by_role("button", name="Enregistrer le relevé").click()
    expect(page.get_by_text("Relevé CPF enregistré.")).to_be_visible()
    expect(page.locator(".cpf-card__balance")).to_contain_text("1\u202f840,50")
    assert_accessible(page)

    page.get_by_role("link", name="Vue d'ensemble").click()
    expect(page.get_by_role("heading", name="CAP Boulanger")).to_be_visible()
    expect(page.locator(".cpf-card__balance")).to_contain_text("1\u202f840,50")
    assert_accessible(page)

    page.get_by_role("link", name="Profil").click()
    assert_accessible(page)
