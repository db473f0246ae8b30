"""Corrections on paper: the printable page and the PDF show a rectified record with its new
values and why, and a withdrawn one struck through, saying in words who withdrew it, when and
why (strike-through alone is not read out), with the passport pages' wording.

The trust world's Mission locale withdraws its reception, rectifies its training (42 hours
instead of 35) and the message of its referral.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from passport.extensions import db
from passport.passports.models import Reception, Referral, Training
from passport.records import services as records
from passport.structures.services import get_structure
from tests.trust.conftest import MESSAGE, SUMMARY
from tests.trust.test_erasure import _login

WITHDRAWN_BECAUSE = "Accueil saisi dans le mauvais passeport"
RECTIFIED_BECAUSE = "La formation a duré 42 heures"
MESSAGE_BECAUSE = "Message envoyé trop tôt"
NEW_MESSAGE = "MESSAGE-RECTIFIE-6b1d à recevoir en janvier"
WHEN = r"le \d{1,2} \w+ \d{4}"


@pytest.fixture
def corrected(app, world):
    with app.app_context():
        ml = get_structure("ML-DREUX")

        def one(model, *where):
            query = db.select(model).where(model.passport_id == world.passport_id, *where)
            return db.session.execute(query).scalar_one()

        records.correct_record(ml, one(Reception), action="withdraw", reason=WITHDRAWN_BECAUSE)
        records.correct_record(
            ml,
            one(Training, Training.issuer_structure_id == ml.id),
            action="rectify",
            reason=RECTIFIED_BECAUSE,
            changes={"hours": 42},
        )
        records.correct_record(
            ml,
            one(Referral),
            action="rectify",
            reason=MESSAGE_BECAUSE,
            changes={"message": NEW_MESSAGE},
        )
        db.session.commit()
    return world


def _row_of(page: str, marker: str) -> str:
    """The table row (``<tr>…</tr>``) of the page that holds ``marker``."""
    at = page.index(marker)
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


def test_the_printable_page_shows_corrections(client, corrected):
    _login(client)
    r = client.get("/mes-donnees/imprimer")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    flat = " ".join(re.sub(r"<[^>]+>", " ", page).split())

    # The withdrawn reception: still there, struck through, with who, when and why.
    row = _row_of(page, SUMMARY)
    assert 'class="row--withdrawn"' in row
    assert re.search(r"<del class=\"struck\">\s*" + re.escape(SUMMARY), row)
    assert re.search(
        rf"Retiré par Mission locale de Dreux {WHEN} à \d\d:\d\d\. Motif : {WITHDRAWN_BECAUSE}",
        flat,
    )
    # The rectified training: its new values, not the old ones, and why.
    row = _row_of(page, "CACES R489")
    assert "42 heures" in row and "35 heures" not in row
    assert "<del" not in row and "row--withdrawn" not in row
    assert re.search(
        rf"Rectifié par Mission locale de Dreux {WHEN} à \d\d:\d\d\. Motif : {RECTIFIED_BECAUSE}",
        flat,
    )
    # The rectified referral: its new message only.
    assert NEW_MESSAGE in page and MESSAGE not in page
    assert f"Motif : {MESSAGE_BECAUSE}" in flat
    # Records nobody corrected read as before.
    assert "Soudure TIG" in page and "234,56" in page
    assert page.count('class="row--withdrawn"') == 1


def test_the_printable_page_without_corrections_has_no_note(client, world):
    _login(client)
    page = client.get("/mes-donnees/imprimer").get_data(as_text=True)
    assert "Retiré par" not in page and "Rectifié par" not in page
    assert "<del" not in page


def _pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_says_in_words_what_was_withdrawn_and_rectified(client, corrected):
    _login(client)
    r = client.get("/mes-donnees/passeport.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _pdf_text(r.data)
    assert re.search(
        rf"Retiré par Mission locale de Dreux {WHEN} à \d\d:\d\d\. Motif : {WITHDRAWN_BECAUSE}",
        text,
    ), text
    assert re.search(
        rf"Rectifié par Mission locale de Dreux {WHEN} à \d\d:\d\d\. Motif : {RECTIFIED_BECAUSE}",
        text,
    ), text
    assert f"Motif : {MESSAGE_BECAUSE}" in text
    # The withdrawn reception is still shown (struck through) next to its withdrawal.
    assert SUMMARY in text
    # The rectified values replace the old ones.
    assert "42 heures" in text and "35 heures" not in text
    assert NEW_MESSAGE in text and MESSAGE not in text
    # The words alone carry the correction: no badge repeating "Retiré" before them.
    assert "Retiré Retiré" not in text and "Rectifié Rectifié" not in text


def test_the_pdf_of_the_api_shows_the_corrections_too(client, corrected):
    r = client.get("/api/v1/me/export", headers={**corrected.auth, "Accept": "application/pdf"})
    assert r.status_code == 200
    text = _pdf_text(r.data)
    assert f"Motif : {WITHDRAWN_BECAUSE}" in text and "42 heures" in text


def test_the_pdf_strikes_the_withdrawn_record_through(app, corrected):
    """The pages' HTML, as WeasyPrint receives it: the withdrawn reception inside ``<del>``,
    its withdrawal beside it, outside; the rectified training not struck through."""
    from passport.passports.models import Passport
    from passport.trust.export import build_bundle
    from passport.trust.pdf import pdf_html

    with app.test_request_context("/"):
        passport = db.session.get(Passport, corrected.passport_id)
        html = pdf_html(passport, build_bundle(passport))
        db.session.rollback()
    row = _row_of(html, SUMMARY)
    at = row.index(SUMMARY)
    struck = row[row.rindex('<del class="struck">', 0, at) : row.index("</del>", at)]
    assert SUMMARY in struck and "Retiré par" not in struck
    assert "Accueil" in struck  # the whole record's text, not only its note
    assert f"Motif : {WITHDRAWN_BECAUSE}" in row[row.index("</del>", at) :]
    assert 'class="row--withdrawn"' in row
    training = _row_of(html, "CACES R489")
    assert "<del" not in training and "42 heures" in training
    assert 'class="badge' not in html  # the words alone, no badge repeating them
