"""Jinja filters and globals: French dates, euros, labels of the domain's codes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, url_for
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
    ngettext,
    to_user_timezone,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from passport import labels
from passport.urls import external_url


def _label(mapping):
    def label(code):
        return mapping.get(code, code) if code is not None else ""

    return label


def _first_of_month(pattern: str, day: int) -> str:
    """French writes the first day of a month "1er décembre": the pattern's day gets "er"."""
    if day == 1 and str(get_locale() or "fr").startswith("fr") and pattern.startswith("d "):
        return "d'er' " + pattern[2:]
    return pattern


def date_fr(value: date | None) -> str:
    """ "1er décembre 2026", "2 décembre 2026" (the locale's long date otherwise)."""
    if not value:
        return ""
    if str(get_locale() or "fr").startswith("fr"):
        return format_date(value, format=_first_of_month("d MMMM y", value.day))
    return format_date(value, format="long")


def datetime_fr(value: datetime | None) -> str:
    """A UTC instant shown in Europe/Paris (the app's default time zone)."""
    if not value:
        return ""
    # The pattern is a message so that English reads "28 November 2026 at 21:15".
    local_day = to_user_timezone(value).day if value.tzinfo else value.day
    return format_datetime(value, format=_first_of_month(gettext("d MMMM y 'à' HH:mm"), local_day))


def number_fr(value) -> str:
    if value is None:
        return ""
    return format_decimal(Decimal(value).normalize() if isinstance(value, Decimal) else value)


def hours_fr(value) -> str:
    """A training's duration in decimal hours, exactly as stored: "1,25 heure", "2 heures".

    The grammatical number follows the language's rule for decimals (CLDR): French takes the
    singular below 2 ("1,5 heure"), English only for exactly 1 ("1.5 hours")."""
    if value is None:
        return ""
    number = Decimal(value).normalize() if isinstance(value, Decimal) else value
    one = get_locale().plural_form(number) == "one"
    return ngettext("%(h)s heure", "%(h)s heures", 1 if one else 2, h=number_fr(value))


def euros(value) -> str:
    """An amount in euros, written the visitor's way (1 234,56 € or €1,234.56)."""
    if value is None:
        return "—"
    return format_currency(Decimal(value), "EUR")


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        date_fr=date_fr,
        datetime_fr=datetime_fr,
        number_fr=number_fr,
        hours_fr=hours_fr,
        euros=euros,
        need_label=_label(labels.NEEDS),
        situation_label=_label(labels.SITUATIONS),
        structure_type_label=_label(labels.STRUCTURE_TYPES),
        channel_label=_label(labels.CHANNELS),
        outcome_label=_label(labels.OUTCOMES),
        referral_status_label=_label(labels.REFERRAL_STATUSES),
        reason_label=_label(labels.DECLINE_REASONS),
        training_status_label=_label(labels.TRAINING_STATUSES),
        qualification_label=_label(labels.QUALIFICATION_LEVELS),
        role_label=_label(labels.ROLES),
        device_label=labels.device_label,
        at_structure=labels.at_structure,
        to_structure=labels.to_structure,
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "fr")
    app.jinja_env.globals["extra_nav"] = extra_nav
    app.jinja_env.globals["external_url"] = external_url


#: Menu entries by role: (endpoint, label, roles). An entry shows once its endpoint exists,
#: so a feature package adds its page to the menu by registering that endpoint.
NAV = (
    ("sharing.index", _l("Mes partages"), {"individual"}),
    ("sharing.access_log", _l("Qui a consulté"), {"individual"}),
    ("trust.my_data", _l("Mes données"), {"individual"}),
    ("notifications.preferences", _l("Mes e-mails"), {"individual", "advisor", "structure_admin"}),
    ("workspace.index", _l("Espace conseiller"), {"advisor", "structure_admin"}),
    ("workspace.inbox", _l("Orientations reçues"), {"advisor", "structure_admin"}),
    ("structures.api_keys", _l("Clés API"), {"structure_admin"}),
    ("indicators.dashboard", _l("Indicateurs"), {"coordinator", "admin"}),
    ("team.staff", _l("Mon équipe"), {"structure_admin"}),
    ("admin.index", _l("Administration"), {"admin"}),
    (
        "mfa.settings",
        _l("Sécurité du compte"),
        {"individual", "advisor", "structure_admin", "coordinator", "admin"},
    ),
)


def extra_nav() -> list[dict]:
    """Menu entries for the logged-in user, besides "Mon passeport" and logout."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, roles in NAV:
        if current_user.role in roles and endpoint in current_app.view_functions:
            items.append({"url": url_for(endpoint), "label": label, "badge": _badge(endpoint)})
    return items


def _badge(endpoint: str) -> int | None:
    """The number shown beside a menu entry: unread access notifications for the holder,
    new referrals (status ``sent``) waiting for an advisor's structure."""
    if endpoint == "sharing.access_log":
        from passport.sharing.services import unread_count

        return unread_count(current_user) or None
    if endpoint == "workspace.inbox" and current_user.structure_id is not None:
        from passport.workspace.desk import new_referral_count

        return new_referral_count(current_user.structure_id) or None
    return None
