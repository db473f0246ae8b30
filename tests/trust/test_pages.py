"""The trust pages: "Mes données", the download, the printable passport, the public verifier."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest

from tests import factories as f
from tests.trust.conftest import HOLDER_NAME, SUMMARY
from tests.trust.test_erasure import _csrf, _login

TEMPLATES = Path(__file__).parents[2] / "passport" / "templates" / "trust"


def test_my_data_needs_a_holder(app, client, world):
    r = client.get("/mes-donnees")
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]
    with app.app_context():
        f.staff("advisor", f.structure(), email="conseil@example.org")
    _login(client, "conseil@example.org")
    assert client.get("/mes-donnees").status_code == 403
    assert client.get("/mes-donnees/export.json").status_code == 403


def test_my_data_page(client, world):
    _login(client)
    page = client.get("/passeport/").get_data(as_text=True)
    assert 'href="/mes-donnees"' in page  # in the menu
    r = client.get("/mes-donnees")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Télécharger mon passeport (JSON)" in page
    assert 'href="/mes-donnees/export.json"' in page
    assert 'href="/mes-donnees/imprimer"' in page
    assert 'href="/mes-donnees/effacer"' in page
    assert "365 jours" in page  # access log retention, from the configuration
    # current versions only: the edited training counts once
    assert re.search(r"Formations</dt><dd>2</dd>", page)
    assert re.search(r"Accueils</dt><dd>1</dd>", page)
    assert "Après 2 ans sans activité" in page


def test_download(client, world):
    _login(client)
    r = client.get("/mes-donnees/export.json")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert re.fullmatch(
        r'attachment; filename="passeport-spro-\d{4}-\d{2}-\d{2}\.json"',
        r.headers["Content-Disposition"],
    )
    assert r.headers["Cache-Control"] == "no-store"
    bundle = json.loads(r.data)
    assert bundle["holder"]["full_name"] == HOLDER_NAME
    assert client.post("/api/v1/verify", json=bundle).get_json()["valid"] is True


def test_printable(client, world):
    _login(client)
    r = client.get("/mes-donnees/imprimer")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f"Passeport SPRO de {HOLDER_NAME}" in page
    assert SUMMARY in page  # decrypted for its holder
    assert "Attesté par Mission locale de Dreux" in page
    assert "Déclaré par le titulaire" in page
    assert "Cap emploi Eure-et-Loir" in page
    assert "CACES R489" in page and "234,56" in page
    # Exact hours, singular below 2, worded as the PDF does (test_pdf.py).
    assert "<br>1,25 heure</td>" in page and "<br>35 heures</td>" in page
    assert 'href="/static/print.css" media="print"' in page
    assert "/verifier" in page
    assert "7 enregistrements" in page


def _upload(client, data: bytes, name="export.json", with_token=True):
    page = client.get("/verifier").get_data(as_text=True)
    form = {"bundle": (io.BytesIO(data), name)}
    if with_token:
        form["csrf_token"] = _csrf(page)
    return client.post("/verifier", data=form, content_type="multipart/form-data")


def test_verify_page_is_public_and_labelled(client):
    r = client.get("/verifier")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert '<label class="field__label" for="bundle">' in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "Ce que la vérification prouve, et ce qu'elle ne prouve pas" in page


def test_verify_page_with_a_genuine_export(client, bundle):
    r = _upload(client, json.dumps(bundle).encode())
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Cet export est authentique et complet." in page
    assert page.count("Attesté par Mission locale de Dreux") == 3
    assert "Attesté par Cap emploi Eure-et-Loir" in page
    assert page.count("Déclaré par le titulaire") == 3
    assert "Formation « CACES R489 »" in page
    assert "Accueil du 2 mars 2026" in page


def test_verify_page_with_a_tampered_export(client, bundle):
    forged = copy.deepcopy(bundle)
    forged["records"][4]["content"]["title"] = "Doctorat"
    r = _upload(client, json.dumps(forged).encode())
    page = r.get_data(as_text=True)
    assert "Cet export n'est pas valable." in page
    assert "a été modifié" in page
    assert "Non valable" in page
    assert "Formation « Doctorat »" in page  # shown, escaped, and marked as not valid


def test_verify_page_escapes_what_it_shows(client, bundle):
    forged = copy.deepcopy(bundle)
    forged["holder"]["full_name"] = "<script>alert(1)</script>"
    forged["records"][0]["content"]["title"] = "<img src=x onerror=alert(1)>"
    page = _upload(client, json.dumps(forged).encode()).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "n&#39;est pas un fichier JSON lisible"),
        (b'{"format": "autre"}', "n&#39;est pas un export du Passeport SPRO"),
    ],
)
def test_verify_page_with_something_else(client, data, message):
    r = _upload(client, data)
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)


def test_verify_page_needs_a_file_and_a_csrf_token(client, bundle):
    page = client.get("/verifier").get_data(as_text=True)
    r = client.post("/verifier", data={"csrf_token": _csrf(page)})
    assert "Choisissez le fichier à vérifier." in r.get_data(as_text=True)
    r = _upload(client, json.dumps(bundle).encode(), with_token=False)
    assert r.status_code == 400


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_have_no_inline_script_or_style(name):
    source = (TEMPLATES / name).read_text()
    assert "<script" not in source and "style=" not in source and "<style" not in source
    assert not re.search(r"<[^>]+\son[a-z]+=", source)
