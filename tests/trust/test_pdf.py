"""The PDF export verifies itself: a person reads it, a machine checks its embedded bundle.

A genuine PDF is valid through ``POST /api/v1/verify``, the ``/verifier`` page and
``flask passport verify``; a PDF whose embedded bundle was altered (one byte of a record,
then the PDF rebuilt with pypdf) is not; PDFs that carry no bundle, several files, a
decompression bomb, an encrypted file or plain garbage are refused with a 4xx.
"""

from __future__ import annotations

import io
import json
import re
import zlib

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from passport.trust import pdf as pdf_module
from passport.trust.verify import MAX_BUNDLE_BYTES
from tests.trust.conftest import HOLDER_NAME, SUMMARY
from tests.trust.test_erasure import _login
from tests.trust.test_verify_limits import upload

PDF = {"Accept": "application/pdf"}


@pytest.fixture
def pdf(client, world) -> bytes:
    r = client.get("/api/v1/me/export", headers={**world.auth, **PDF})
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="passeport-spro-\d{4}-\d{2}-\d{2}\.pdf"',
        r.headers["Content-Disposition"],
    )
    assert r.headers["Cache-Control"] == "no-store"
    return r.data


def attachments(document: bytes) -> list:
    return list(PdfReader(io.BytesIO(document)).attachment_list)


def text_of(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def post_pdf(client, body: bytes):
    return client.post("/api/v1/verify", data=body, content_type="application/pdf")


def rebuilt(document: bytes, change) -> bytes:
    """The PDF rebuilt with pypdf after ``change(writer)``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def altered(document: bytes) -> bytes:
    """The same PDF whose embedded bundle has one byte changed inside a signed record."""

    def change(writer):
        (entry,) = writer.attachment_list
        content = entry.content
        marker = SUMMARY.encode()
        assert content.count(marker) == 1
        entry.content = content.replace(marker, marker.replace(b"7f3a", b"7f3b"))

    return rebuilt(document, change)


def blank_pdf(*files: tuple[str, bytes]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for name, data in files:
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def problem_code(response) -> str:
    return response.get_json()["errors"]["attachment"][0]


# --- the document -----------------------------------------------------------------------------


def test_pdf_reads_as_the_passport_and_embeds_the_json_export(client, world, pdf):
    (entry,) = attachments(pdf)
    assert re.fullmatch(r"passeport-spro-\d{4}-\d{2}-\d{2}\.json", entry.name)
    bundle = json.loads(entry.content)
    json_export = client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert bundle["format"] == json_export["format"] == "passeport-spro/1"
    assert bundle["records"] == json_export["records"]
    assert bundle["head"] == json_export["head"]
    text = text_of(pdf)
    for expected in (
        f"Passeport de {HOLDER_NAME}",
        "Titulaire",
        "Parcours",
        "Formation « CACES R489 »",
        "Orientation vers Cap emploi Eure-et-Loir",
        "Attesté par Mission locale de Dreux (Camille Roux)",
        "Déclaré par le titulaire",
        "Signatures",
        "Vérifier ce document",
        "http://localhost/verifier",
        entry.name,
    ):
        assert expected in text, expected
    assert "7 enregistrements" in text
    # Exact hours, singular below 2, worded as the printable page does (test_pages.py).
    assert "· 1,25 heure " in text and "1,25 heures" not in text and "1,3 heure" not in text
    assert "· 35 heures" in text


def test_holder_downloads_the_pdf_from_the_passport_page(client, world):
    assert client.get("/mes-donnees/passeport.pdf").status_code == 302  # log in first
    _login(client)
    page = client.get("/passeport/").get_data(as_text=True)
    assert 'href="/mes-donnees/passeport.pdf"' in page and "Télécharger en PDF" in page
    assert 'href="/mes-donnees/passeport.pdf"' in client.get("/mes-donnees").get_data(as_text=True)
    r = client.get("/mes-donnees/passeport.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].endswith('.pdf"')
    (entry,) = attachments(r.data)
    assert json.loads(entry.content)["holder"]["full_name"] == HOLDER_NAME


def test_json_stays_the_default_export(client, world):
    for accept in (None, "*/*", "application/json", "application/json, application/pdf;q=0.5"):
        headers = {**world.auth, **({"Accept": accept} if accept else {})}
        r = client.get("/api/v1/me/export", headers=headers)
        assert r.status_code == 200 and r.mimetype == "application/json", accept


# --- verified everywhere -----------------------------------------------------------------------


def test_pdf_verifies_valid_through_the_api(client, pdf):
    r = post_pdf(client, pdf)
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    assert answer["valid"] is True, answer["problems"]
    assert len(answer["records"]) == 7
    assert answer["checked_against"] == "server"


def test_altered_pdf_is_invalid_through_the_api(client, pdf):
    answer = post_pdf(client, altered(pdf)).get_json()
    assert answer["valid"] is False
    codes = {p["code"] for p in answer["problems"]}
    assert "hash_mismatch" in codes, answer["problems"]


def test_pdf_on_the_verifier_page(client, pdf):
    page = upload(client, pdf).get_data(as_text=True)
    assert "Cet export est authentique et complet." in page
    page = upload(client, altered(pdf)).get_data(as_text=True)
    assert "Cet export n'est pas valable." in page
    assert 'accept="application/json,.json,application/pdf,.pdf"' in page


def test_pdf_with_the_cli(runner, tmp_path, pdf):
    genuine = tmp_path / "passeport.pdf"
    genuine.write_bytes(pdf)
    result = runner.invoke(args=["passport", "verify", str(genuine)])
    assert result.exit_code == 0, result.output
    assert "VALIDE" in result.output
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(altered(pdf))
    result = runner.invoke(args=["passport", "verify", str(forged), "--json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["valid"] is False
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(blank_pdf())
    result = runner.invoke(args=["passport", "verify", str(empty)])
    assert result.exit_code == 2
    assert "ne contient pas de fichier joint" in result.output


# --- what cannot be verified -------------------------------------------------------------------


def test_a_pdf_without_attachment_is_refused(client):
    r = post_pdf(client, blank_pdf())
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert problem_code(r) == "no_attachment"
    page = upload(client, blank_pdf()).get_data(as_text=True)
    assert "ne contient pas de fichier joint" in page


def test_a_pdf_with_several_attachments_is_refused(client, pdf):
    (entry,) = attachments(pdf)
    doubled = blank_pdf((entry.name, entry.content), ("autre.json", entry.content))
    r = post_pdf(client, doubled)
    assert r.status_code == 422 and problem_code(r) == "several_attachments"


def test_an_attachment_that_is_not_a_bundle(client):
    r = post_pdf(client, blank_pdf(("notes.txt", b"\xff\xfe not json")))
    assert r.status_code == 422 and problem_code(r) == "attachment_not_json"
    r = post_pdf(client, blank_pdf(("x.json", b'{"format": "autre"}')))
    assert r.status_code == 422 and "format" in r.get_json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a pdf at all",
        bytes(range(256)) * 40,
        b'{"format": "passeport-spro/1"}',
        b"%PDF-1.7\n" + b"\x00garbage" * 1000,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
    ],
)
def test_malformed_bodies_answer_400(client, body):
    r = post_pdf(client, body)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"


def test_truncated_and_corrupted_pdfs_are_never_a_500(client, pdf):
    """pypdf recovers what it can of a damaged file: the verdict is then about the bundle it
    found, which must still verify; anything else is a problem for the client."""
    for broken in (
        pdf[:2000],
        pdf[: len(pdf) // 2],
        pdf.replace(b"endobj", b"endxbj"),
        pdf.replace(b"stream", b"strea\x00"),
    ):
        r = post_pdf(client, broken)
        assert r.status_code in (200, 400, 413, 422), r.get_data(as_text=True)
        if r.status_code == 200:
            assert r.get_json()["valid"] is True
        else:
            assert r.mimetype == "application/problem+json"
    assert post_pdf(client, pdf[:2000]).status_code in (400, 422)  # no bundle in the start


def _bomb(writer, inflated: int) -> None:
    """Replace the embedded file by a small stream that inflates to ``inflated`` bytes."""
    (entry,) = writer.attachment_list
    stream = entry.pdf_object["/EF"]["/F"].get_object()
    stream.set_data(b"")
    stream._data = zlib.compress(b"0" * inflated, 9)  # noqa: SLF001 - the raw, encoded bytes
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(stream._data))  # noqa: SLF001


def test_a_decompression_bomb_is_refused(client):
    bomb = rebuilt(blank_pdf(("bundle.json", b"{}")), lambda w: _bomb(w, 3 * MAX_BUNDLE_BYTES))
    assert len(bomb) < 200_000  # 60 MiB once inflated
    r = post_pdf(client, bomb)
    assert r.status_code == 413, r.get_data(as_text=True)
    assert problem_code(r) == "too_large"


def test_an_encrypted_pdf_is_refused(client, pdf):
    def encrypt(writer):
        writer.encrypt("secret", algorithm="AES-128")

    r = post_pdf(client, rebuilt(pdf, encrypt))
    assert r.status_code == 422 and problem_code(r) == "encrypted"


def test_an_extractor_starved_of_memory_is_a_refusal_not_a_500(client, pdf, monkeypatch):
    """Whatever kills the extractor (memory, CPU, the clock) is a 422 for the client."""
    monkeypatch.setattr(pdf_module, "EXTRACT_MEMORY_BYTES", 16 * 1024 * 1024)
    r = post_pdf(client, pdf)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert problem_code(r) == "too_complex"


def test_a_pdf_over_20_mib_is_413(client):
    r = post_pdf(client, b"%PDF-1.7\n" + b" " * MAX_BUNDLE_BYTES)
    assert r.status_code == 413
    assert r.mimetype == "application/problem+json"


def test_the_openapi_document_names_the_pdf(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "application/pdf" in paths["/api/v1/verify"]["post"]["requestBody"]["content"]
    export = paths["/api/v1/me/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/json", "application/pdf"}
