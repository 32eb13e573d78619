"""WTForms forms of the web pages, one module per area; every form carries a CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm


class Form(FlaskForm):
    """Base form: CSRF protected (Flask-WTF), messages in the user's language."""

    class Meta:
        locales = False  # follow Flask-Babel's locale (Flask-WTF's i18n)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, and no NUL character anywhere: PostgreSQL cannot even
        compare a text with one (a 500 on the login form, say), and no one types it."""
        valid = bool(super().validate(extra_validators))
        for field in self:
            values = field.data if isinstance(field.data, list | tuple) else [field.data]
            if any(isinstance(value, str) and "\x00" in value for value in values):
                message = gettext("%(field)s contains control characters.", field=field.label.text)
                field.errors = [*field.errors, message]
                valid = False
        return valid


class ActionForm(Form):
    """A form with nothing but its CSRF token: for buttons such as revoke, cancel, log out."""
