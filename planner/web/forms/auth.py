"""Forms for logging in and setting a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from planner.services.accounts import MIN_PASSWORD_LENGTH
from planner.web.forms import Form


class LoginForm(Form):
    """E-mail address and password."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])
    remember = BooleanField(_l("Stay logged in on this device"))


class ResetRequestForm(Form):
    """The address to send a reset link to."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired()])


class NewPasswordForm(Form):
    """A new password, twice."""

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least 10 characters. A sentence you remember works well."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
