"""The appointment of a referral as an iCalendar file (RFC 5545, with ``icalendar``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.passports.models import Referral

#: An appointment has no end in the fiche navette: calendars get this default length.
DEFAULT_LENGTH = timedelta(hours=1)


def holder_appointment(passport_id: int, referral_id: int) -> Referral | None:
    """The holder's referral ``referral_id`` if it has an appointment, else None."""
    if not valid_id(referral_id):
        return None
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.passport_id != passport_id or referral.appointment is None:
        return None
    return referral


def appointment_ics(referral: Referral) -> bytes:
    """One VEVENT: date and time (UTC), place (LOCATION), contact (CONTACT)."""
    event_row = referral.appointment
    if event_row is None or event_row.appointment_at is None:
        raise ValueError(f"referral {referral.id} has no appointment")
    calendar = Calendar()
    calendar.add("prodid", "-//Passeport SPRO//Orientations//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    domain = (current_app.config.get("PUBLIC_URL") or "passeport.invalid").split("//")[-1]
    event.add("uid", f"referral-{referral.id}-appointment-{event_row.id}@{domain.strip('/')}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", event_row.appointment_at)
    event.add("dtend", event_row.appointment_at + DEFAULT_LENGTH)
    event.add("summary", _("Rendez-vous : %(s)s", s=referral.to_structure.name))
    if event_row.appointment_place:
        event.add("location", event_row.appointment_place)
    if event_row.appointment_contact:
        event.add("contact", event_row.appointment_contact)
    sender = referral.issuer_structure.name if referral.issuer_structure else "?"
    description = _("Orientation par %(s)s vers %(t)s.", s=sender, t=referral.to_structure.name)
    if event_row.appointment_contact:
        description += "\n" + _("Contact : %(c)s", c=event_row.appointment_contact)
    event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical()


def ics_response(referral: Referral) -> Response:
    """``text/calendar``, as a file to open with the calendar application."""
    response = Response(appointment_ics(referral), mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rendez-vous-{referral.id}.ics"'
    )
    return response
