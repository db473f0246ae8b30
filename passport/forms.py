"""Form helpers shared by every feature's forms."""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale, numbers
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import StopValidation, ValidationError


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


class NumberParseError(ValueError):
    """A number that cannot be read without guessing; ``str()`` is a French message."""


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009\u2008']+")
_CURRENCY = re.compile(r"(€|eur(os?)?)$|^(€|eur)", re.IGNORECASE)


def parse_number(text: str, locale=None) -> Decimal:
    """A number as people type it, read with Babel in the visitor's locale (French first).

    "420,5", "1 250,50", "1250.50", "1 250,50 €" (with ordinary, non-breaking or narrow
    non-breaking spaces, or an apostrophe as a group separator) all read as expected. A
    lone "other" separator ("1250.50" in French, "420,5" in English) is taken as the decimal
    mark, unless exactly three digits follow it ("1.250": 1250 or 1.25?). Anything that can
    be read two ways or not at all ("1.250,5", "12,345,6", "abc", "NaN") raises
    ``NumberParseError``: never a silent change.
    """
    locale = Locale.parse(locale or get_locale() or "fr")
    decimal_mark = numbers.get_decimal_symbol(locale)
    group_mark = numbers.get_group_symbol(locale)
    other = "." if decimal_mark == "," else ","
    value = _CURRENCY.sub("", text.strip()).replace("\u2212", "-")
    value = _SPACES.sub(" ", value).strip()
    if not re.fullmatch(r"-?[\d., ]+", value) or not re.search(r"\d", value):
        raise NumberParseError(_l("Indiquez un nombre, par exemple 420,5 ou 1 250,50."))
    if other in value and other != group_mark:
        if value.count(other) > 1 or decimal_mark in value:
            raise NumberParseError(
                _l("Nombre ambigu : écrivez-le comme 1 250,50 (une virgule avant les décimales).")
            )
        if len(value.rsplit(other, 1)[1]) == 3:
            raise NumberParseError(
                _l("Nombre ambigu : écrivez 1250 ou 1,25 selon ce que vous voulez dire.")
            )
        value = value.replace(other, decimal_mark)
    value = value.replace(" ", group_mark)
    try:
        number = numbers.parse_decimal(value, locale=locale, strict=True)
    except numbers.NumberFormatError:
        raise NumberParseError(
            _l("Nombre mal écrit : groupez les chiffres par trois, par exemple 1 250,50.")
        ) from None
    if not number.is_finite():
        raise NumberParseError(_l("Indiquez un nombre."))
    if number.adjusted() > 12:
        raise NumberParseError(_l("Ce nombre est trop grand."))
    return number


class FrenchDecimalField(StringField):
    """A number typed the French way (see ``parse_number``): a text input with
    ``inputmode="decimal"`` (never ``type=number``, which browsers may mangle), read on the
    server; more decimals than ``places`` is an error, not a rounding."""

    data: Decimal | None

    def __init__(self, label=None, validators=None, places: int = 2, **kwargs) -> None:
        render_kw = {"inputmode": "decimal" if places else "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.places = places

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        number = parse_number(str(valuelist[0]))
        exponent = number.as_tuple().exponent
        if (
            isinstance(exponent, int)
            and -exponent > self.places
            and number != number.quantize(Decimal(1).scaleb(-self.places))
        ):
            if self.places == 0:
                raise ValueError(_l("Indiquez un nombre entier."))
            raise ValueError(
                _l("%(n)s chiffres après la virgule au plus.", n=self.places)
                if self.places > 1
                else _l("Un chiffre après la virgule au plus.")
            )
        self.data = number.quantize(Decimal(1).scaleb(-self.places))

    def pre_validate(self, form) -> None:
        if self.process_errors:  # already said why; a range check of None would repeat it
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        if self.places == 0:  # years, days, hours of DIF: "2027", not "2 027"
            return str(self.data)
        return format_decimal(self.data, format="#,##0." + "#" * self.places)


class FrenchIntegerField(FrenchDecimalField):
    """The same field for whole numbers (hours of DIF, years, days): gives an ``int``."""

    data: int | None  # type: ignore[assignment]

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, places=0, **kwargs)

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = int(self.data)


#: The name used before French input was read properly; the same field.
FiniteDecimalField = FrenchDecimalField


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
