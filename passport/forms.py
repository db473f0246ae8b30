"""Form helpers shared by every feature's forms."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.validators import ValidationError


class MaxBytes:
    """Refuse absurdly long input before it reaches the database."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form, field) -> None:
        if field.data and len(str(field.data)) > self.limit:
            raise ValidationError(
                _l("Ce champ est trop long (%(n)s caractères au plus).", n=self.limit)
            )


def empty_to_none(value):
    """Filter: blank strings become None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class FiniteDecimalField(DecimalField):
    """A decimal field that refuses NaN and infinities ("NaN", "sNaN", "Infinity")."""

    data: Decimal | None

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        value: Decimal | None = self.data
        if value is not None and not value.is_finite():
            self.data = None
            raise ValueError(_l("Indiquez un nombre."))


ONCE_KEY = "form_once"
ONCE_FIELD = "form_once"


def issue_once() -> str:
    """A one-time value for a form that must not be sent twice (kept in the session)."""
    from flask import session

    from passport.security import new_secret

    value = new_secret(12)
    session[ONCE_KEY] = [*session.get(ONCE_KEY, [])[-19:], value]
    return value


def spend_once(value: str | None) -> bool:
    """True the first time ``value`` comes back, False for a resubmission (back button,
    reload, second click after the first answer)."""
    from flask import session

    issued = session.get(ONCE_KEY, [])
    if not value or value not in issued:
        return False
    session[ONCE_KEY] = [v for v in issued if v != value]
    return True
