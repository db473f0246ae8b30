"""The PDF side of the trust endpoints (``passport.api.trust``).

- ``GET /me/export`` with ``Accept: application/pdf`` (preferred over JSON): the passport as a
  PDF with the signed bundle embedded (``passport.trust.pdf``), as an attachment download.
- ``POST /verify`` with ``Content-Type: application/pdf``: the embedded bundle is verified
  as a JSON body would be (a PDF sent under another type is read as JSON, and is not).
  A PDF that cannot be verified is a problem: 400 when the body is not a readable PDF, 422
  when it is one without exactly one embedded file, encrypted, too complex to read within the
  limits, or whose embedded file is not JSON, 413 when the embedded file is over 20 MiB.
  ``errors`` is ``{"attachment": [code]}`` with the ``PdfRefused`` code.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from passport.errors import Problem
from passport.extensions import db
from passport.passports.models import Passport
from passport.trust.pdf import MEDIA_TYPE, PdfRefused, bundle_from_pdf, render_pdf


def wants_pdf() -> bool:
    """The client prefers a PDF to JSON (``Accept: application/pdf``)."""
    best = request.accept_mimetypes.best_match(["application/json", MEDIA_TYPE])
    return best == MEDIA_TYPE


def pdf_export(passport: Passport):
    """The PDF export as a download (the database is committed first: ``passport_of`` may
    have created an empty passport)."""
    body, filename = render_pdf(passport)
    db.session.commit()
    return current_app.response_class(
        body,
        mimetype=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def is_pdf_request() -> bool:
    return request.mimetype == MEDIA_TYPE


def bundle_from_pdf_body(raw: bytes) -> Any:
    """The JSON document embedded in the body's PDF, or the problem that says why not."""
    try:
        return bundle_from_pdf(raw)
    except PdfRefused as exc:
        titles = {400: "Bad Request", 413: "Content Too Large", 422: "Unprocessable Content"}
        raise Problem(
            exc.status, titles[exc.status], exc.detail, errors={"attachment": [exc.code]}
        ) from None
