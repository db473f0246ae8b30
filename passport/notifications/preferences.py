"""Which mails a user wants (one settings page; every mail is on until turned off)."""

from __future__ import annotations

from typing import Literal

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.notifications.models import MailPreference

Kind = Literal["visits", "appointments", "reminders", "referrals"]
HOLDER_KINDS: tuple[Kind, ...] = ("visits", "appointments", "reminders")
STAFF_KINDS: tuple[Kind, ...] = ("referrals",)


def preferences_of(user: User) -> MailPreference:
    """The user's preferences (defaults, not yet stored, when they never chose)."""
    found = db.session.get(MailPreference, user.id)
    if found is not None:
        return found
    return MailPreference(
        user_id=user.id, visits=True, appointments=True, reminders=True, referrals=True
    )


def wants(user: User, kind: Kind) -> bool:
    return bool(getattr(preferences_of(user), kind))


def kinds_for(user: User) -> tuple[Kind, ...]:
    """The mails that concern this user: a holder's, or a structure's staff's."""
    return STAFF_KINDS if user.structure_id is not None else HOLDER_KINDS


def save_preferences(user: User, **choices: bool) -> MailPreference:
    """Store the user's choices (only the kinds that concern them); flushes."""
    preference = db.session.get(MailPreference, user.id)
    if preference is None:
        preference = preferences_of(user)
        db.session.add(preference)
    for kind in kinds_for(user):
        if kind in choices:
            setattr(preference, kind, bool(choices[kind]))
    preference.updated_at = utcnow()
    db.session.flush()
    return preference
