"""WTForms forms of the web pages, one module per area; every form carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class Form(FlaskForm):
    """Base form: CSRF protected (Flask-WTF), messages in the user's language."""

    class Meta:
        locales = False  # follow Flask-Babel's locale (Flask-WTF's i18n)


class ActionForm(Form):
    """A form with nothing but its CSRF token: for buttons such as revoke, cancel, log out."""
