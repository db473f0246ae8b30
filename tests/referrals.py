"""Bodies of referral status changes, with the details each status needs (API.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

APPOINTMENT = {
    "place": "CIO de Dreux, 2 rue de Châteaudun",
    "contact": "Mme Bernard, 02 37 00 00 00",
}


def appointment_at(days: int = 7) -> str:
    """An appointment ``days`` from now at 14:30 UTC, as API.md writes instants."""
    when = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def body_for(status: str) -> dict:
    """``{"status": ...}`` plus the appointment or the reason it needs."""
    body: dict = {"status": status}
    if status == "appointment":
        body["appointment"] = {"at": appointment_at(), **APPOINTMENT}
    if status == "declined":
        body["reason"] = "no_capacity"
    return body


#: The appointment fields of the web form (a date and a time, in Paris).
WEB_APPOINTMENT = {
    "appointment_date": (datetime.now(UTC) + timedelta(days=7)).date().isoformat(),
    "appointment_time": "10:00",
    "place": "CIO de Dreux",
    "contact": "Mme Bernard",
}
