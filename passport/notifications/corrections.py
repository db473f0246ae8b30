"""Mail about corrections: the structure hears that a holder asks it to correct a record.

No detail of the person or of the record in the mail: a link to the request in the
workspace, where a logged-in advisor reads it. One mail per request and address (the key).
"""

from __future__ import annotations

from passport.notifications.mail import send_templated, with_links
from passport.notifications.referrals import structure_recipients
from passport.passports.models import CorrectionRequest
from passport.urls import external_url


@with_links
def correction_requested(request: CorrectionRequest) -> None:
    """Queue the mail to the structure that wrote the record (its address, or its advisors)."""
    link = external_url("workspace.correction_requests")
    for address in structure_recipients(request.structure):
        send_templated(
            address,
            "correction_requested",
            key=f"correction-request:{request.id}:{address}",
            structure=request.structure,
            link=link,
        )
