"""The passport as a PDF that verifies itself, and reading the bundle back out of one.

``render_pdf(passport)`` renders the whole passport for a person (profile, timeline with
issuers, a summary of the signatures, how to verify it and where) with WeasyPrint, and embeds
the signed export bundle (``passport.trust.export``, the very bytes of the JSON download) as
the document's one embedded file (PDF "attachment", ``/EmbeddedFiles``), named like the JSON
download: ``passeport-spro-YYYY-MM-DD.json``. A plain PDF 1.7, not PDF/A
(``docs/api-notes.md`` says why).

The page is what a person reads, the attachment is what a machine checks: ``POST
/api/v1/verify``, ``/verifier`` and ``flask passport verify`` take the PDF, extract the
attachment (``embedded_file``) and verify it as they verify a JSON bundle. What the pages say
is not itself checked (a forger can edit the text and keep the attachment): the verdict is
about the attachment, and the pages say so.

Reading an untrusted PDF is bounded: at most ``MAX_BUNDLE_BYTES`` in (the request limit),
exactly one embedded file of at most ``MAX_BUNDLE_BYTES`` out, read by pypdf in a child
process under memory, CPU and wall-clock limits (``passport/trust/pdf_extract.py`` says
why). Refusals are ``PdfRefused`` with a stable ``code`` and the HTTP status that fits.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs this package's own extractor, never a shell
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import has_request_context, render_template
from flask_babel import get_locale, gettext

from passport.passports.models import Passport
from passport.passports.services import load_view
from passport.trust import pdf_extract
from passport.trust.export import build_bundle, bundle_filename
from passport.trust.verify import MAX_BUNDLE_BYTES, load_json
from passport.urls import external_url

MEDIA_TYPE = "application/pdf"
#: Rendering takes about half a second of CPU: downloads of the PDF are limited per client.
PDF_RATE = "10 per minute"
#: Where the PDF's look lives (WeasyPrint reads it; it is never served to a browser).
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "pdf.css"
EXTRACTOR = Path(pdf_extract.__file__).resolve()
#: Wall-clock limit of the extractor (its CPU limit is ``pdf_extract.CPU_SECONDS``).
EXTRACT_TIMEOUT_SECONDS = 30
#: The extractor's address space; tests lower it to see a starved extractor refused.
EXTRACT_MEMORY_BYTES = pdf_extract.MEMORY_BYTES


class PdfRefused(ValueError):
    """A PDF that cannot be verified: ``code`` says why, ``status`` is the HTTP answer."""

    STATUS = {
        "not_pdf": 400,
        "unreadable": 400,
        "encrypted": 422,
        "no_attachment": 422,
        "several_attachments": 422,
        "too_large": 413,
        "too_complex": 422,
        "attachment_not_json": 422,
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status = self.STATUS[code]

    @property
    def detail(self) -> str:
        """Plain English, for the API's problem details."""
        return DETAILS[self.code]

    @property
    def message(self) -> str:
        """Plain French, for the page (translated when a request asks) and the CLI."""
        msgid = MESSAGES[self.code]
        return gettext(msgid) if has_request_context() else msgid


DETAILS = {
    "not_pdf": "The request body is not a PDF document.",
    "unreadable": "The PDF document could not be read (damaged or not a PDF).",
    "encrypted": "The PDF document is encrypted: its embedded file cannot be read.",
    "no_attachment": "The PDF document has no embedded file: it is not a Passeport SPRO "
    "export (a printed or re-saved copy loses it), so there is nothing to verify.",
    "several_attachments": "The PDF document has several embedded files; an export has "
    "exactly one, the bundle.",
    "too_large": f"The embedded file is larger than {MAX_BUNDLE_BYTES} bytes.",
    "too_complex": "The PDF document could not be read within the verifier's limits.",
    "attachment_not_json": "The PDF's embedded file is not a JSON document.",
}


def _l(msgid: str) -> str:
    """Mark a message for extraction; ``PdfRefused.message`` translates it."""
    return msgid


MESSAGES = {
    "not_pdf": _l("Ce fichier n'est pas un document PDF."),
    "unreadable": _l("Ce PDF est illisible : il est abîmé ou ce n'en est pas un."),
    "encrypted": _l("Ce PDF est protégé par un mot de passe : son contenu ne peut pas être lu."),
    "no_attachment": _l(
        "Ce PDF ne contient pas de fichier joint : ce n'est pas un PDF exporté du Passeport "
        "SPRO, ou bien il a été imprimé ou réenregistré, ce qui retire la pièce jointe. "
        "Rien ne peut être vérifié."
    ),
    "several_attachments": _l(
        "Ce PDF contient plusieurs fichiers joints ; un export du Passeport SPRO en contient "
        "exactement un."
    ),
    "too_large": _l("Le fichier joint à ce PDF dépasse 20 Mio : il n'est pas vérifié."),
    "too_complex": _l("Ce PDF n'a pas pu être lu dans les limites du vérificateur."),
    "attachment_not_json": _l(
        "Le fichier joint à ce PDF n'est pas un export du Passeport SPRO (ce n'est pas du JSON)."
    ),
}

_EXIT_CODES = {
    pdf_extract.EXIT_UNREADABLE: "unreadable",
    pdf_extract.EXIT_ENCRYPTED: "encrypted",
    pdf_extract.EXIT_NO_ATTACHMENT: "no_attachment",
    pdf_extract.EXIT_SEVERAL_ATTACHMENTS: "several_attachments",
    pdf_extract.EXIT_TOO_LARGE: "too_large",
    pdf_extract.EXIT_TOO_COMPLEX: "too_complex",
}


# --- reading ------------------------------------------------------------------------------


def looks_like_pdf(raw: bytes) -> bool:
    """The PDF header (``%PDF-``) within the first KiB, where readers look for it."""
    return b"%PDF-" in raw[:1024]


def embedded_file(raw: bytes) -> bytes:
    """The bytes of the PDF's one embedded file; ``PdfRefused`` otherwise."""
    if not looks_like_pdf(raw):
        raise PdfRefused("not_pdf")
    if len(raw) > MAX_BUNDLE_BYTES:
        raise PdfRefused("too_large")
    command = [
        sys.executable,
        "-I",  # isolated: no environment variables, no user site, no current directory
        str(EXTRACTOR),
        str(MAX_BUNDLE_BYTES),
        str(EXTRACT_MEMORY_BYTES),
    ]
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603  # fixed argv, no shell
            command,
            input=raw,
            capture_output=True,
            timeout=EXTRACT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfRefused("too_complex") from None
    if done.returncode == pdf_extract.EXIT_OK:
        return done.stdout
    # Killed by a limit (negative status), out of memory at start-up, or a refusal.
    raise PdfRefused(_EXIT_CODES.get(done.returncode, "too_complex"))


def bundle_from_pdf(raw: bytes) -> Any:
    """The JSON document embedded in the PDF (to verify as a bundle); ``PdfRefused``."""
    try:
        return load_json(embedded_file(raw))
    except PdfRefused:
        raise
    except ValueError:  # includes UnicodeDecodeError
        raise PdfRefused("attachment_not_json") from None


def load_document(raw: bytes) -> Any:
    """A bundle from an uploaded file, JSON or PDF export (told apart by the PDF header).

    ``PdfRefused`` for a PDF that cannot be verified, ``ValueError`` for JSON that is not.
    """
    if looks_like_pdf(raw):
        return bundle_from_pdf(raw)
    return load_json(raw)


# --- writing ------------------------------------------------------------------------------


@dataclass
class SignerSummary:
    code: str
    name: str
    records: int
    kids: list[str]


def signature_summary(bundle: dict) -> dict[str, Any]:
    """Who signed what in the bundle, for the PDF's page on authenticity."""
    by_structure: Counter[str] = Counter()
    declared = 0
    for record in bundle["records"]:
        issuer = record["content"].get("issuer")
        if isinstance(issuer, dict) and record["signature"]:
            by_structure[issuer["structure"]] += 1
        else:
            declared += 1
    names = bundle.get("structures", {})
    signers = [
        SignerSummary(
            code=code,
            name=names.get(code, {}).get("name", code),
            records=count,
            kids=[key["kid"] for key in bundle["jwks"].get(code, {}).get("keys", [])],
        )
        for code, count in sorted(by_structure.items())
    ]
    service_keys = bundle.get("service_jwks", {}).get("keys", [])
    return {
        "total": len(bundle["records"]),
        "attested": sum(by_structure.values()),
        "declared": declared,
        "signers": signers,
        "service_kid": service_keys[0]["kid"] if service_keys else None,
        "head": bundle["head"],
    }


def bundle_bytes(bundle: dict) -> bytes:
    """The bundle as the JSON download writes it (the attachment holds the same bytes)."""
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode()


def pdf_html(passport: Passport, bundle: dict) -> str:
    """The HTML that WeasyPrint lays out into the passport's pages."""
    return render_template(
        "trust/passport_pdf.html",
        passport=passport,
        holder=passport.holder,
        view=load_view(passport),
        bundle=bundle,
        exported_at=datetime.fromisoformat(bundle["exported_at"].replace("Z", "+00:00")),
        lang=str(get_locale() or "fr"),
        summary=signature_summary(bundle),
        attachment_name=bundle_filename(bundle),
        verify_url=external_url("trust.verify_page"),
        api_verify_url=external_url("api.verify"),
    )


def render_pdf(passport: Passport) -> tuple[bytes, str]:
    """(the PDF, its download name) for the passport, with the signed bundle embedded."""
    from weasyprint import CSS, HTML, Attachment

    bundle = build_bundle(passport)
    name = bundle_filename(bundle)
    html = pdf_html(passport, bundle)
    attachment = Attachment(
        string=bundle_bytes(bundle),
        name=name,
        description=gettext("Export signé du Passeport SPRO (à vérifier)"),
    )
    document = HTML(string=html, url_fetcher=_no_fetching())
    pdf = document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))],
        attachments=[attachment],
    )
    return pdf, name.removesuffix(".json") + ".pdf"


def _no_fetching():
    """A URL fetcher that fetches nothing at all: the PDF needs nothing from outside (its
    style is given inline, it has no image), so no text of a record could ever make the
    server open a URL or a file."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError("the passport PDF loads no external resource")

    return NoFetching()
