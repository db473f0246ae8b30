"""Forms of the structure admin's pages: API keys."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from passport.forms import empty_to_none


class ApiKeyForm(FlaskForm):
    label = StringField(
        _l("Usage de la clé (facultatif)"),
        description=_l("Par exemple le nom du logiciel qui l'utilisera."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=120, message=_l("120 caractères au plus."))],
    )


class ConfirmForm(FlaskForm):
    """A confirmation: nothing but the CSRF token."""
